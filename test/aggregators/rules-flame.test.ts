/** flame: the majority HDBSCAN cluster of cosine distances, clipped to the median norm, averaged, plus noise. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { flame, flameAggregate, majorityCluster } from '../../src/aggregators/flame.ts';
import { createRng } from '../../src/sim/rng.ts';
import { invariants, type InvariantName, type RuleUnderTest } from '../../src/invariants/properties.ts';
import { inputs, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const U32 = 2 ** -24;
const norm = (x: ArrayLike<number>) => Math.hypot(...Array.from(x));

/** The component of edges ≤ t that first holds ⌊n/2⌋ + 1 points, trying every distance t: the definition, by brute force. */
function bruteCluster(dist: readonly number[], n: number): { members: number[]; threshold: number } {
  const need = (n >> 1) + 1;
  if (need <= 1) return { members: [0], threshold: 0 };
  const levels = [...new Set(dist.filter((_, k) => k % n !== Math.floor(k / n)))].sort((a, b) => a - b);
  for (const t of levels) {
    const label = Array.from({ length: n }, (_, i) => i);
    for (let changed = true; changed; ) {
      changed = false;
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          if (a !== b && dist[a * n + b] <= t && label[b] < label[a]) {
            label[a] = label[b];
            changed = true;
          }
        }
      }
    }
    for (const l of new Set(label)) {
      const members = label.flatMap((m, i) => (m === l ? [i] : []));
      if (members.length >= need) return { members, threshold: t };
    }
  }
  throw new Error('unreachable: at the largest distance everything is one component');
}

