/**
 * Small pieces the pre-aggregators share: the non-finite policy, the means
 * of lists of indices (with multiplicity) and the expression arithmetic of
 * `describe`.
 */
import type { Rng } from '../sim/rng.ts';
import { weightedMeansOf } from '../kernels/vector.ts';

/**
 * (1/|idx|) Σ_{i ∈ idx} xᵢ for each list idx, an index listed twice counting
 * twice, all from one pass over the inputs; `finite`, when given, receives 1
 * for each finite input and 0 for the others.
 */
export function meansOfIndices(vectors: readonly Float32Array[], lists: readonly (readonly number[])[], finite?: Uint8Array): Float32Array[] {
  // Only the listed inputs take part: a weight of zero would still carry an
  // unlisted NaN into the sum (0 · NaN = NaN).
  const groups = lists.map((idx) => {
    const rows = [...new Set(idx)].sort((a, b) => a - b);
    const at = new Map(rows.map((i, k) => [i, k]));
    const weights = new Float64Array(rows.length);
    for (const i of idx) weights[at.get(i)!]++;
    return { rows, weights };
  });
  return weightedMeansOf(vectors, groups, finite);
}

/**
 * meansOfIndices, and the positions of the inputs with a non-finite
 * coordinate, for diagnostics. The stages pass such inputs on (a mean that
 * includes one is non-finite too) rather than replacing them by a finite
 * stand-in such as zero: only a Byzantine worker sends one, and a finite
 * stand-in is a value the rule after the stage could then select, whereas a
 * robust rule excludes a non-finite input (the invariant suite's
 * finite-output property).
 */
export function meansAndNonFinite(vectors: readonly Float32Array[], lists: readonly (readonly number[])[]): { means: Float32Array[]; nonFinite: number[] } {
  const finite = new Uint8Array(vectors.length);
  const means = meansOfIndices(vectors, lists, finite);
  const nonFinite: number[] = [];
  finite.forEach((ok, i) => {
    if (!ok) nonFinite.push(i);
  });
  return { means, nonFinite };
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
