import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { monna, monnaAggregate } from '../../src/aggregators/monna.ts';
import { byzantineValue, inputs, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const run = (vectors: Float32Array[], f: number, pivot = 0, senders?: number[]) =>
  monna.create({ pivot }).aggregate(vectors, { f, ...(senders ? { senders } : {}) });
const squared = (a: Float32Array, b: Float32Array) => a.reduce((s, t, j) => s + (t - b[j]) ** 2, 0);

interface PeerCase {
  f: number;
  pivot: number;
  honest: number[];
  inputs: number[][];
  output: number[];
}

describe('monna', () => {
  it("matches ByzFL's own examples", () => {
    // MoNNA(1, 1) on the 3×3 example, [2.5, 3.5, 4.5]: the docstring of MoNNA in LPD-EPFL/byzfl
    // byzfl/aggregators/aggregators.py@b0a46f72, and TestMoNNAAggregation in tests/unit_test_aggregators.py
    // (read in the fork bend0u/ByzFL_SNN@5cb4ba20; LPD-EPFL/byzfl's tests/ in the source index has no aggregator tests).
    // [1, 2, 3] and [7, 8, 9] are equally far from the pivot [4, 5, 6]: the lexicographic tie-break keeps [1, 2, 3], as ByzFL does.
    const x = [v(1, 2, 3), v(4, 5, 6), v(7, 8, 9)];
    expect(run(x, 1, 1).aggregate).toEqual(v(2.5, 3.5, 4.5));
    expect(run(x, 1, 1, [0, 1, 2]).aggregate).toEqual(v(2.5, 3.5, 4.5));
  });

  it('finds the pivot by its sender, and by position without senders', () => {
    // Worker 0 sent 10 (position 1): its three nearest are 10, 11 and 2.
    const x = [v(0), v(10), v(1), v(2), v(11)];
    const r = run(x, 2, 0, [4, 0, 3, 2, 1]);
    expect(r.aggregate).toEqual(v(Math.fround(23 / 3)));
    expect(r.diagnostics.selected).toEqual([1, 3, 4]);
    // Without senders the pivot is position 0, the input 0: its nearest are 0, 1, 2.
    expect(run(x, 2).aggregate).toEqual(v(1));
    expect(run(x, 2).diagnostics.selected).toEqual([0, 2, 3]);
  });

  it('names an absent pivot', () => {
    expect(() => run([v(1), v(2), v(3)], 1, 0, [1, 2, 3])).toThrow('monna: the pivot, worker 0, sent no input (inputs from workers 1, 2, 3)');
    expect(() => run([v(1), v(2), v(3)], 1, 5)).toThrow('monna: the pivot, input 5, is absent (n=3; without senders the pivot is a position)');
    expect(() => run([v(1), v(2), v(3)], 1, 0, [0, 1])).toThrow('monna: senders names 2 workers for 3 inputs');
  });

  it('breaks ties at the (n − f)-th distance by the vectors, whatever their order', () => {
    // −1 and 1 are both at distance 1 from the pivot 0: −1 comes first.
    expect(run([v(0), v(1), v(-1)], 1).aggregate).toEqual(v(-0.5));
    expect(run([v(0), v(-1), v(1)], 1).aggregate).toEqual(v(-0.5));
  });

  it('is f = 0 the mean, and the pivot alone when n − f = 1', () => {
    expect(run([v(1, 2), v(3, 6), v(5, 1)], 0).aggregate).toEqual(v(3, 3));
    expect(run([v(7, -2)], 0).aggregate).toEqual(v(7, -2));
  });

  it('does not depend on the order inputs arrive in when the senders come with them', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1).chain((x) =>
          fc.tuple(fc.constant(x), permutation(x.vectors.length), fc.integer({ min: 0, max: x.vectors.length - 1 })),
        ),
        ([{ f, vectors }, perm, pivot]) => {
          const senders = vectors.map((_, i) => i);
          const a = run(vectors, f, pivot, senders);
          const b = run(perm.map((i) => vectors[i]), f, pivot, perm);
          expect(b.aggregate).toEqual(a.aggregate);
          // The same inputs kept, up to swapping equal copies.
          const kept = (r: typeof a, xs: Float32Array[]) => r.diagnostics.selected!.map((k) => xs[k].join()).sort();
          expect(kept(b, perm.map((i) => vectors[i]))).toEqual(kept(a, vectors));
        },
      ),
    );
  });

  it('averages the pivot and the n − f − 1 inputs nearest it', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1).chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.vectors.length - 1 }))),
        ([{ f, vectors }, pivot]) => {
          const n = vectors.length;
          const r = run(vectors, f, pivot);
          const kept = r.diagnostics.selected!;
          expect(kept).toHaveLength(n - f);
          expect(kept).toContain(pivot);
          const out = vectors.filter((_, i) => !kept.includes(i));
          const farthestKept = Math.max(...kept.map((i) => squared(vectors[i], vectors[pivot])));
          for (const x of out) expect(squared(x, vectors[pivot])).toBeGreaterThanOrEqual(farthestKept);
          // Integer inputs: the float64 mean is exact up to the division, and the output is its float32 rounding.
          const mean = vectors[0].map((_, j) => kept.reduce((s, i) => s + vectors[i][j], 0) / kept.length);
          expect(r.aggregate).toEqual(Float32Array.from(mean));
        },
      ),
    );
  });

  it('keeps exactly the honest inputs around an honest pivot when the Byzantine ones are far or non-finite', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)),
        fc.array(byzantineValue, { minLength: 16, maxLength: 16 }),
        fc.nat(),
        ({ f, vectors }, byz, at) => {
          const n = vectors.length;
          const d = vectors[0].length;
          // Honest coordinates are in [−100, 100]; a Byzantine input is ≥ 1e4 away from all of them.
          const bad = (i: number) => Float32Array.from(byz.slice(0, d), (t, j) => (j === 0 ? (i % 2 ? 1e4 * (i + 1) : NaN) : t));
          const all = vectors.map((x, i) => (i < f ? bad(i) : x));
          const pivot = f + (at % (n - f));
          const r = run(all, f, pivot);
          expect(r.diagnostics.selected).toEqual(all.map((_, i) => i).filter((i) => i >= f));
          for (let j = 0; j < d; j++) {
            const column = vectors.slice(f).map((x) => x[j]);
            expect(r.aggregate[j]).toBeGreaterThanOrEqual(Math.min(...column));
            expect(r.aggregate[j]).toBeLessThanOrEqual(Math.max(...column));
          }
        },
      ),
    );
  });

  it("agrees with the transcription of ByzFL's MoNNA (test/fixtures/peers/byzfl_rules.py)", () => {
    const { monna: cases } = JSON.parse(readFileSync(new URL('../fixtures/peers/byzfl-rules.json', import.meta.url), 'utf8')) as {
      monna: PeerCase[];
    };
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const c of cases) {
      const r = run(c.inputs.map((x) => Float32Array.from(x)), c.f, c.pivot);
      // Both sides average the same float32 inputs (the fixture keeps a margin at the (n − f)-th distance,
      // so the same ones): float64 sums that differ only in order, then byzsim's float32 rounding,
      // at most 2⁻²⁴·M. 2⁻²³·M leaves room for the summation order, M the honest magnitude.
      const M = Math.max(...c.honest.flatMap((i) => c.inputs[i].map(Math.abs)), ...c.output.map(Math.abs));
      c.output.forEach((want, j) => expect(Math.abs(r.aggregate[j] - want)).toBeLessThanOrEqual(2 ** -23 * M));
    }
  });

  it('validates its inputs and is a rule with a pivot parameter', () => {
    expect(() => monnaAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => monnaAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => monnaAggregate([v(1), v(2), v(3), v(4)], 2)).toThrow('monna requires n ≥ 2f + 1 (got n=4, f=2)');
    expect(() => monna.create({ pivot: -1 })).toThrow(/parameter 'pivot' of monna/);
    expect(() => monna.create({ pivot: 0.5 })).toThrow(/parameter 'pivot' of monna/);
    expect(monna.create().spec).toBe('monna(pivot=0)');
    expect(monna.create({ pivot: 3 }).spec).toBe('monna(pivot=3)');
    expect(monna.requirement().text).toBe('n ≥ 2f + 1');
  });
});