describe('flame', () => {
  it('by hand: admits the two nearly parallel inputs, clips the longer to the median norm', () => {
    const xs = [v(1, 0), v(2, 0.1), v(-1, 0)];
    const r = flameAggregate(xs, 1, { lambda: 0 });
    expect(r.diagnostics.selected).toEqual([0, 1]);
    expect(r.diagnostics.medianNorm).toBe(1);
    const tenth = Math.fround(0.1);
    const clipped = [2 / Math.hypot(2, tenth), tenth / Math.hypot(2, tenth)];
    expect(r.aggregate[0]).toBeCloseTo((1 + clipped[0]) / 2, 6);
    expect(r.aggregate[1]).toBeCloseTo(clipped[1] / 2, 6);
    expect(r.diagnostics.threshold).toBeCloseTo(1 - 2 / Math.hypot(2, tenth), 12);
  });

  it('finds HDBSCAN’s cluster: the first component of ⌊n/2⌋ + 1 points as the distance grows (brute force)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n * n, maxLength: n * n }).map((raw) => ({ n, raw }))),
        ({ n, raw }) => {
          // Small integer distances: many ties, several merges at one level.
          const dist = Array.from({ length: n * n }, (_, k) => {
            const a = Math.floor(k / n);
            const b = k % n;
            return a === b ? 0 : raw[Math.min(a, b) * n + Math.max(a, b)];
          });
          expect(majorityCluster(Float64Array.from(dist), n)).toEqual(bruteCluster(dist, n));
        },
      ),
      { seed: 31, numRuns: 500 },
    );
  });

  it('gives a zero input cosine distance 1 to every other, and never admits a non-finite one', () => {
    expect(flameAggregate([v(0, 0), v(1, 0), v(0, 1)], 1, { lambda: 0 }).diagnostics.selected).toEqual([0, 1, 2]);
    expect(flameAggregate([v(0, 0), v(1, 0), v(1, 0.1)], 1, { lambda: 0 }).diagnostics.selected).toEqual([1, 2]);
    const r = flameAggregate([v(1, 0), v(1, 0.1), v(NaN, 0), v(1, -0.1), v(Infinity, 1)], 2, { lambda: 0 });
    expect(r.diagnostics.selected).toEqual([0, 1, 3]);
    expect(r.diagnostics.medianNorm).toBeCloseTo(Math.hypot(1, Math.fround(0.1)), 14);
    expect(r.aggregate.every(Number.isFinite)).toBe(true);
  });

  it('adds λ·S times the server stream’s normal draws when λ > 0, and draws nothing when λ = 0', () => {
    const xs = Array.from({ length: 7 }, (_, i) => Float32Array.from({ length: 12 }, (_, j) => 1 + Math.sin(5 * i + j) / 3));
    const quiet = flameAggregate(xs, 2, { lambda: 0 });
    const noisy = flame.create({ lambda: 0.05 }).aggregate(xs, { f: 2, rng: createRng(4, 'server') });
    const draws = createRng(4, 'server');
    const sigma = 0.05 * (quiet.diagnostics.medianNorm as number);
    expect(noisy.diagnostics.sigma).toBe(sigma);
    noisy.aggregate.forEach((t, j) => {
      const want = quiet.aggregate[j] + sigma * draws.normal();
      expect(Math.abs(t - want)).toBeLessThanOrEqual(2 * U32 * (Math.abs(quiet.aggregate[j]) + Math.abs(want)));
    });
    const rng = createRng(4, 'server');
    expect(flame.create({ lambda: 0 }).aggregate(xs, { f: 2, rng })).toEqual(quiet);
    expect(rng.next()).toBe(createRng(4, 'server').next());
    expect(() => flame.create().aggregate(xs, { f: 2 })).toThrow(/ctx\.rng/);
    expect(flame.create().randomized).toBe(true);
    expect(flame.create({ lambda: 0 }).randomized).toBe(false);
    expect(flame.create({ lambda: 0 }).spec).toBe('flame(lambda=0)');
    expect(flame.create().spec).toBe('flame(lambda=0.001)');
  });

  it('never outputs more than the median norm, and excludes inputs pointing away from a tight honest majority', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d).map((x) => x.map((t) => t / 10))),
        fc.integer({ min: 1, max: 50 }),
        ({ f, vectors }, k) => {
          const d = vectors[0].length;
          // Honest: a common direction (100, …, 100) plus at most 10 per coordinate; Byzantine: opposite, k times longer.
          const honest = vectors.map((x) => x.map((t) => 100 + t));
          const xs = honest.map((x, i) => (i < f ? x.map((t) => -k * t) : x));
          const r = flameAggregate(xs, f, { lambda: 0 });
          expect((r.diagnostics.selected as number[]).every((i) => i >= f)).toBe(true);
          expect(norm(r.aggregate)).toBeLessThanOrEqual((r.diagnostics.medianNorm as number) * (1 + 1e-6));
          expect(r.aggregate).toHaveLength(d);
        },
      ),
      { seed: 32, numRuns: 300 },
    );
  });

  it('does not depend on the order of the inputs (same stream for the noise)', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)).chain((x) => fc.tuple(fc.constant(x), permutation(x.vectors.length), fc.nat())),
        ([{ f, vectors }, perm, seed]) => {
          const rule = flame.create();
          const a = rule.aggregate(vectors, { f, rng: createRng(seed, 'server') });
          const b = rule.aggregate(perm.map((i) => vectors[i]), { f, rng: createRng(seed, 'server') });
          expect((b.diagnostics.selected as number[]).map((k) => perm[k]).sort((x, y) => x - y)).toEqual(a.diagnostics.selected);
          const scale = Math.max(1, ...vectors.flatMap((x) => Array.from(x, Math.abs)));
          b.aggregate.forEach((t, j) => expect(Math.abs(t - a.aggregate[j])).toBeLessThanOrEqual(4 * U32 * scale));
        },
      ),
      { seed: 33, numRuns: 300 },
    );
  });

  it('validates its inputs, parameters and (n, f)', () => {
    expect(() => flameAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => flameAggregate([v(1), v(1, 2), v(3)], 1, { lambda: 0 })).toThrow(/ragged/);
    expect(() => flameAggregate([v(1), v(2), v(3), v(4)], 2, { lambda: 0 })).toThrow('flame requires n ≥ 2f + 1 (got n=4, f=2)');
    expect(() => flameAggregate([v(1), v(2), v(3)], 1)).toThrow(/needs 1 normal draws/);
    expect(() => flame.create({ lambda: -1 })).toThrow(/parameter 'lambda' of flame/);
  });

  it('satisfies the invariants it claims (src/invariants/properties.ts), permutation with the same stream too', () => {
    const claims: [Record<string, number>, InvariantName[]][] = [
      [{ lambda: 0 }, ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output']],
      [{}, ['permutation-invariance', 'scale-equivariance', 'finite-output']],
    ];
    for (const [params, claimed] of claims) {
      const sample = flame.create(params);
      const rule: RuleUnderTest = { label: sample.spec, make: () => flame.create(params), requirement: sample.requirement, randomized: sample.randomized, approximate: false };
      for (const name of claimed) fc.assert(invariants[name].property(rule, { maxN: 30, maxD: 16 }), { seed: 20230425, numRuns: 150 });
    }
  });

  const fixture = JSON.parse(readFileSync(new URL('../fixtures/peers/blades-flpoison-rules.json', import.meta.url), 'utf8')) as {
    flame: { f: number; inputs: number[][]; selected: number[]; output: number[] }[];
    hdbscan: { distances: number[][]; cluster: number[] }[];
  };

  it('labels as hdbscan does (its steps written out in test/fixtures/peers/blades_flpoison_rules.py), on its distances', () => {
    expect(fixture.hdbscan.length).toBeGreaterThan(40);
    for (const c of fixture.hdbscan) expect(majorityCluster(Float64Array.from(c.distances.flat()), c.distances.length).members).toEqual(c.cluster);
  });

  it('matches FLPoison’s FLAME without its noise (test/fixtures/peers/blades_flpoison_rules.py)', () => {
    expect(fixture.flame).toHaveLength(5);
    for (const c of fixture.flame) {
      const xs = c.inputs.map((x) => Float32Array.from(x));
      const r = flameAggregate(xs, c.f, { lambda: 0 });
      expect(r.diagnostics.selected).toEqual(c.selected);
      // FLPoison clips by S/(‖xᵢ‖ + 1e-6), byzsim by S/‖xᵢ‖: the factors differ by at most 1e-6/‖xᵢ‖, so
      // coordinate j by at most (1/|A|) Σ_{i∈A} |xᵢⱼ|·1e-6/‖xᵢ‖; plus byzsim's float32 rounding.
      r.aggregate.forEach((t, j) => {
        const clipping = c.selected.reduce((s, i) => s + (Math.abs(xs[i][j]) * 1e-6) / norm(xs[i]), 0) / c.selected.length;
        expect(Math.abs(t - c.output[j])).toBeLessThanOrEqual(clipping + U32 * Math.abs(c.output[j]) + 1e-12);
      });
    }
  });
});
