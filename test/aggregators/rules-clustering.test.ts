import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { agglomerate, clustering, clusteringAggregate, cosineDistances, lexRanks, type Linkage } from '../../src/aggregators/clustering.ts';
import { byzantineValue, inputs, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);

interface ClusteringCase {
  f: number;
  inputs: number[][];
  complete: { selected: number[]; output: number[] };
  average: { selected: number[]; output: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/peers/clustering-foolsgold.json', import.meta.url), 'utf8')) as {
  clustering: ClusteringCase[];
};

const LINKAGES: Linkage[] = ['average', 'complete', 'single'];

/** A unit-ish direction and vectors within a given angle of it (or of its opposite), any norm. */
const direction = (d: number) =>
  fc
    .array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d })
    .filter((u) => Math.hypot(...u) > 0.5)
    .map((u) => u.map((t) => t / Math.hypot(...u)));
const near = (u: number[], radius: number, norms: fc.Arbitrary<number>) =>
  fc
    .tuple(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: u.length, maxLength: u.length }), norms)
    .map(([p, a]) => {
      const s = Math.hypot(...p) || 1;
      return Float32Array.from(u, (t, j) => a * (t + (radius * p[j]) / s));
    });

describe('clustering', () => {
  it('keeps the inputs that point the majority way and averages them', () => {
    // Three inputs near +y (one of them long), two pointing down: the downward pair is the smaller cluster.
    const X = [v(0, 1), v(0.6, 0.8), v(0, 20), v(0.1, -3), v(-0.1, -5)];
    const r = clusteringAggregate(X, 2);
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(Array.from(r.aggregate)).toEqual(Array.from(v(0.6 / 3, 21.8 / 3)));
  });

  it('merges by average, complete or single linkage (Lance–Williams)', () => {
    // Points on a line, distances |a − b|: every linkage splits {0, 1, 3} from {7.5, 8}.
    const pts = [0, 1, 3, 7.5, 8];
    const n = pts.length;
    const D = Float64Array.from({ length: n * n }, (_, k) => Math.abs(pts[Math.floor(k / n)] - pts[k % n]));
    const rank = [0, 1, 2, 3, 4];
    for (const linkage of LINKAGES) expect(agglomerate(D, n, 2, linkage, rank)).toEqual([[0, 1, 2], [3, 4]]);
    // Three clusters: the two closest pairs have merged.
    for (const linkage of LINKAGES) expect(agglomerate(D, n, 3, linkage, rank)).toEqual([[0, 1], [2], [3, 4]]);
    // A chain of unit gaps and one gap of 1.5: single linkage cuts at the wide gap (it chains);
    // complete linkage, which keeps the diameter small, cuts {0, 1, 2, 3} from {4, 5.5}.
    const chain = [0, 1, 2, 3, 4, 5.5];
    const m = chain.length;
    const C = Float64Array.from({ length: m * m }, (_, k) => Math.abs(chain[Math.floor(k / m)] - chain[k % m]));
    const r6 = [0, 1, 2, 3, 4, 5];
    expect(agglomerate(C, m, 2, 'single', r6)).toEqual([[0, 1, 2, 3, 4], [5]]);
    expect(agglomerate(C, m, 2, 'complete', r6)).toEqual([[0, 1, 2, 3], [4, 5]]);
  });

  it('breaks ties by the lexicographic order of the vectors, not by position', () => {
    // Two inputs, each its own cluster: the lexicographically smaller, (0, 1), is kept.
    expect(Array.from(clusteringAggregate([v(1, 0), v(0, 1)], 0).aggregate)).toEqual([0, 1]);
    expect(Array.from(clusteringAggregate([v(0, 1), v(1, 0)], 0).aggregate)).toEqual([0, 1]);
    // Two clusters of two: the one holding (−1, 0.1), the lexicographically smallest input.
    const X = [v(1, 0), v(1, 0.1), v(-1, 0.1), v(-1, 0)];
    expect(clusteringAggregate(X, 1).diagnostics.selected).toEqual([2, 3]);
    expect(clusteringAggregate([X[3], X[0], X[2], X[1]], 1).diagnostics.selected).toEqual([0, 2]);
    expect(lexRanks([v(2), v(-1), v(2), v(0)])).toEqual([2, 0, 3, 1]);
    // Equal inputs are exactly 0 apart whatever their values.
    expect(cosineDistances([v(0.1, 0.7, -0.3), v(0.1, 0.7, -0.3)])[1]).toBe(0);
  });

  it('gives a zero input cosine 0 with every input, so it is its own cluster', () => {
    const r = clusteringAggregate([v(1, 1), v(0, 0), v(2, 2)], 1);
    expect(r.diagnostics.selected).toEqual([0, 2]);
    expect(Array.from(r.aggregate)).toEqual([1.5, 1.5]);
  });

  it('excludes inputs with non-finite coordinates before clustering', () => {
    const X = [v(1, 0), v(NaN, 0), v(2, 0.5), v(Infinity, 1), v(0.5, 0.1), v(0, -1)];
    const r = clusteringAggregate(X, 2);
    expect(r.diagnostics.selected).toEqual([0, 2, 4]);
    expect(Array.from(r.aggregate)).toEqual(Array.from(v(3.5 / 3, 0.6 / 3)));
    // One finite input left: it is the output.
    expect(Array.from(clusteringAggregate([v(NaN), v(3), v(Infinity)], 1).aggregate)).toEqual([3]);
  });

  it('drops a cluster of ≤ f inputs pointing away, whatever their norms, with every linkage', () => {
    const arb = fc
      .record({ f: fc.integer({ min: 1, max: 4 }), extra: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 2, max: 8 }) })
      .chain(({ f, extra, d }) =>
        direction(d).chain((u) =>
          fc.record({
            f: fc.constant(f),
            // Within 0.1 (≈ 5.7°) of u, and within 0.3 (≈ 17°) of −u: every within-group distance
            // is below every cross distance, so each linkage recovers the two groups.
            honest: fc.array(near(u, 0.1, fc.double({ min: 0.1, max: 100, noNaN: true })), { minLength: f + extra, maxLength: f + extra }),
            byzantine: fc.array(near(u, 0.3, fc.double({ min: -1e30, max: -1e-3, noNaN: true })), { minLength: f, maxLength: f }),
            linkage: fc.constantFrom(...LINKAGES),
          }),
        ),
      );
    fc.assert(
      fc.property(arb, permutation(16), ({ f, honest, byzantine, linkage }, perm) => {
        const all = [...honest, ...byzantine];
        const order = perm.filter((i) => i < all.length);
        const r = clusteringAggregate(order.map((i) => all[i]), f, { linkage });
        const kept = r.diagnostics.selected!.map((k) => order[k]).sort((a, b) => a - b);
        expect(kept).toEqual(honest.map((_, i) => i));
        const d = honest[0].length;
        for (let j = 0; j < d; j++) {
          const mean = honest.reduce((s, x) => s + x[j], 0) / honest.length;
          expect(Math.abs(r.aggregate[j] - mean)).toBeLessThanOrEqual(1e-6 * (1 + Math.max(...honest.map((x) => Math.abs(x[j])))));
        }
      }),
    );
  });

  it('does not depend on the order of its inputs', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, intVector).chain((c) => fc.tuple(fc.constant(c), permutation(c.vectors.length), fc.constantFrom(...LINKAGES))),
        ([{ f, vectors }, perm, linkage]) => {
          const a = clusteringAggregate(vectors, f, { linkage });
          const b = clusteringAggregate(perm.map((i) => vectors[i]), f, { linkage });
          // Integer inputs: the float64 sums are exact, so the means agree bit for bit.
          expect(Array.from(b.aggregate)).toEqual(Array.from(a.aggregate));
          // The same inputs kept (as values: equal inputs are interchangeable).
          const kept = (sel: number[], xs: readonly Float32Array[]) => sel.map((k) => Array.from(xs[k]).join()).sort();
          expect(kept(b.diagnostics.selected!, perm.map((i) => vectors[i]))).toEqual(kept(a.diagnostics.selected!, vectors));
        },
      ),
    );
  });

  it('keeps a cluster of at least half the finite inputs; is scale-equivariant and F(x, …, x) = x', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1, intVector), fc.integer({ min: -4, max: 4 }), ({ f, vectors }, k) => {
        const r = clusteringAggregate(vectors, f);
        expect(r.diagnostics.selected!.length).toBeGreaterThanOrEqual(Math.ceil(vectors.length / 2));
        const scaled = clusteringAggregate(
          vectors.map((x) => x.map((t) => t * 2 ** k)),
          f,
        );
        expect(Array.from(scaled.aggregate)).toEqual(Array.from(r.aggregate, (t) => t * 2 ** k));
        const same = clusteringAggregate(
          vectors.map(() => vectors[0]),
          f,
        );
        expect(Array.from(same.aggregate)).toEqual(Array.from(vectors[0]));
      }),
    );
  });

  it('stays finite with up to f non-finite or huge inputs', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1, intVector), fc.array(byzantineValue, { minLength: 16, maxLength: 16 }), ({ f, vectors }, byz) => {
        const d = vectors[0].length;
        const bad = vectors.map((x, i) => (i < f ? Float32Array.from(byz.slice(0, d)) : x));
        expect(clusteringAggregate(bad, f).aggregate.every(Number.isFinite)).toBe(true);
      }),
    );
  });

  it('matches Blades (Clustering: complete linkage; Clippedclustering’s clustering step: average) on the fixture', () => {
    // Tolerance: the peer's mean is float64, byzsim's the same mean rounded once to float32,
    // so they differ by at most half an ulp, 2⁻²⁴·|value|; 2⁻²³ leaves room for the order of the sums.
    expect(fixture.clustering.length).toBeGreaterThanOrEqual(6);
    let disagreements = 0;
    for (const c of fixture.clustering) {
      const X = c.inputs.map((x) => Float32Array.from(x));
      for (const [linkage, peer] of [['complete', c.complete], ['average', c.average]] as const) {
        const r = clustering.create({}, { linkage }).aggregate(X, { f: c.f });
        expect(r.diagnostics.selected).toEqual(peer.selected);
        peer.output.forEach((e, j) => expect(Math.abs(r.aggregate[j] - e)).toBeLessThanOrEqual(2 ** -23 * Math.abs(e) + 1e-12));
      }
      if (c.complete.selected.join() !== c.average.selected.join()) disagreements++;
    }
    // The fixture tells the linkages apart.
    expect(disagreements).toBeGreaterThanOrEqual(2);
  });

  it('rejects empty, ragged, (n, f) outside n ≥ 2f + 1 and unknown linkages', () => {
    expect(() => clusteringAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => clusteringAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => clusteringAggregate([v(1), v(2)], 1)).toThrow('clustering requires n ≥ 2f + 1 (got n=2, f=1)');
    expect(() => clustering.create({}).aggregate([v(1), v(2)], { f: 1 })).toThrow(/clustering requires/);
    expect(() => clustering.create({}, { linkage: 'ward' })).toThrow(/must be one of average, complete, single/);
    expect(clustering.create({}).spec).toBe('clustering(linkage=average)');
    expect(clustering.stateful).toBe(false);
  });
});
