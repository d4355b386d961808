import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { clippedclustering, type ClippedClusteringAggregator } from '../../src/aggregators/clippedclustering.ts';
import { clusteringAggregate } from '../../src/aggregators/clustering.ts';
import { byzantineValue, inputs, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const make = (linkage?: string) => clippedclustering.create({}, linkage ? { linkage } : {}) as ClippedClusteringAggregator;
const norm = (x: ArrayLike<number>) => Math.hypot(...Array.from(x));

interface Run {
  f: number;
  linkage: string;
  rounds: { inputs: number[][]; selected: number[]; threshold: number; output: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/peers/clustering-foolsgold.json', import.meta.url), 'utf8')) as {
  clippedclustering: Run[];
};

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let j = 0; j < actual.length; j++) expect(Math.abs(actual[j] - expected[j])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[j])));
}

// Three inputs near +y, one Byzantine pointing down with norm 10.
const X = [v(0, 1), v(0.75, 1), v(0, 2), v(0, -10)];

describe('clippedclustering', () => {
  it('clips to the median norm, drops the smaller cosine cluster and averages the clipped rest', () => {
    // Norms 1, 1.25, 2, 10: τ = 1.625. (0, 2) becomes (0, 1.625); (0, −10) is clipped too but dropped.
    const r = make().aggregate(X, { f: 1 });
    expect(r.diagnostics).toEqual({ selected: [0, 1, 2], threshold: 1.625, clipped: 2 });
    expectClose(r.aggregate, [0.75 / 3, 3.625 / 3]);
  });

  it('takes the median over every norm seen so far, not over this round', () => {
    const rule = make();
    rule.aggregate(X, { f: 1 });
    // Half the norms now: 0.5, 0.625, 1, 5. Over both rounds the median is 1.125 (this round's
    // would be 0.8125), so (0, 1) is kept as it is.
    const half = X.map((x) => x.map((t) => t / 2));
    const r = rule.aggregate(half, { f: 1 });
    expect(r.diagnostics.threshold).toBe(1.125);
    expectClose(r.aggregate, [0.375 / 3, 2 / 3]);
    expect(rule.recorded).toBe(8);
    rule.reset();
    expect(rule.recorded).toBe(0);
    expect(rule.aggregate(half, { f: 1 }).diagnostics.threshold).toBe(0.8125);
  });

  it('forgets the norms when the dimension changes', () => {
    const rule = make();
    rule.aggregate(X, { f: 1 });
    const r = rule.aggregate([v(1, 0, 0), v(2, 0, 0), v(4, 0.1, 0)], { f: 1 });
    expect(rule.recorded).toBe(3);
    expect(r.diagnostics.threshold).toBe(2);
  });

  it('excludes non-finite inputs and does not record their norms', () => {
    const rule = make();
    const r = rule.aggregate([...X, v(NaN, 1), v(Infinity, 0)], { f: 2 });
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(r.diagnostics.threshold).toBe(1.625);
    expect(rule.recorded).toBe(4);
    expectClose(r.aggregate, [0.75 / 3, 3.625 / 3]);
  });

  it('clusters as clustering does (clipping leaves cosines unchanged)', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1, intVector), ({ f, vectors }) => {
        const r = make().aggregate(vectors, { f });
        expect(r.diagnostics.selected).toEqual(clusteringAggregate(vectors, f).diagnostics.selected);
      }),
    );
  });

  it('never outputs a norm above the largest honest norm seen, whatever the ≤ f Byzantine inputs', () => {
    // With an honest majority every round, the median of all norms lies between the smallest and
    // the largest honest norm seen; every averaged input is clipped to it.
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(inputs((f) => 2 * f + 1, intVector), fc.array(byzantineValue, { minLength: 16, maxLength: 16 })),
          { minLength: 1, maxLength: 4 },
        ),
        (rounds) => {
          const rule = make();
          let top = 0;
          let dimension = -1;
          for (const [{ f, vectors }, byz] of rounds) {
            const d = vectors[0].length;
            if (d !== dimension) top = 0;
            dimension = d;
            const bad = vectors.map((x, i) => (i < f ? Float32Array.from(byz.slice(0, d)) : x));
            for (const x of vectors.slice(f)) top = Math.max(top, norm(x));
            const r = rule.aggregate(bad, { f });
            expect(r.aggregate.every(Number.isFinite)).toBe(true);
            expect(r.diagnostics.threshold as number).toBeLessThanOrEqual(top * (1 + 1e-12));
            expect(norm(r.aggregate)).toBeLessThanOrEqual(top * (1 + 1e-6));
          }
        },
      ),
    );
  });

  it('does not depend on the order of its inputs, round after round', () => {
    fc.assert(
      fc.property(
        fc.array(inputs((f) => 2 * f + 1, intVector).chain((c) => fc.tuple(fc.constant(c), permutation(c.vectors.length))), {
          minLength: 1,
          maxLength: 3,
        }),
        (rounds) => {
          const a = make();
          const b = make();
          for (const [{ f, vectors }, perm] of rounds) {
            const ra = a.aggregate(vectors, { f });
            const rb = b.aggregate(
              perm.map((i) => vectors[i]),
              { f },
            );
            expect(rb.diagnostics.threshold).toBe(ra.diagnostics.threshold);
            // The clipped values are not integers: the sums' order may move the float32 output by an ulp.
            expectClose(rb.aggregate, ra.aggregate, 2 ** -22);
          }
        },
      ),
    );
  });

  it('is scale-equivariant (a fresh instance) and F(x, …, x) = x', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 1, intVector), fc.integer({ min: -4, max: 4 }), ({ f, vectors }, k) => {
        const r = make().aggregate(vectors, { f });
        const scaled = make().aggregate(
          vectors.map((x) => x.map((t) => t * 2 ** k)),
          { f },
        );
        expect(Array.from(scaled.aggregate)).toEqual(Array.from(r.aggregate, (t) => t * 2 ** k));
        const same = make().aggregate(
          vectors.map(() => vectors[0]),
          { f },
        );
        expect(Array.from(same.aggregate)).toEqual(Array.from(vectors[0]));
      }),
    );
  });

  it('matches Blades’ Clippedclustering round by round on the fixture', () => {
    // Selections and thresholds must agree exactly (up to the float64 rounding of the norms).
    // Outputs: Blades clips by τ/(‖x‖ + 1e-6), byzsim by τ/‖x‖; for τ < ‖x‖ the clipped vectors
    // differ by at most 1e-6·τ/‖x‖ < 1e-6 per coordinate; byzsim then rounds once to float32
    // (2⁻²⁴·|value|, 2⁻²³ with room for the order of the sums).
    expect(fixture.clippedclustering.length).toBe(3);
    for (const run of fixture.clippedclustering) {
      const rule = make(run.linkage);
      for (const round of run.rounds) {
        const r = rule.aggregate(
          round.inputs.map((x) => Float32Array.from(x)),
          { f: run.f },
        );
        expect(r.diagnostics.selected).toEqual(round.selected);
        expect(Math.abs((r.diagnostics.threshold as number) - round.threshold)).toBeLessThanOrEqual(1e-12 * round.threshold);
        round.output.forEach((e, j) => expect(Math.abs(r.aggregate[j] - e)).toBeLessThanOrEqual(1e-6 + 2 ** -23 * Math.abs(e)));
      }
    }
  });

  it('rejects empty, ragged, (n, f) outside n ≥ 2f + 1 and unknown linkages; is stateful', () => {
    expect(() => make().aggregate([], { f: 0 })).toThrow(/no input vectors/);
    expect(() => make().aggregate([v(1), v(1, 2), v(3)], { f: 1 })).toThrow(/ragged/);
    expect(() => make().aggregate([v(1), v(2)], { f: 1 })).toThrow('clippedclustering requires n ≥ 2f + 1 (got n=2, f=1)');
    expect(() => make('ward')).toThrow(/must be one of average, complete, single/);
    expect(clippedclustering.stateful).toBe(true);
    expect(make('single').spec).toBe('clippedclustering(linkage=single)');
  });
});
