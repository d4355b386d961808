import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAggregator, nmAggregate } from '../../src/aggregators/index.ts';
import { byzantineValue, inputs, intVector } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < actual.length; j++) expect(Math.abs(actual[j] - expected[j])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[j])));
}

describe('nm', () => {
  it('weights each input by 1/‖xᵢ‖ (one Weiszfeld step from 0)', () => {
    // Norms 5, 1, 2: Σ xᵢ/‖xᵢ‖ = (0.6, 0.8) + (0, 1) + (0, −1) = (0.6, 0.8), Σ 1/‖xᵢ‖ = 1.7.
    const r = nmAggregate([v(3, 4), v(0, 1), v(0, -2)], 1);
    expectClose(r.aggregate, [0.6 / 1.7, 0.8 / 1.7]);
  });

  it('has the direction of the sum of unit vectors', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1), ({ f, vectors }) => {
        const nonzero = vectors.filter((x) => x.some((t) => t !== 0));
        fc.pre(nonzero.length >= 2 * f + 1);
        const d = nonzero[0].length;
        const units = new Float64Array(d);
        for (const x of nonzero) {
          const norm = Math.hypot(...x);
          for (let j = 0; j < d; j++) units[j] += x[j] / norm;
        }
        const out = nmAggregate(nonzero, f).aggregate;
        // out = units / Σ βᵢ, so out ∥ units with a positive factor.
        const factor = nonzero.reduce((s, x) => s + 1 / Math.hypot(...x), 0);
        expectClose(out, Array.from(units, (t) => t / factor), 1e-5);
      }),
    );
  });

  it('is positively homogeneous: nm(c·x) = c·nm(x) for c > 0', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1, intVector), fc.integer({ min: 1, max: 64 }), ({ f, vectors }, c) => {
        fc.pre(vectors.every((x) => x.some((t) => t !== 0)));
        const a = nmAggregate(vectors, f).aggregate.map((t) => t * c);
        expectClose(nmAggregate(vectors.map((x) => x.map((t) => t * c)), f).aggregate, a, 1e-5);
      }),
    );
  });

  it('gives an input with a non-finite coordinate weight 0, so the output stays finite', () => {
    expectClose(nmAggregate([v(NaN, 1), v(0, 2), v(0, 4)], 1).aggregate, [0, 8 / 3]);
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1), fc.array(byzantineValue, { minLength: 16, maxLength: 16 }), ({ f, vectors }, byz) => {
        const d = vectors[0].length;
        const all = vectors.map((x, i) => (i < f ? Float32Array.from(byz.slice(0, d)) : x));
        expect(nmAggregate(all, f).aggregate.every(Number.isFinite)).toBe(true);
      }),
    );
  });

  it('lets ν bound the weight of a zero input, relative to the median norm', () => {
    // Norms 0, 1, 1: s = 1, so ν = 1 floors the zero input's norm at 1.
    expectClose(nmAggregate([v(0, 0), v(1, 0), v(0, 1)], 1, { nu: 1 }).aggregate, [1 / 3, 1 / 3]);
    // The same inputs scaled by 1e-9: the same output, scaled (an absolute ν would not do this).
    expectClose(nmAggregate([v(0, 0), v(1e-9, 0), v(0, 1e-9)], 1, { nu: 1 }).aggregate, [1e-9 / 3, 1e-9 / 3]);
  });

  it('is exactly scale-equivariant with a zero input, and returns 0 when half the inputs are 0', () => {
    const xs = [v(0, 0), v(3, 4), v(0, 1), v(0, -2), v(1, 1)];
    const a = nmAggregate(xs, 1).aggregate;
    for (const c of [2 ** -20, 2 ** 20]) {
      expectClose(nmAggregate(xs.map((x) => x.map((t) => t * c)), 1).aggregate, Array.from(a, (t) => t * c), 1e-6);
    }
    expect(nmAggregate([v(0, 0), v(0, 0), v(5, 1)], 1).aggregate).toEqual(v(0, 0));
    expect(nmAggregate([v(0, 0), v(0, 0), v(1e-30, 1e-30), v(1, 1)], 1).aggregate).toEqual(v(0, 0));
  });

  it('rejects empty, ragged, bad ν and (n, f) outside n ≥ 2f + 1', () => {
    expect(() => nmAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => nmAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => nmAggregate([v(1), v(2)], 1)).toThrow('nm requires n ≥ 2f + 1 (got n=2, f=1)');
    expect(() => createAggregator('nm(nu=0)')).toThrow(/parameter 'nu' of nm/);
  });

  it('is registered', () => {
    const rule = createAggregator('nm(nu=0.5)');
    expect(rule.spec).toBe('nm(nu=0.5)');
    expect(rule.requirement.text).toBe('n ≥ 2f + 1');
  });
});
