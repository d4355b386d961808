import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitions, type PartitionDefinition } from '../../src/learning/partitions/index.ts';
import { drawDirichlet, labelCounts, logGamma } from '../../src/learning/partitions/shared.ts';
import type { ParamDeclaration } from '../../src/registry.ts';
import { createRng, type Rng } from '../../src/sim/rng.ts';

/** smallestShard with the label counts, as validation passes them when the dataset knows them. */
type Smallest = (examples: number, workers: number, params: Record<string, number>, counts?: readonly number[]) => number;
const smallest = (def: PartitionDefinition): Smallest => def.smallestShard as Smallest;

function partition(labels: ArrayLike<number>, n: number, spec: string, rng: Rng): Int32Array[] {
  const { def, params } = partitions.resolveSpec(spec);
  return def.create(params)(labels, n, rng);
}

const labelsOf = (shard: Int32Array, labels: ArrayLike<number>) => new Set(Array.from(shard, (i) => labels[i]));

/** A value of a declared parameter: within its range, a bounded stretch above min when it has no max. */
function paramValue(p: ParamDeclaration): fc.Arbitrary<number> {
  const lo = p.min ?? 0;
  const hi = p.max ?? lo + 5;
  if (p.integer) return fc.integer({ min: Math.ceil(lo + (p.exclusiveMin ? 1 : 0)), max: Math.floor(hi) });
  return fc.double({ min: lo, max: hi, minExcluded: p.exclusiveMin === true, noNaN: true });
}

const params = (def: PartitionDefinition): fc.Arbitrary<Record<string, number>> =>
  fc.record(Object.fromEntries(Object.entries(def.params).map(([k, p]) => [k, paramValue(p)])));

/** Labels with at most 10 classes, up to 300 examples, n up to 40 workers. */
const task = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 300 })
  .chain((labels) => fc.tuple(fc.constant(labels), fc.integer({ min: 1, max: Math.min(40, labels.length) }), fc.string()));

// The contract every registered partition passes, whatever its own tests add.
describe('partition contract', () => {
  for (const def of partitions.list()) {
    it(`${def.name}: n shards covering every example exactly once, none below smallestShard; a failure only where smallestShard said 0`, () => {
      fc.assert(
        fc.property(task, params(def), ([labels, n, seed], values) => {
          const resolved = partitions.resolve({ name: def.name, params: values, options: {} }).params;
          const counts = labelCounts(labels);
          const bound = smallest(def)(labels.length, n, resolved, counts);
          const blind = smallest(def)(labels.length, n, resolved);
          expect(blind).toBeLessThanOrEqual(bound);
          let shards: Int32Array[];
          try {
            shards = def.create(resolved)(labels, n, createRng(seed, 'data'));
          } catch (err) {
            expect(err).toBeInstanceOf(RangeError);
            // dirichlet gives up after its redraws with a message saying so; any other failure was foreseen.
            if (!/draws of the proportions/.test((err as Error).message)) expect(bound).toBe(0);
            return;
          }
          expect(shards.length).toBe(n);
          for (const s of shards) expect(s).toBeInstanceOf(Int32Array);
          const all = shards.flatMap((s) => Array.from(s)).sort((a, b) => a - b);
          expect(all).toEqual(labels.map((_, i) => i));
          const least = Math.min(...shards.map((s) => s.length));
          expect(least).toBeGreaterThanOrEqual(bound);
        }),
        { numRuns: 60 },
      );
    });

    it(`${def.name}: a function of the seed`, () => {
      fc.assert(
        fc.property(task, params(def), ([labels, n, seed], values) => {
          const resolved = partitions.resolve({ name: def.name, params: values, options: {} }).params;
          const run = () => {
            try {
              return def.create(resolved)(labels, n, createRng(seed, 'data'));
            } catch (err) {
              return (err as Error).message;
            }
          };
          expect(run()).toEqual(run());
        }),
        { numRuns: 30 },
      );
    });
  }
});

