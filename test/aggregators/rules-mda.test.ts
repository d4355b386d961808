import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAggregator, mdaAggregate } from '../../src/aggregators/index.ts';
import { byzantineValue, inputs, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);

/** Minimum diameter over all subsets of size k, by brute force. */
function bruteDiameter(vectors: readonly Float32Array[], k: number): number {
  const n = vectors.length;
  const d2 = (a: number, b: number) => vectors[a].reduce((s, t, j) => s + (t - vectors[b][j]) ** 2, 0);
  let best = Infinity;
  const pick: number[] = [];
  const walk = (start: number) => {
    if (pick.length === k) {
      let diam = 0;
      for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) diam = Math.max(diam, d2(pick[i], pick[j]));
      best = Math.min(best, diam);
      return;
    }
    for (let i = start; i <= n - (k - pick.length); i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return Math.sqrt(best);
}

describe('mda', () => {
  it('averages the n − f inputs of smallest diameter', () => {
    const r = mdaAggregate([v(0), v(1), v(2), v(100)], 1);
    expect(r.aggregate).toEqual(v(1));
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(r.diagnostics.diameter).toBe(2);
    // Keep 4 of 6: {3, 8, 9, 10} has diameter 7, every other choice at least 8.
    expect(mdaAggregate([v(0), v(1), v(3), v(8), v(9), v(10)], 2).aggregate).toEqual(v(7.5));
  });

  it('finds the minimum diameter (checked against brute force)', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)).filter(({ vectors }) => vectors.length <= 10),
        ({ f, vectors }) => {
          const r = mdaAggregate(vectors, f);
          const selected = r.diagnostics.selected as number[];
          expect(selected.length).toBe(vectors.length - f);
          expect(r.diagnostics.diameter).toBeCloseTo(bruteDiameter(vectors, vectors.length - f), 6);
          expect(bruteDiameter(selected.map((i) => vectors[i]), selected.length)).toBeCloseTo(r.diagnostics.diameter as number, 6);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('breaks ties by the vectors, not their order', () => {
    // {0, 2} and {2, 4} both have diameter 2: the lexicographically first inputs are kept.
    expect(mdaAggregate([v(4), v(2), v(0)], 1).aggregate).toEqual(v(1));
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1).chain((x) => fc.tuple(fc.constant(x), permutation(x.vectors.length))),
        ([{ f, vectors }, perm]) => {
          expect(mdaAggregate(perm.map((i) => vectors[i]), f).aggregate).toEqual(mdaAggregate(vectors, f).aggregate);
        },
      ),
    );
  });

  it('picks exactly the honest inputs when the Byzantine ones are far or non-finite', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)),
        fc.array(byzantineValue, { minLength: 16, maxLength: 16 }),
        ({ f, vectors }, byz) => {
          const d = vectors[0].length;
          // Honest coordinates are in [−100, 100]; a Byzantine input is ≥ 1e4 away from all of them.
          const bad = (i: number) => Float32Array.from(byz.slice(0, d), (t, j) => (j === 0 ? (i % 2 ? 1e4 * (i + 1) : NaN) : t));
          const all = vectors.map((x, i) => (i < f ? bad(i) : x));
          const r = mdaAggregate(all, f);
          expect(r.diagnostics.selected).toEqual(all.map((_, i) => i).filter((i) => i >= f));
          expect(r.aggregate.every(Number.isFinite)).toBe(true);
        },
      ),
    );
  });

  it('searches a few hundred nodes, not the C(n, n − f) subsets, for n = 17, f = 4 and n = 30, f = 14 or 9', () => {
    // A deterministic work bound (search nodes, as counted against maxSubsets); bench:agg times mda.
    let seed = 1;
    const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const [n, f, subsets] of [
      [17, 4, 2380],
      [30, 14, 145422675],
      [30, 9, 14307150],
    ]) {
      const vectors = Array.from({ length: n }, () => Float32Array.from({ length: 64 }, next));
      const r = mdaAggregate(vectors, f, { maxSubsets: 1000 });
      expect(r.diagnostics.selected).toHaveLength(n - f);
      expect(r.diagnostics.searched, `n=${n} f=${f}: nodes out of C(n, n − f) = ${subsets}`).toBeLessThanOrEqual(1000);
    }
  });

  it('gives up past maxSubsets, naming C(n, n − f)', () => {
    const vectors = [0, 1, 2, 3, 4, 50, 60].map((t) => v(t, -t));
    expect(() => mdaAggregate(vectors, 3, { maxSubsets: 2 })).toThrow(
      'mda: exact search passed maxSubsets=2 candidate subsets (out of C(7, 4) = 35); raise maxSubsets or lower f',
    );
    expect(() => createAggregator('mda(maxSubsets=0)')).toThrow(/parameter 'maxSubsets' of mda/);
  });

  it('rejects empty, ragged and (n, f) outside n ≥ 2f + 1', () => {
    expect(() => mdaAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => mdaAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => mdaAggregate([v(1), v(2), v(3), v(4)], 2)).toThrow('mda requires n ≥ 2f + 1 (got n=4, f=2)');
  });

  it('is registered', () => {
    const rule = createAggregator('mda');
    expect(rule.spec).toBe('mda(maxSubsets=1000000)');
    expect(rule.aggregate([v(5)], { f: 0 }).aggregate).toEqual(v(5));
  });
});
