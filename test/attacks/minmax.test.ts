/** Min-Max and Min-Sum (Shejwalkar & Houmansadr): γ is the largest feasible, checked against the closed forms and on the vectors sent. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAttack, honestSet, minmaxGamma, minsumGamma, perturbation, type HonestSet } from '../../src/attacks/index.ts';
import { context, dist64, gradients, near, scaleOf, v } from './fixtures.ts';

const kinds = fc.constantFrom('unit', 'std', 'sign');
const rounds = fc.record({
  observed: gradients({ min: 2, max: 7 }, { min: 1, max: 6 }),
  unseen: fc.integer({ min: 0, max: 3 }),
  f: fc.integer({ min: 1, max: 3 }),
});

function setOf(observed: Float32Array[], unseen: number, f: number): HonestSet {
  return honestSet({ observed, n: observed.length + unseen + f, f })!;
}

/** ‖aᵢ‖², ⟨aᵢ, p⟩ (aᵢ = gᵢ − μ), ‖p‖², all pairwise squared distances: float64 from the vectors. */
function terms(H: HonestSet, p: Float32Array) {
  const a = H.vectors.map((g) => Array.from(g, (x, j) => x - H.mean[j]));
  const a2 = a.map((x) => x.reduce((s, y) => s + y * y, 0));
  const ap = a.map((x) => x.reduce((s, y, j) => s + y * p[j], 0));
  const p2 = Array.from(p).reduce((s, y) => s + y * y, 0);
  const P = H.vectors.map((g) => H.vectors.map((h) => dist64(g, h) ** 2));
  return { a2, ap, p2, P };
}

/** The larger root of A·γ² − 2B·γ + C = 0 (A > 0, C ≤ 0). */
const root = (A: number, B: number, C: number) => (B + Math.sqrt(Math.max(0, B * B - A * C))) / A;

describe('minmax', () => {
  it('γ is the closed form minᵢ of the larger root of ‖aᵢ − γp‖² = D²', () => {
    fc.assert(
      fc.property(rounds, kinds, ({ observed, unseen, f }, kind) => {
        const H = setOf(observed, unseen, f);
        const p = perturbation(H, kind);
        const { a2, ap, p2, P } = terms(H, p);
        fc.pre(p2 > 1e-12);
        const D2 = Math.max(...P.flat());
        const expected = Math.min(...a2.map((_, i) => root(p2, ap[i], a2[i] - D2)));
        expect(Math.abs(minmaxGamma(H, p) - expected)).toBeLessThanOrEqual(1e-6 * (1 + expected));
      }),
    );
  });

  it('sends μ + γp: within the honest diameter of every honest gradient, and a larger γ would not be', () => {
    fc.assert(
      fc.property(rounds, kinds, ({ observed, unseen, f }, kind) => {
        const n = observed.length + unseen + f;
        const out = createAttack(`minmax(perturbation=${kind})`).craft(context(observed, f, n));
        const H = setOf(observed, unseen, f);
        const p = perturbation(H, kind);
        const gamma = minmaxGamma(H, p);
        const scale = 1 + scaleOf(observed);
        for (const x of out) expect(near(x, Array.from(p, (pj, j) => H.mean[j] + gamma * pj), 1e-6 * (scale + gamma))).toBe(true);
        const D = Math.max(...H.vectors.flatMap((g) => H.vectors.map((h) => dist64(g, h))));
        const farthest = (x: ArrayLike<number>) => Math.max(...H.vectors.map((g) => dist64(x, g)));
        expect(farthest(out[0])).toBeLessThanOrEqual(D + 1e-5 * (scale + gamma));
        const p2 = Array.from(p).reduce((s, y) => s + y * y, 0);
        if (p2 > 1e-12 && D > 1e-3) {
          const larger = gamma * (1 + 1e-4) + 1e-4;
          expect(farthest(Array.from(p, (pj, j) => H.mean[j] + larger * pj))).toBeGreaterThan(D);
        }
      }),
    );
  });

  it('is not capped at the authors’ 2γ₀ = 20: two gradients 100 apart give γ = 50 (v = μ − 50·μ/‖μ‖ = 0)', () => {
    // μ = (50, 0), D = 100: v = (50 − γ, 0) is 50 + γ from (100, 0), so γ* = 50.
    const [x] = createAttack('minmax').craft(context([v(0, 0), v(100, 0)], 1, 3));
    expect(near(x, [0, 0], 1e-4)).toBe(true);
  });

  it('the perturbations point along −μ/‖μ‖, −σ and −sign(μ)', () => {
    const observed = [v(1, 4, -2), v(3, 2, -2), v(2, 9, -2)];
    const mu = [2, 5, -2];
    const shift = (spec: string) => {
      const [x] = createAttack(spec).craft(context(observed, 1, 4));
      return Array.from(x, (c, j) => c - mu[j]);
    };
    const parallel = (a: number[], b: number[]) => {
      const cos = a.reduce((s, x, j) => s + x * b[j], 0) / (Math.hypot(...a) * Math.hypot(...b));
      expect(cos).toBeCloseTo(1, 5);
    };
    parallel(shift('minmax'), mu.map((m) => -m));
    parallel(shift('minmax(perturbation=std)'), [-1, -Math.sqrt(13), 0]);
    parallel(shift('minmax(perturbation=sign)'), [-1, -1, 1]);
  });

  it('with no direction (μ = 0, or one gradient seen) it sends μ', () => {
    expect(createAttack('minmax').craft(context([v(1, -1), v(-1, 1)], 1, 4))).toEqual([v(0, 0)]);
    expect(createAttack('minmax(perturbation=std)').craft(context([v(3, 4)], 2, 3))).toEqual([v(3, 4), v(3, 4)]);
  });
});

