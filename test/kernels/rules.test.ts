/**
 * Every registered rule and composition gives the same aggregate bits and the
 * same diagnostics on both kernel paths, over several rounds (cc carries its
 * centre, randomized rules their streams), honest inputs of several shapes
 * and Byzantine inputs with special values.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAggregator } from '../../src/aggregators/index.ts';
import type { AggregationDiagnostics } from '../../src/aggregators/types.ts';
import { createRng } from '../../src/sim/rng.ts';
import { simdAvailable } from '../../src/kernels/simd.ts';
import { bitDifference, onPath } from './paths.ts';
import { rowsOf, type Kind } from './inputs.ts';

/** Spec → largest n drawn (the exhaustive and pooled rules are kept small for time). */
const SPECS: Record<string, number> = {
  mean: 70,
  cwmed: 70,
  cwtm: 70,
  krum: 70,
  'krum(m=3)': 70,
  'krum(p=3)': 70,
  geomed: 70,
  bulyan: 70,
  mda: 16,
  meamed: 70,
  phocas: 70,
  cc: 70,
  'cc(L=3, init=cwmed)': 70,
  nm: 70,
  signmv: 70,
  mixtailor: 24,
  'nnm > krum': 70,
  'nnm > mean': 70,
  'bucketing(s=2) > cwtm': 70,
  'resample(s=2) > krum': 70,
  'resample-wr(s=2) > cwmed': 70,
  'clip(tau=1) > mean': 70,
  'arc > krum': 70,
};

const DIMS = [1, 3, 17, 100, 2049];
const BIG_DIM = 16385;
const HONEST: Kind[] = ['gaussian', 'ints', 'near', 'tiny'];
const BYZANTINE: Kind[] = ['special', 'huge', 'gaussian', 'ints'];

interface Round {
  aggregate?: Float32Array;
  diagnostics?: AggregationDiagnostics;
  error?: string;
}

/** `rounds` calls of one fresh instance of `spec`, on the given path. */
function run(spec: string, path: 'simd' | 'scalar', inputs: Float32Array[][], f: number, seed: number): Round[] {
  return onPath(path, () => {
    const rule = createAggregator(spec);
    const rng = createRng(seed, 'server');
    return inputs.map((vectors) => {
      try {
        return rule.aggregate(vectors, { f, rng });
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
  });
}

/** Asserts equal rounds; returns how many gave an aggregate (so a suite of errors is not a pass). */
function expectSame(a: Round[], b: Round[]): number {
  expect(b.length).toBe(a.length);
  let aggregated = 0;
  for (let r = 0; r < a.length; r++) {
    expect(b[r].error).toBe(a[r].error);
    if (a[r].error !== undefined) continue;
    expect(bitDifference(a[r].aggregate!, b[r].aggregate!)).toBeNull();
    expect(b[r].diagnostics).toEqual(a[r].diagnostics);
    aggregated++;
  }
  return aggregated;
}

/** n inputs: n − f honest of one kind, f Byzantine of another, interleaved from `offset`. */
function inputsOf(n: number, f: number, d: number, honest: Kind, byzantine: Kind, seed: number, offset: number): Float32Array[] {
  const good = rowsOf({ n: n - f, d, kind: honest, seed, copies: n - f > 2 ? [[0, 1]] : [] });
  const bad = rowsOf({ n: f, d, kind: byzantine, seed: seed + 1, copies: [] });
  const all = [...good, ...bad];
  return all.map((_, i) => all[(i + offset) % n]);
}

describe.skipIf(!simdAvailable())('rules give the same bits on the SIMD and scalar kernel paths', () => {
  it.each(Object.entries(SPECS))('%s', (spec, maxN) => {
    const requirement = createAggregator(spec).requirement;
    const sizes = fc
      .integer({ min: 1, max: maxN })
      .chain((n) => {
        const feasible = Array.from({ length: n }, (_, f) => f).filter((f) => requirement.check(n, f));
        return fc.tuple(fc.constant(n), feasible.length ? fc.constantFrom(...feasible) : fc.constant(-1));
      })
      .filter(([, f]) => f >= 0);
    let aggregated = 0;
    fc.assert(
      fc.property(
        sizes,
        fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...DIMS) }, { weight: 1, arbitrary: fc.constant(BIG_DIM) }),
        fc.constantFrom(...HONEST),
        fc.constantFrom(...BYZANTINE),
        fc.nat(),
        ([n, f], d, honest, byzantine, seed) => {
          const inputs = [0, 1].map((r) => inputsOf(n, f, d, honest, byzantine, seed + 2 * r, seed % n));
          aggregated += expectSame(run(spec, 'simd', inputs, f, seed), run(spec, 'scalar', inputs, f, seed));
        },
      ),
      { numRuns: 12 },
    );
    expect(aggregated).toBeGreaterThan(12);
  });

  it.each(Object.keys(SPECS))('%s on equal inputs, signed zeros and all-special Byzantine inputs', (spec) => {
    const requirement = createAggregator(spec).requirement;
    const n = 11;
    const f = [3, 2, 1, 0].find((t) => requirement.check(n, t))!;
    const d = 33;
    const equal = Array.from({ length: n }, () => Float32Array.from({ length: d }, (_, j) => j - 16));
    const zeros = Array.from({ length: n }, (_, i) => new Float32Array(d).fill(i % 2 ? -0 : 0));
    const special = equal.map((x, i) => (i < f ? new Float32Array(d).fill([NaN, Infinity, -Infinity][i % 3]) : x));
    const inputs = [equal, zeros, special];
    expect(expectSame(run(spec, 'simd', inputs, f, 7), run(spec, 'scalar', inputs, f, 7))).toBeGreaterThan(0);
  });
});
