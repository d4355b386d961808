import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { alieVector, alieZmax, attacks, createAttack, inverseNormalCdf } from '../../src/attacks/index.ts';
import type { AttackContext } from '../../src/attacks/types.ts';
import { createRng } from '../../src/sim/rng.ts';

const v = (...x: number[]) => Float32Array.from(x);

function context(observed: Float32Array[], f: number, n: number, seed = 1): AttackContext {
  const d = observed[0]?.length ?? 3;
  return { observed, theta: new Float32Array(d), n, f, round: 1, rng: createRng(seed, 'adversary') };
}

describe('inverseNormalCdf', () => {
  it('matches known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 12);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959963985, 7);
    expect(inverseNormalCdf(0.96)).toBeCloseTo(1.750686071, 7);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326347874, 7);
    expect(inverseNormalCdf(1 - 1e-6)).toBeCloseTo(4.753424309, 6);
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1)).toBe(Infinity);
  });
  it('is odd around 1/2', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 0.5, noNaN: true }), (p) => {
        expect(inverseNormalCdf(1 - p)).toBeCloseTo(-inverseNormalCdf(p), 6);
      }),
    );
  });
});

describe('alie', () => {
  it('uses the paper’s z_max: n = 50, f = 24 gives s = 2 and z = Φ⁻¹(0.96)', () => {
    expect(alieZmax(50, 24)).toBeCloseTo(1.7507, 4);
    // n = 10, f = 2: s = 6 − 2 = 4, z = Φ⁻¹(0.6) ≈ 0.2533.
    expect(alieZmax(10, 2)).toBeCloseTo(0.253347, 5);
  });
  it('clamps s to 1 when the Byzantine workers are a majority', () => {
    expect(Number.isFinite(alieZmax(10, 8))).toBe(true);
    expect(alieZmax(10, 8)).toBeCloseTo(inverseNormalCdf(0.9), 12);
  });
  it('sends μ − z·σ with the unbiased σ', () => {
    // Coordinate 0: μ = 2, σ = 1; coordinate 1: μ = 0, σ = 2.
    expect(alieVector([v(1, -2), v(2, 0), v(3, 2)], 1.5)).toEqual(v(0.5, -3));
    const [x] = createAttack('alie(z=1.5)').craft(context([v(1, -2), v(2, 0), v(3, 2)], 1, 5));
    expect(x).toEqual(v(0.5, -3));
  });
  it('defaults to z_max(n, f)', () => {
    const [x] = createAttack('alie').craft(context([v(1), v(3)], 2, 10));
    const sigma = Math.SQRT2;
    expect(x[0]).toBeCloseTo(2 - alieZmax(10, 2) * sigma, 5);
  });
});

describe('signflip and ipm', () => {
  const observed = [v(1, 2, 3), v(3, 2, 1)];
  it('signflip sends −scale × the observed mean', () => {
    expect(createAttack('signflip').craft(context(observed, 2, 5))).toEqual([v(-2, -2, -2), v(-2, -2, -2)]);
    expect(createAttack('signflip(scale=3)').craft(context(observed, 1, 5))).toEqual([v(-6, -6, -6)]);
  });
  it('ipm sends −ε × the observed mean', () => {
    expect(createAttack('ipm(eps=0.5)').craft(context(observed, 1, 5))).toEqual([v(-1, -1, -1)]);
    expect(createAttack('ipm').craft(context(observed, 1, 5))[0][0]).toBeCloseTo(-0.2, 6);
  });
  it('returns distinct arrays so one worker’s vector can be changed alone', () => {
    const [a, b] = createAttack('signflip').craft(context(observed, 2, 5));
    expect(a).not.toBe(b);
  });
});

describe('gaussian', () => {
  it('draws N(0, σ²) coordinates from the adversary stream only', () => {
    const xs = createAttack('gaussian(sigma=2)').craft(context([], 4, 10));
    const all = xs.flatMap((x) => Array.from(x));
    expect(new Set(all).size).toBe(all.length);
    expect(createAttack('gaussian(sigma=2)').craft(context([], 4, 10, 2))).not.toEqual(xs);
    const big = createAttack('gaussian(sigma=2)').craft({ ...context([], 1, 10), theta: new Float32Array(20_000) })[0];
    const m = big.reduce((s, x) => s + x, 0) / big.length;
    const sd = Math.sqrt(big.reduce((s, x) => s + (x - m) ** 2, 0) / big.length);
    expect(Math.abs(m)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});

describe.each(attacks.names())('%s', (name) => {
  const attack = createAttack(name);
  const scenario = fc
    .record({ f: fc.integer({ min: 0, max: 6 }), k: fc.integer({ min: 0, max: 6 }), d: fc.integer({ min: 1, max: 16 }), seed: fc.nat() })
    .chain(({ f, k, d, seed }) =>
      fc.record({
        f: fc.constant(f),
        seed: fc.constant(seed),
        d: fc.constant(d),
        observed: fc.array(
          fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d }).map((a) => Float32Array.from(a)),
          { minLength: k, maxLength: k },
        ),
      }),
    );
  const ctx = (s: { f: number; seed: number; d: number; observed: Float32Array[] }): AttackContext => ({
    observed: s.observed,
    theta: new Float32Array(s.d),
    n: 2 * s.f + s.observed.length + 1,
    f: s.f,
    round: 3,
    rng: createRng(s.seed, 'adversary'),
  });

  it('returns exactly f finite vectors of the model dimension, deterministically per seed', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const out = attack.craft(ctx(s));
        expect(out).toHaveLength(s.f);
        for (const x of out) {
          expect(x).toBeInstanceOf(Float32Array);
          expect(x).toHaveLength(s.d);
          expect(x.every(Number.isFinite)).toBe(true);
        }
        expect(attack.craft(ctx(s))).toEqual(out);
      }),
    );
  });

  if (attack.needsObservation) {
    it('sends zero vectors when it needs observations and has none', () => {
      expect(attack.craft(context([], 2, 7))).toEqual([new Float32Array(3), new Float32Array(3)]);
    });
  } else {
    it('is blind: what it would observe does not change what it sends', () => {
      const observed = [v(1, -2, 3), v(40, 5, -6)];
      expect(attack.craft(context(observed, 2, 7))).toEqual(attack.craft(context([], 2, 7)));
    });
  }
});

it('gaussian needs no observation; the others do', () => {
  expect(Object.fromEntries(attacks.list().map((a) => [a.name, a.needsObservation]))).toEqual({
    signflip: true,
    alie: true,
    ipm: true,
    gaussian: false,
  });
});
