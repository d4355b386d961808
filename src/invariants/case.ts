/**
 * The input every invariant is checked on: n vectors of dimension d, of which
 * the ones at `honestIndex` are honest and the other f arbitrary, plus the seed
 * of the stream a randomized rule draws from. Float64 statistics of the honest
 * set, and a compact printout for counterexamples.
 */
import type { AggregationResult, Aggregator } from '../aggregators/types.ts';
import { createRng } from '../sim/rng.ts';

export interface Case {
  n: number;
  f: number;
  d: number;
  /** All inputs in the order the rule sees them. */
  vectors: Float32Array[];
  /** Indices into `vectors` of the n − f honest inputs, ascending. */
  honestIndex: number[];
  /** Seed of the rule's stream, so randomized rules replay too. */
  rngSeed: number;
}

export const honestOf = (c: Case): Float32Array[] => c.honestIndex.map((i) => c.vectors[i]);

export const byzantineOf = (c: Case): Float32Array[] => {
  const honest = new Set(c.honestIndex);
  return c.vectors.filter((_, i) => !honest.has(i));
};

/** Runs a fresh instance of the rule on `vectors` with the case's stream (fresh, so replays match). */
export function run(make: () => Aggregator, vectors: readonly Float32Array[], f: number, rngSeed: number): AggregationResult {
  return make().aggregate(vectors, { f, rng: createRng(rngSeed, 'invariants/aggregate') });
}

export function meanOf64(vectors: readonly Float32Array[]): Float64Array {
  const d = vectors[0].length;
  const m = new Float64Array(d);
  for (const x of vectors) for (let j = 0; j < d; j++) m[j] += x[j];
  for (let j = 0; j < d; j++) m[j] /= vectors.length;
  return m;
}

/** (1/|S|) Σ_{i∈S} ‖xᵢ − x̄_S‖². */
export function varianceOf(vectors: readonly Float32Array[], mean = meanOf64(vectors)): number {
  let s = 0;
  for (const x of vectors) for (let j = 0; j < x.length; j++) s += (x[j] - mean[j]) ** 2;
  return s / vectors.length;
}

export function squaredDistance64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return s;
}

/** Largest |coordinate| among `vectors` (finite ones only). */
export function magnitude(vectors: readonly ArrayLike<number>[]): number {
  let m = 0;
  for (const x of vectors) for (let j = 0; j < x.length; j++) if (Math.abs(x[j]) > m && Number.isFinite(x[j])) m = Math.abs(x[j]);
  return m;
}

/**
 * `[1.5, -2, NaN, 3e+30]`, elided past `max` coordinates: integers up to 2²⁴
 * in full (every float32 integer there is exact, so a printed exact case
 * replays as printed), other values to 5 significant digits.
 */
export function formatVector(x: ArrayLike<number>, max = 16): string {
  const shown = Array.from({ length: Math.min(x.length, max) }, (_, j) => {
    const v = x[j];
    return Number.isInteger(v) && Math.abs(v) <= 2 ** 24 ? String(v) : Number(v.toPrecision(5)).toString();
  });
  if (x.length > max) shown.push(`… ${x.length - max} more`);
  return `[${shown.join(', ')}]`;
}

export function formatCase(c: Case, indent = '    '): string {
  const honest = new Set(c.honestIndex);
  const lines = [`${indent}n=${c.n} f=${c.f} d=${c.d} rngSeed=${c.rngSeed}`];
  c.vectors.forEach((x, i) => lines.push(`${indent}${honest.has(i) ? 'honest' : 'byz   '} x${i} = ${formatVector(x)}`));
  return lines.join('\n');
}