describe('Gamma and Dirichlet draws', () => {
  it('Gamma(a) has mean a and variance a, within 5 standard errors', () => {
    const N = 20000;
    for (const a of [0.05, 0.3, 1, 3.7]) {
      const rng = createRng(`gamma-${a}`, 'data');
      let m = 0;
      let m2 = 0;
      for (let i = 0; i < N; i++) {
        const g = Math.exp(logGamma(rng, a));
        m += g;
        m2 += g * g;
      }
      m /= N;
      const v = m2 / N - m * m;
      expect(Math.abs(m - a)).toBeLessThan(5 * Math.sqrt(a / N));
      // Var of the sample variance ≈ (μ4 − σ⁴)/N with μ4 = 3a² + 6a for Gamma(a).
      expect(Math.abs(v - a)).toBeLessThan(5 * Math.sqrt((2 * a * a + 6 * a) / N));
    }
  });

  it('Dir(α) sums to 1 and stays finite for tiny α (log-space draws)', () => {
    const rng = createRng(0, 'data');
    for (const alpha of [1e-4, 0.01, 0.1, 1, 1e4]) {
      const p = drawDirichlet(rng, alpha, 50);
      expect(p.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    }
  });
});

describe('dirichlet', () => {
  const perClass = 1000;
  const labels = Array.from({ length: 10 * perClass }, (_, i) => i % 10);

  /** Per class, Σ_j share_kj² over the workers: its mean under Dir(α·1_n) is (α + 1)/(nα + 1). */
  function concentration(alpha: number, seeds: number): { mean: number; se: number } {
    const values: number[] = [];
    for (let s = 0; s < seeds; s++) {
      const shards = partition(labels, 10, `dirichlet(alpha=${alpha}, min=1)`, createRng(s, 'data'));
      for (let k = 0; k < 10; k++) {
        values.push(shards.reduce((sum, shard) => sum + (Array.from(shard).filter((i) => labels[i] === k).length / perClass) ** 2, 0));
      }
    }
    const mean = values.reduce((a, b) => a + b) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    return { mean, se: sd / Math.sqrt(values.length) };
  }

  it('shares follow α: Σ share² matches (α + 1)/(nα + 1) within 5 standard errors (+ the floor of the cuts)', () => {
    for (const alpha of [0.1, 1, 1000]) {
      const { mean, se } = concentration(alpha, 20);
      const expected = (alpha + 1) / (10 * alpha + 1);
      // Cutting at ⌊N_k·P⌋ moves each share by < 1/N_k, Σ share² by < 2/N_k.
      expect(Math.abs(mean - expected), `alpha=${alpha}`).toBeLessThan(5 * se + 2 / perClass);
    }
  });

  it('α = 1000: every worker holds close to 1/n of every class; α = 0.1: most of a worker\'s examples come from few classes', () => {
    const flat = partition(labels, 10, 'dirichlet(alpha=1000)', createRng(1, 'data'));
    // share ~ Beta(1000, 9000): sd √(0.1·0.9/10001) = 0.003, i.e. 3 of 1000; 20 is over 6 sd for each of 100 cells.
    for (const shard of flat) for (let k = 0; k < 10; k++) expect(Math.abs(Array.from(shard).filter((i) => labels[i] === k).length - 100)).toBeLessThan(20);
    const classesFor80 = (shard: Int32Array) => {
      const c = new Array<number>(10).fill(0);
      for (const i of shard) c[labels[i]]++;
      c.sort((a, b) => b - a);
      let covered = 0;
      let k = 0;
      while (covered < 0.8 * shard.length) covered += c[k++];
      return k;
    };
    const skewed = partition(labels, 10, 'dirichlet(alpha=0.1)', createRng(1, 'data'));
    expect(flat.map(classesFor80).every((k) => k === 8)).toBe(true);
    const mean = skewed.map(classesFor80).reduce((a, b) => a + b) / 10;
    expect(mean).toBeLessThanOrEqual(3.5);
  });

  it('guarantees min examples to every worker, and says clearly when it cannot', () => {
    const shards = partition(labels, 10, 'dirichlet(alpha=0.1, min=200)', createRng(3, 'data'));
    expect(Math.min(...shards.map((s) => s.length))).toBeGreaterThanOrEqual(200);
    expect(() => partition(labels.slice(0, 100), 10, 'dirichlet(alpha=0.1, min=11)', createRng(0, 'data'))).toThrow(
      /dirichlet\(alpha=0.1, min=11\): 100 examples cannot give each of 10 workers 11/,
    );
    expect(() => partition(labels.slice(0, 100), 10, 'dirichlet(alpha=0.01, min=10)', createRng(0, 'data'))).toThrow(
      /in 1000 draws of the proportions some worker of 10 always got fewer than 10 examples \(in the last, worker \d+ got \d+\); raise alpha/,
    );
    const def = partitions.get('dirichlet')!;
    expect(def.smallestShard(10000, 10, { alpha: 0.1, min: 32 })).toBe(32);
    expect(def.smallestShard(100, 10, { alpha: 0.1, min: 32 })).toBe(0);
    expect(partitions.get('dirichlet_niid')).toBe(def);
  });
});

describe('gamma', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => i % 10);

  it('γ = 0 is extreme, γ = 1 mixes labels like iid', () => {
    expect(partition(labels, 7, 'gamma(gamma=0)', createRng(0, 'data'))).toEqual(partition(labels, 7, 'extreme', createRng(0, 'data')));
    for (const s of partition(labels, 10, 'gamma(gamma=1)', createRng(0, 'data'))) expect(labelsOf(s, labels).size).toBeGreaterThanOrEqual(8);
  });

  it('each shard is ⌊γN⌋/n iid examples plus a contiguous piece of the label-sorted rest', () => {
    fc.assert(
      fc.property(task, fc.double({ min: 0, max: 1, noNaN: true }), ([ys, n, seed], g) => {
        const shards = partition(ys, n, `gamma(gamma=${g})`, createRng(seed, 'data'));
        const M = Math.floor(ys.length * g);
        // The last worker gets the least of both cuts: smallestShard is exact.
        expect(Math.min(...shards.map((s) => s.length))).toBe(partitions.get('gamma')!.smallestShard(ys.length, n, { gamma: g }));
        const base = Math.floor(M / n);
        const tails = shards.map((s, w) => Array.from(s.subarray(base + (w < M % n ? 1 : 0))));
        const sorted = tails.flat();
        for (let i = 1; i < sorted.length; i++) expect(ys[sorted[i - 1]] < ys[sorted[i]] || (ys[sorted[i - 1]] === ys[sorted[i]] && sorted[i - 1] < sorted[i])).toBe(true);
      }),
    );
  });
});

