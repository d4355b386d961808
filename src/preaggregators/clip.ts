/**
 * clip — static norm clipping.
 *
 *   clip_τ(x₁, …, xₙ) = (min(1, τ/‖x₁‖) x₁, …, min(1, τ/‖xₙ‖) xₙ)
 *
 * Transform: n′ = n, f′ = f (output i depends on input i only).
 * Requirement: n ≥ 1.
 *
 * Reference: the static clipping baseline of Allouah, Guerraoui, Gupta,
 * Jellouli, Rizk, Stephan, The Vital Role of Gradient Clipping in
 * Byzantine-Resilient Distributed Learning, 2024 (arXiv:2405.14432), as in
 * ByzFL's `Clipping`.
 *
 * Deliberate choice: an input with a non-finite coordinate has norm +∞ and no
 * direction to keep; it is passed on unchanged (and listed as clipped), so the
 * rule after the stage can exclude it. A finite stand-in such as zero would be
 * a value that rule could select (see shared.ts).
 */
import type { PreAggregationResult } from './types.ts';
import { commonDimension, scaleRows, squaredNorms } from '../kernels/vector.ts';
import { anyCount, defineStage } from './define.ts';

const params = {
  tau: { description: 'clipping threshold τ on the ℓ2 norm', default: 1, min: 0 },
};

/** min(1, τ/‖x‖)·x, a copy; a non-finite x is copied unchanged. */
export function clipTo(x: Float32Array, tau: number): Float32Array {
  const out: Float32Array[] = [];
  clipRows([x], [0], normsOf([x]), tau, out);
  return out[0];
}

/** ‖xᵢ‖ for every input (the square root of squaredNorm), +∞ for a non-finite one. */
export function normsOf(vectors: readonly Float32Array[]): Float64Array {
  // A float64 sum of float32 squares is finite exactly when every coordinate is.
  return squaredNorms(vectors).map((s) => (Number.isFinite(s) ? Math.sqrt(s) : Infinity));
}

/**
 * out[i] = min(1, τ/rᵢ)·xᵢ for each listed row i of norm rᵢ (normsOf's), a
 * copy where it is not clipped; returns the rows clipped (non-finite, or of
 * norm above τ), in the order listed. The clipped rows are scaled together,
 * one pass over them per attempt.
 */
export function clipRows(vectors: readonly Float32Array[], rows: readonly number[], norms: ArrayLike<number>, tau: number, out: Float32Array[]): number[] {
  const clipped: number[] = [];
  let pending: number[] = [];
  for (const i of rows) {
    const r = norms[i];
    if (r === Infinity || r > tau) clipped.push(i);
    if (r > tau && r < Infinity) pending.push(i);
    else out[i] = vectors[i].slice();
  }
  // Float32 rounding of the scaled coordinates may leave the norm a hair above
  // τ: shrink the factor until it does not (near float32's smallest values
  // rounding can defeat every factor, and only zero is left).
  for (let e = -24; e < 0 && pending.length > 0; e++) {
    const { scaled, squaredNorms: sq } = scaleRows(
      pending.map((i) => vectors[i]),
      pending.map((i) => (tau / norms[i]) * (1 - 2 ** e)),
    );
    const left: number[] = [];
    pending.forEach((i, k) => {
      if (Math.sqrt(sq[k]) <= tau) out[i] = scaled[k];
      else left.push(i);
    });
    pending = left;
  }
  for (const i of pending) out[i] = new Float32Array(vectors[i].length);
  return clipped;
}

export function clipApply(vectors: readonly Float32Array[], tau: number): PreAggregationResult {
  commonDimension(vectors, 'clip');
  const out: Float32Array[] = [];
  const clipped = clipRows(vectors, vectors.map((_, i) => i), normsOf(vectors), tau, out);
  return { vectors: out, sources: vectors.map((_, i) => [i]), diagnostics: { clipped } };
}

export const clip = defineStage({
  name: 'clip',
  aliases: ['clipping'],
  aliasSources: { clipping: 'ByzFL' },
  summary: 'Static clipping: scale every input with ℓ2 norm above τ down to norm τ.',
  reference: 'Allouah et al., The Vital Role of Gradient Clipping in Byzantine-Resilient Distributed Learning, 2024 (static baseline)',
  params,
  requirement: anyCount,
  apply: (vectors, _ctx, { tau }) => clipApply(vectors, tau),
});
