import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nnm, nnmApply } from '../../src/preaggregators/nnm.ts';
import { intVector, permutation } from '../aggregators/arbitraries.ts';

const sq = (a: Float32Array, b: Float32Array) => a.reduce((s, x, j) => s + (x - b[j]) ** 2, 0);

const inputs = fc
  .record({ n: fc.integer({ min: 1, max: 14 }), d: fc.integer({ min: 1, max: 6 }) })
  .chain(({ n, d }) =>
    fc.record({ f: fc.integer({ min: 0, max: n - 1 }), vectors: fc.array(intVector(d), { minLength: n, maxLength: n }) }),
  );

describe('nnm', () => {
  it('replaces each input by the mean of its n − f nearest neighbours, itself included', () => {
    fc.assert(
      fc.property(inputs, ({ f, vectors }) => {
        const n = vectors.length;
        const out = nnmApply(vectors, f);
        expect(out.vectors).toHaveLength(n);
        out.sources.forEach((nb, i) => {
          expect(nb).toHaveLength(n - f);
          expect(nb).toContain(i);
          const radius = Math.max(...nb.map((j) => sq(vectors[i], vectors[j])));
          for (let j = 0; j < n; j++) if (!nb.includes(j)) expect(sq(vectors[i], vectors[j])).toBeGreaterThanOrEqual(radius);
          for (let k = 0; k < vectors[i].length; k++) {
            const m = nb.reduce((a, j) => a + vectors[j][k], 0) / nb.length;
            expect(out.vectors[i][k]).toBeCloseTo(m, 3);
          }
        });
      }),
      { seed: 2023, numRuns: 300 },
    );
  });

  it('does not depend on input order (rows move with their inputs)', () => {
    fc.assert(
      fc.property(
        inputs.chain((x) => fc.record({ x: fc.constant(x), perm: permutation(x.vectors.length) })),
        ({ x: { f, vectors }, perm }) => {
          const a = nnmApply(vectors, f).vectors;
          const b = nnmApply(perm.map((i) => vectors[i]), f).vectors;
          perm.forEach((i, k) => expect(Array.from(b[k])).toEqual(Array.from(a[i])));
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('keeps up to f non-finite inputs out of every finite row; their own rows pass them on', () => {
    const xs = [Float32Array.of(0, 0), Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(NaN, 0), Float32Array.of(Infinity, 1)];
    const out = nnmApply(xs, 2);
    expect(out.vectors.slice(0, 3).every((v) => v.every(Number.isFinite))).toBe(true);
    expect(out.sources.slice(0, 3).every((nb) => nb.every((j) => j < 3))).toBe(true);
    expect(Array.from(out.vectors[3])).toEqual([NaN, 0]);
    expect(Array.from(out.vectors[4])).toEqual([Infinity, 1]);
    expect(out.sources.slice(3)).toEqual([[3], [4]]);
    expect(out.diagnostics.nonFinite).toEqual([3, 4]);
  });

  it('has n′ = n, f′ = f and needs n ≥ f + 1', () => {
    const p = nnm.create({});
    expect(p.transform(7, 3)).toEqual({ n: 7, f: 3, bound: 'worst-case' });
    expect(p.requirement.check(3, 3)).toBe(false);
    expect(() => nnmApply([Float32Array.of(1)], 1)).toThrow(/nnm requires n ≥ f \+ 1/);
  });
});
