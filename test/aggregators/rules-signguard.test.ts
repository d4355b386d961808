/** signguard: near-median norms, in the largest cluster of sign statistics, clipped to the median norm and averaged. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signguard, signguardAggregate } from '../../src/aggregators/signguard.ts';
import { createRng } from '../../src/sim/rng.ts';
import { invariants, type InvariantName, type RuleUnderTest } from '../../src/invariants/properties.ts';
import { inputs, intVector, permutation, realVector } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const U32 = 2 ** -24;
const norm = (x: ArrayLike<number>) => Math.hypot(...Array.from(x));

describe('signguard', () => {
  it('by hand: the norm filter drops ‖x‖ ≥ 3M and ≤ 0.1M; the kept are clipped to M', () => {
    // Norms 1, 2, 3, 30, 0.1: M = 2; 30 ≥ 6 and 0.1 ≤ 0.2 are dropped, 3 is clipped to 2.
    const xs = [v(1, 0), v(2, 0), v(3, 0), v(30, 0), v(0.1, 0)];
    const r = signguardAggregate(xs, 2, { start: 0 });
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(r.diagnostics.medianNorm).toBe(2);
    expect(r.aggregate[0]).toBeCloseTo(5 / 3, 6);
    // Custom bounds: lower 0.01 keeps 0.1.
    expect(signguardAggregate(xs, 2, { start: 0, lower: 0.01 }).diagnostics.selected).toEqual([0, 1, 2, 4]);
  });

  it('by hand: the sign filter keeps the largest cluster of sign statistics, on the block drawn', () => {
    // Five inputs mostly positive (8 or 7 of 10 signs), two mostly negative: mean shift separates the
    // groups; DBSCAN (within 0.05, 3 to a core) keeps only the three equal ones.
    const pos = (k: number) => Float32Array.from({ length: 10 }, (_, j) => (j < 8 - k ? 1 : -1));
    const neg = (k: number) => Float32Array.from({ length: 10 }, (_, j) => (j < 2 + k ? 1 : -1));
    const xs = [pos(0), neg(0), pos(1), pos(0), neg(1), pos(1), pos(0)];
    for (const [clustering, cluster] of [['meanshift', [0, 2, 3, 5, 6]], ['dbscan', [0, 3, 6]]] as const) {
      const r = signguardAggregate(xs, 3, { start: 0, fraction: 1, clustering });
      expect(r.diagnostics.signCluster, clustering).toEqual(cluster);
      expect(r.diagnostics.selected, clustering).toEqual(cluster);
    }
  });

  it('gives 0 when nothing passes both filters, and lets everyone through the sign filter when DBSCAN finds no cluster', () => {
    // More than half the inputs are 0: M = 0, and no norm is in (0, 0).
    const zero = signguardAggregate([v(0, 0), v(0, 0), v(1, 1)], 1, { start: 0 });
    expect(zero.diagnostics.selected).toEqual([]);
    expect(Array.from(zero.aggregate)).toEqual([0, 0]);
    // Three inputs with distinct statistics: no DBSCAN core point (3 within 0.05), all noise.
    const xs = [v(1, 1, 1), v(1, -1, 1), v(1, -1, -1)];
    const r = signguardAggregate(xs, 1, { start: 0, fraction: 1, clustering: 'dbscan' });
    expect(r.diagnostics.signCluster).toEqual([0, 1, 2]);
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
  });

  it('clusters equal statistics together when the bandwidth is 0 (sklearn refuses)', () => {
    // Statistics (1, 0, 0) twice and (0.5, 0, 1) twice: every point's 2nd nearest is its copy. Of the two
    // equal groups the one with the larger centre is first, as sklearn orders its centres.
    const xs = [v(1, 2), v(3, 4), v(-1, 5), v(-2, 1)];
    const r = signguardAggregate(xs, 1, { start: 0, fraction: 1 });
    expect(r.diagnostics.signCluster).toEqual([0, 1]);
    expect(r.diagnostics.selected).toEqual([0, 1]);
  });

  it('drops an input with a non-finite coordinate (its norm is +Infinity); the median stays finite', () => {
    const xs = [v(1, 1), v(1, 2), v(NaN, 1), v(2, 1), v(-Infinity, 0)];
    const r = signguardAggregate(xs, 2, { start: 0, fraction: 1 });
    expect(r.diagnostics.medianNorm).toBeCloseTo(Math.sqrt(5), 12);
    expect(r.diagnostics.selected).toEqual([0, 1, 3]);
    expect(r.aggregate.every(Number.isFinite)).toBe(true);
  });

  it('never outputs more than the median norm, and drops inputs whose norm is ≥ 3 times every honest norm', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => realVector(d, 10)).filter(({ vectors }) => vectors.every((x) => norm(x) > 1e-3)),
        fc.nat(),
        fc.constantFrom('meanshift', 'dbscan'),
        ({ f, vectors }, seed, clustering) => {
          const d = vectors[0].length;
          const top = Math.max(...vectors.map(norm));
          // Byzantine inputs 100× the largest honest norm in the first f places.
          const xs = vectors.map((x, i) => (i < f ? Float32Array.from(x, (t) => t * 100 * (top / norm(x))) : x));
          const r = signguard.create({}, { clustering }).aggregate(xs, { f, rng: createRng(seed, 'server') });
          const selected = r.diagnostics.selected as number[];
          expect(selected.every((i) => i >= f)).toBe(true);
          expect(norm(r.aggregate)).toBeLessThanOrEqual((r.diagnostics.medianNorm as number) * (1 + 1e-6) + 1e-30);
          expect(r.aggregate).toHaveLength(d);
        },
      ),
      { seed: 21, numRuns: 300 },
    );
  });

  it('does not depend on the order of the inputs, for the same block', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)).chain((x) =>
          fc.tuple(fc.constant(x), permutation(x.vectors.length), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('meanshift', 'dbscan')),
        ),
        ([{ f, vectors }, perm, u, clustering]) => {
          const d = vectors[0].length;
          const start = Math.min(d - 1, Math.floor(u * d));
          const options = { start, fraction: 1 / d, clustering };
          const a = signguardAggregate(vectors, f, options);
          const b = signguardAggregate(perm.map((i) => vectors[i]), f, options);
          expect((b.diagnostics.selected as number[]).map((k) => perm[k]).sort((x, y) => x - y)).toEqual(a.diagnostics.selected);
          const scale = Math.max(1, ...vectors.flatMap((x) => Array.from(x, Math.abs)));
          b.aggregate.forEach((t, j) => expect(Math.abs(t - a.aggregate[j])).toBeLessThanOrEqual(4 * U32 * scale));
        },
      ),
      { seed: 22, numRuns: 300 },
    );
  });

  it('draws the block start from ctx.rng in [0, d − ℓ], and nothing when the block is everything', () => {
    const xs = Array.from({ length: 5 }, (_, i) => Float32Array.from({ length: 40 }, (_, j) => Math.sin(3 * i + j)));
    const r = signguard.create().aggregate(xs, { f: 1, rng: createRng(9, 'server') });
    const start = createRng(9, 'server').int(40 - 4 + 1);
    expect(r).toEqual(signguardAggregate(xs, 1, { start }));
    expect(r.diagnostics.start).toBe(start);
    expect(() => signguard.create().aggregate(xs, { f: 1 })).toThrow(/needs ctx\.rng/);
    expect(signguard.create({ fraction: 1 }).aggregate(xs, { f: 1 })).toEqual(signguardAggregate(xs, 1, { start: 0, fraction: 1 }));
  });

  it('validates its inputs, parameters and (n, f)', () => {
    expect(() => signguardAggregate([], 0, { start: 0 })).toThrow(/no input vectors/);
    expect(() => signguardAggregate([v(1), v(1, 2), v(3)], 1, { start: 0 })).toThrow(/ragged/);
    expect(() => signguardAggregate([v(1), v(2), v(3), v(4)], 2, { start: 0 })).toThrow('signguard requires n ≥ 2f + 1 (got n=4, f=2)');
    expect(() => signguardAggregate([v(1, 2), v(2, 1), v(3, 3)], 1, { start: 2 })).toThrow(/block start 2 outside \[0, 1\]/);
    expect(() => signguard.create({ lower: 3, upper: 3 })).toThrow(/lower \(3\) must be below upper \(3\)/);
    expect(() => signguard.create({ fraction: 0 })).toThrow(/parameter 'fraction' of signguard/);
    expect(() => signguard.create({}, { clustering: 'kmeans' })).toThrow(/clustering/);
    expect(signguard.create().spec).toBe('signguard(lower=0.1, upper=3, fraction=0.1, clustering=meanshift)');
  });

  it('satisfies the invariants it claims (src/invariants/properties.ts), permutation with the same stream too', () => {
    for (const clustering of ['meanshift', 'dbscan']) {
      for (const params of [{}, { fraction: 0.5 }] as Record<string, number>[]) {
        const sample = signguard.create(params, { clustering });
        const rule: RuleUnderTest = { label: sample.spec, make: () => signguard.create(params, { clustering }), requirement: sample.requirement, randomized: true, approximate: false };
        const claimed: InvariantName[] = ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'];
        for (const name of claimed) fc.assert(invariants[name].property(rule, { maxN: 30, maxD: 16 }), { seed: 20230425, numRuns: 100 });
      }
    }
  });

  it('matches FLPoison’s SignGuard, mean shift and DBSCAN (test/fixtures/peers/blades_flpoison_rules.py), on its recorded blocks', () => {
    const { signguard: cases } = JSON.parse(readFileSync(new URL('../fixtures/peers/blades-flpoison-rules.json', import.meta.url), 'utf8')) as {
      signguard: { clustering: string; f: number; start: number; inputs: number[][]; selected: number[]; signCluster: number[]; output: number[] }[];
    };
    expect(cases).toHaveLength(8);
    for (const c of cases) {
      const r = signguardAggregate(c.inputs.map((x) => Float32Array.from(x)), c.f, { start: c.start, clustering: c.clustering });
      expect(r.diagnostics.signCluster).toEqual(c.signCluster);
      expect(r.diagnostics.selected).toEqual(c.selected);
      // x·min(1, M/‖x‖) (byzsim) and x/‖x‖·min(‖x‖, M) (FLPoison) in float64 differ by a few float64
      // roundings; what is left is byzsim's float32 rounding of the output, on the scale of the output.
      const scale = Math.max(...c.output.map(Math.abs));
      r.aggregate.forEach((t, j) => expect(Math.abs(t - c.output[j])).toBeLessThanOrEqual(U32 * scale * (1 + 1e-9)));
    }
  });
});
