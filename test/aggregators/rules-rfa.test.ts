import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rfa } from '../../src/aggregators/rfa.ts';
import { declarationFor } from '../../src/invariants/catalog.ts';
import { invariants, type RuleUnderTest } from '../../src/invariants/properties.ts';
import { createRng } from '../../src/sim/rng.ts';

const v = (...c: number[]) => Float32Array.from(c);

/**
 * The authors' loop (smoothed_weiszfeld in codes/aggregator/rfa.py of the resampling paper's
 * code, with RFA's αᵢ = 1/n and z = 0), transcribed in float64: betas, then z = Σ w·β / Σ β.
 */
function authorsRfa(inputs: readonly Float32Array[], T: number, nu: number): Float64Array {
  const alphas = inputs.map(() => 1 / inputs.length);
  let z = new Float64Array(inputs[0].length);
  for (let t = 0; t < T; t++) {
    const betas = inputs.map((w, k) => alphas[k] / Math.max(Math.hypot(...Array.from(w, (x, j) => z[j] - x)), nu));
    const next = new Float64Array(z.length);
    inputs.forEach((w, k) => w.forEach((x, j) => (next[j] += x * betas[k])));
    const total = betas.reduce((a, b) => a + b, 0);
    z = next.map((x) => x / total);
  }
  return z;
}