describe('classes', () => {
  it('at most k labels per worker when the shards align with the labels (McMahan et al.: 2 shards each)', () => {
    const labels = Array.from({ length: 600 }, (_, i) => i % 10);
    for (const [n, k] of [[10, 2], [5, 2], [20, 3], [12, 5]] as const) {
      // 60 per class, shards of 600/(nk) examples: aligned when that divides 60.
      const shards = partition(labels, n, `classes(k=${k})`, createRng(n * k, 'data'));
      for (const s of shards) expect(labelsOf(s, labels).size).toBeLessThanOrEqual(k);
    }
  });

  it('at most 2k labels per worker when every class holds a shard\'s worth; at least k·⌊N/(nk)⌋ examples each', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 30 }),
        fc.string(),
        (counts, k, n, seed) => {
          const labels = counts.flatMap((c, y) => new Array<number>(c).fill(y));
          const N = labels.length;
          fc.pre(N >= n * k && Math.min(...counts) >= Math.ceil(N / (n * k)));
          const shards = partition(labels, n, `classes(k=${k})`, createRng(seed, 'data'));
          for (const s of shards) {
            expect(labelsOf(s, labels).size).toBeLessThanOrEqual(2 * k);
            expect(s.length).toBeGreaterThanOrEqual(k * Math.floor(N / (n * k)));
          }
        },
      ),
    );
  });
});

describe('one-per-worker', () => {
  it('exactly one label per worker, worker w holding the (w mod C)-th label', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 30 }),
        (counts, extra) => {
          const labels = counts.flatMap((c, y) => new Array<number>(c).fill(y * 2));
          const C = counts.length;
          const n = C + extra;
          const sharing = (at: number) => Math.floor(n / C) + (at < n % C ? 1 : 0);
          const feasible = counts.every((c, at) => c >= sharing(at));
          const bound = (partitions.get('one-per-worker')!.smallestShard as Smallest)(labels.length, n, {}, labelCounts(labels));
          if (!feasible) {
            expect(bound).toBe(0);
            expect(() => partition(labels, n, 'one-per-worker', createRng(0, 'data'))).toThrow(/one-per-worker: label \d+ has \d+ examples for its \d+ workers/);
            return;
          }
          const shards = partition(labels, n, 'one-per-worker', createRng(0, 'data'));
          shards.forEach((s, w) => expect([...labelsOf(s, labels)]).toEqual([2 * (w % C)]));
          expect(Math.min(...shards.map((s) => s.length))).toBe(bound);
        },
      ),
    );
  });

  it('refuses fewer workers than labels, and guarantees nothing without the label counts', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % 10);
    expect(() => partition(labels, 9, 'one-per-worker', createRng(0, 'data'))).toThrow(/10 labels need at least 10 workers, one label each \(got 9\)/);
    const def = partitions.get('one-per-worker')!;
    expect(def.smallestShard(100, 10, {})).toBe(0);
    expect((def.smallestShard as Smallest)(100, 10, {}, labelCounts(labels))).toBe(10);
    expect((def.smallestShard as Smallest)(100, 9, {}, labelCounts(labels))).toBe(0);
  });
});

describe('extreme', () => {
  it('at most 2 labels per worker when n ≥ classes and every class holds a shard\'s worth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 10 }).chain((counts) => {
          const N = counts.reduce((a, b) => a + b);
          const least = Math.max(counts.length, Math.ceil(N / Math.min(...counts)));
          return fc.tuple(fc.constant(counts), fc.integer({ min: least, max: Math.max(least, N) }));
        }),
        ([counts, n]) => {
          const labels = counts.flatMap((c, y) => new Array<number>(c).fill(y));
          fc.pre(n <= labels.length);
          for (const s of partition(labels, n, 'extreme', createRng(0, 'data'))) expect(labelsOf(s, labels).size).toBeLessThanOrEqual(2);
        },
      ),
    );
  });
});
