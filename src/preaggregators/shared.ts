/**
 * Small pieces the pre-aggregators share: the non-finite policy, the mean of
 * a list of indices (with multiplicity) and the expression arithmetic of
 * `describe`.
 */
import type { Rng } from '../sim/rng.ts';
import { commonDimension, isFiniteVector, weightedMeanOf } from '../kernels/vector.ts';

/**
 * Positions of the inputs with a non-finite coordinate, for diagnostics. The
 * stages pass such inputs on (a mean that includes one is non-finite too)
 * rather than replacing them by a finite stand-in such as zero: only a
 * Byzantine worker sends one, and a finite stand-in is a value the rule after
 * the stage could then select, whereas a robust rule excludes a non-finite
 * input (the invariant suite's finite-output property).
 */
export function nonFiniteIndices(vectors: readonly Float32Array[], who: string): number[] {
  commonDimension(vectors, who);
  const out: number[] = [];
  vectors.forEach((v, i) => {
    if (!isFiniteVector(v)) out.push(i);
  });
  return out;
}

/** (1/|idx|) Σ_{i ∈ idx} xᵢ, an index listed twice counting twice. */
export function meanOfIndices(vectors: readonly Float32Array[], idx: readonly number[]): Float32Array {
  // Only the listed inputs take part: a weight of zero would still carry an
  // unlisted NaN into the sum (0 · NaN = NaN).
  const members = [...new Set(idx)].sort((a, b) => a - b);
  const w = new Float64Array(members.length);
  for (const i of idx) w[members.indexOf(i)]++;
  return weightedMeanOf(
    members.map((i) => vectors[i]),
    w,
  );
}

export function requireRng(rng: Rng | undefined, who: string): Rng {
  if (!rng) throw new Error(`${who} is randomized: it needs ctx.rng (the server's stream)`);
  return rng;
}

/** `k·expr` written the way a paper would: 2 × `f` is `2f`, 2 × `3f` is `6f`. */
export function times(k: number, expr: string): string {
  if (k === 1) return expr;
  if (/^[a-z]$/.test(expr)) return `${k}${expr}`;
  const m = /^(\d+)([a-z])$/.exec(expr);
  if (m) return `${k * Number(m[1])}${m[2]}`;
  return `${k}·(${expr})`;
}
