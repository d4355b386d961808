import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cc, ccAggregate, createAggregator, type CcAggregator } from '../../src/aggregators/index.ts';
import { byzantineValue, inputs, intVector } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < actual.length; j++) expect(Math.abs(actual[j] - expected[j])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[j])));
}

const X = [v(3, 4), v(0, 0.5), v(0, -0.5)];

describe('cc', () => {
  it('clips each xᵢ − v to radius τ and averages (first centre 0)', () => {
    // (3, 4) has norm 5 > τ = 1 and becomes (0.6, 0.8); the others are inside the ball.
    const r = ccAggregate(X, 1, { tau: 1 });
    expectClose(r.aggregate, [0.6 / 3, 0.8 / 3]);
    expect(r.diagnostics).toEqual({ iterations: 1, clipped: 1 });
  });

  it('runs L iterations, each from the previous one', () => {
    const one = ccAggregate(X, 1, { tau: 1 }).aggregate;
    const two = ccAggregate(X, 1, { tau: 1, centre: one }).aggregate;
    expectClose(ccAggregate(X, 1, { tau: 1, L: 2 }).aggregate, two);
  });

  it('is the mean when τ covers every input', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1, intVector), ({ f, vectors }) => {
        const d = vectors[0].length;
        const mean = Array.from({ length: d }, (_, j) => vectors.reduce((s, x) => s + x[j], 0) / vectors.length);
        expectClose(ccAggregate(vectors, f, { tau: 1e4 }).aggregate, mean, 1e-5);
      }),
    );
  });

  it('keeps its centre across calls, and reset() forgets it', () => {
    const rule = createAggregator('cc(tau=1)') as CcAggregator;
    expect(rule.stateful).toBe(true);
    expect(rule.centre).toBeNull();
    const first = rule.aggregate(X, { f: 1 }).aggregate;
    expect(rule.centre).toEqual(first);
    const second = rule.aggregate(X, { f: 1 }).aggregate;
    expectClose(second, ccAggregate(X, 1, { tau: 1, centre: first }).aggregate);
    expect(second).not.toEqual(first);
    rule.reset();
    expect(rule.centre).toBeNull();
    expect(rule.aggregate(X, { f: 1 }).aggregate).toEqual(first);
  });

  it('starts again from init when the dimension changes', () => {
    const rule = cc.create({ tau: 1 });
    rule.aggregate(X, { f: 1 });
    expect(rule.aggregate([v(2), v(2), v(2)], { f: 1 }).aggregate).toEqual(v(1));
  });

  it('can start from the coordinate-wise median (init=cwmed)', () => {
    const rule = createAggregator('cc(tau=1, init=cwmed)');
    expect(rule.spec).toBe('cc(tau=1, L=1, init=cwmed)');
    // Centre (0, 0.5); clip (3, 3.5), keep (0, 0) and (0, −1): (0.5, 0.5) + mean of steps.
    const s = Math.hypot(3, 3.5);
    expectClose(rule.aggregate(X, { f: 1 }).aggregate, [(3 / s) / 3, 0.5 + (3.5 / s - 1) / 3]);
  });

  it('moves at most f·τ/n per iteration because of the Byzantine inputs, and stays finite', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, intVector),
        fc.array(byzantineValue, { minLength: 16, maxLength: 16 }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        ({ f, vectors }, byz, tau) => {
          const d = vectors[0].length;
          const n = vectors.length;
          const bad = vectors.map((x, i) => (i < f ? Float32Array.from(byz.slice(0, d)) : x));
          const good = vectors.map((x, i) => (i < f ? vectors[f] : x));
          const a = ccAggregate(bad, f, { tau }).aggregate;
          const b = ccAggregate(good, f, { tau }).aggregate;
          expect(a.every(Number.isFinite)).toBe(true);
          const gap = Math.hypot(...a.map((t, j) => t - b[j]));
          expect(gap).toBeLessThanOrEqual((2 * f * tau) / n + 1e-3 * (1 + tau));
        },
      ),
    );
  });

  it('rejects empty, ragged, a mismatched centre and (n, f) outside n ≥ 2f + 1', () => {
    expect(() => ccAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => ccAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => ccAggregate([v(1), v(2)], 1)).toThrow('cc requires n ≥ 2f + 1 (got n=2, f=1)');
    expect(() => ccAggregate(X, 1, { centre: v(1) })).toThrow(/centre has dimension 1/);
    expect(() => createAggregator('cc').aggregate([v(1), v(2)], { f: 1 })).toThrow(/cc requires/);
    expect(() => createAggregator('cc(init=mean)')).toThrow(/must be one of zero, cwmed/);
  });
});