describe('minsum', () => {
  it('γ is the closed form: Σᵢ ‖aᵢ − γp‖² = maxᵢ Σⱼ ‖gᵢ − gⱼ‖² (or minᵢ, bound=min)', () => {
    fc.assert(
      fc.property(rounds, kinds, fc.constantFrom('max', 'min'), ({ observed, unseen, f }, kind, bound) => {
        const H = setOf(observed, unseen, f);
        const p = perturbation(H, kind);
        const { a2, ap, p2, P } = terms(H, p);
        fc.pre(p2 > 1e-12);
        const scores = P.map((row) => row.reduce((s, x) => s + x, 0));
        const limit = bound === 'max' ? Math.max(...scores) : Math.min(...scores);
        const m = H.vectors.length;
        const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
        const expected = root(m * p2, sum(ap), sum(a2) - limit);
        expect(Math.abs(minsumGamma(H, p, bound) - expected)).toBeLessThanOrEqual(1e-6 * (1 + expected));
      }),
    );
  });

  it('sends μ + γp whose sum of squared distances stays within the largest honest one; bound=min is stricter', () => {
    fc.assert(
      fc.property(rounds, kinds, ({ observed, unseen, f }, kind) => {
        const n = observed.length + unseen + f;
        const H = setOf(observed, unseen, f);
        const [x] = createAttack(`minsum(perturbation=${kind})`).craft(context(observed, f, n));
        const [y] = createAttack(`minsum(perturbation=${kind}, bound=min)`).craft(context(observed, f, n));
        const sumTo = (z: ArrayLike<number>) => H.vectors.reduce((s, g) => s + dist64(z, g) ** 2, 0);
        const limit = Math.max(...H.vectors.map(sumTo));
        const scale = (1 + scaleOf(observed)) ** 2 * H.vectors.length;
        expect(sumTo(x)).toBeLessThanOrEqual(limit + 1e-5 * scale);
        const p = perturbation(H, kind);
        expect(minsumGamma(H, p, 'min')).toBeLessThanOrEqual(minsumGamma(H, p, 'max'));
        expect(sumTo(y)).toBeLessThanOrEqual(Math.min(...H.vectors.map(sumTo)) + 1e-5 * scale);
      }),
    );
  });
});