describe('rfa (RFA as the resampling paper runs it)', () => {
  it('defaults to the authors’ RFA-T8 with ν = 0.1', () => {
    expect(rfa.create({}).spec).toBe('rfa(T=8, nu=0.1)');
  });

  it('T = 1 is the weighted mean Σ xᵢ/‖xᵢ‖ / Σ 1/‖xᵢ‖ (by hand)', () => {
    // Norms 5, 2, 1: Σβx = (3/5 − 1, 4/5 + 1) = (−0.4, 1.8), Σβ = 1.7.
    const out = rfa.create({ T: 1 }).aggregate([v(3, 4), v(0, 2), v(-1, 0)], { f: 1 });
    expect(out.aggregate).toEqual(Float32Array.of(-4 / 17, 18 / 17));
    expect(out.diagnostics.iterations).toBe(1);
  });

  it('floors distances at ν, absolutely (by hand)', () => {
    // ‖(1/16, 0)‖ < ν = 0.1 counts as 0.1: β = (10, 1/2, 1/4), Σβx = (10/16 + 1, 1), Σβ = 10.75.
    const xs = [v(0.0625, 0), v(2, 0), v(0, 4)];
    expect(rfa.create({ T: 1 }).aggregate(xs, { f: 1 }).aggregate).toEqual(Float32Array.of(1.625 / 10.75, 1 / 10.75));
    // ν = 0.01 leaves it at its own norm: β = (16, 1/2, 1/4).
    expect(rfa.create({ T: 1, nu: 0.01 }).aggregate(xs, { f: 1 }).aggregate).toEqual(Float32Array.of(2 / 16.75, 1 / 16.75));
  });

  /*
   * Tolerance: both sides compute the same float64 point in a different order (rfa sums
   * βᵢ(xᵢ − z) in blocks), about 1e-16 apart relative to the inputs' magnitude M per step, and
   * rfa rounds once to float32: |rfa − ref| ≤ 2⁻²⁴·|ref| + 1e-12·M.
   */
  it('equals the authors’ loop, transcribed in float64, on random inputs (T = 1, 3, 8, 20)', () => {
    const arb = fc
      .integer({ min: 3, max: 25 })
      .chain((n) =>
        fc.tuple(fc.constant(n), fc.integer({ min: 0, max: (n - 1) >> 1 }), fc.integer({ min: 1, max: 12 }), fc.integer(), fc.constantFrom(0.01, 1, 100, 1e4)),
      );
    fc.assert(
      fc.property(arb, ([n, f, d, seed, far]) => {
        const rng = createRng(seed, 'rfa-test');
        // Honest inputs of scale 1 (some within ν of the iterate), f outliers at `far`.
        const xs = Array.from({ length: n }, (_, i) => Float32Array.from({ length: d }, () => (i < f ? far : 0) + rng.normal()));
        const M = Math.max(...xs.flatMap((x) => Array.from(x, Math.abs)));
        for (const T of [1, 3, 8, 20]) {
          const ref = authorsRfa(xs, T, 0.1);
          const got = rfa.create({ T }).aggregate(xs, { f });
          expect(got.diagnostics.iterations).toBe(T);
          got.aggregate.forEach((g, j) => expect(Math.abs(g - ref[j])).toBeLessThanOrEqual(2 ** -24 * Math.abs(ref[j]) + 1e-12 * M));
        }
      }),
      { seed: 20200617, numRuns: 200 },
    );
  });

  it('takes exactly T steps: no stopping rule, even once the iterate has settled', () => {
    const rng = createRng(4, 'rfa-test');
    const xs = Array.from({ length: 9 }, (_, i) => Float32Array.from({ length: 4 }, () => (i < 2 ? 30 : 0) + rng.normal()));
    for (const T of [1, 2, 8, 9, 500]) expect(rfa.create({ T }).aggregate(xs, { f: 2 }).diagnostics.iterations).toBe(T);
    // Step 9 still moves the point: T = 8 is not a converged median.
    const at8 = rfa.create({ T: 8 }).aggregate(xs, { f: 2 }).aggregate;
    const at9 = rfa.create({ T: 9 }).aggregate(xs, { f: 2 }).aggregate;
    expect(at9).not.toEqual(at8);
    const ref = authorsRfa(xs, 9, 0.1);
    const M = Math.max(...xs.flatMap((x) => Array.from(x, Math.abs)));
    at9.forEach((g, j) => expect(Math.abs(g - ref[j])).toBeLessThanOrEqual(2 ** -24 * Math.abs(ref[j]) + 1e-12 * M));
  });

  it('gives a non-finite input weight 0: the output is the authors’ loop over the finite inputs', () => {
    const xs = [v(1, 2), v(NaN, 0), v(3, -1), v(0, 0.5), v(Infinity, 1)];
    const got = rfa.create({}).aggregate(xs, { f: 2 }).aggregate;
    const ref = authorsRfa([xs[0], xs[2], xs[3]], 8, 0.1);
    got.forEach((g, j) => expect(Math.abs(g - ref[j])).toBeLessThanOrEqual(2 ** -24 * Math.abs(ref[j]) + 1e-12 * 3));
  });

  it('rejects empty and ragged input', () => {
    expect(() => rfa.create({}).aggregate([], { f: 0 })).toThrow('rfa: no input vectors');
    expect(() => rfa.create({}).aggregate([v(1, 2), v(1, 2), v(1)], { f: 0 })).toThrow('rfa: ragged input');
  });

  it('states its requirement and validates its parameters', () => {
    expect(() => rfa.create({}).aggregate([v(1), v(2), v(3), v(4)], { f: 2 })).toThrow(/rfa requires n ≥ 2f \+ 1/);
    expect(() => rfa.create({ T: 0 })).toThrow(/parameter 'T' of rfa/);
    expect(() => rfa.create({ T: 1.5 })).toThrow(/integer/);
    expect(() => rfa.create({ nu: 0 })).toThrow(/parameter 'nu' of rfa/);
  });

  describe('the invariants its catalog entry declares (checked here until it is registered)', () => {
    const declared = declarationFor('rfa');
    const sample = rfa.create({});
    const rule: RuleUnderTest = {
      label: 'rfa',
      make: () => rfa.create({}),
      requirement: sample.requirement,
      randomized: false,
      approximate: declared?.approximate ?? false,
    };
    it('is declared', () => expect(declared?.invariants).toEqual(['permutation-invariance', 'identity', 'finite-output']));
    for (const name of declared?.invariants ?? []) {
      it(name, () => fc.assert(invariants[name].property(rule, { maxN: 30, maxD: 16 }), { numRuns: 200, seed: 20230425 }));
    }
  });
});
