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
import { commonDimension, norm, scale } from '../kernels/vector.ts';
import { anyCount, defineStage } from './define.ts';

const params = {
  tau: { description: 'clipping threshold τ on the ℓ2 norm', default: 1, min: 0 },
};

/** min(1, τ/‖x‖)·x, a copy; a non-finite x is copied unchanged. */
export function clipTo(x: Float32Array, tau: number): Float32Array {
  return clipOne(x, tau).y;
}

/**
 * clipTo, and whether x was clipped (non-finite, or of norm above τ). One
 * pass finds both: ‖x‖ summed in float64 is finite exactly when every
 * coordinate is (float32 squares cannot overflow it).
 */
function clipOne(x: Float32Array, tau: number): { y: Float32Array; clipped: boolean } {
  const r = norm(x);
  if (!Number.isFinite(r)) return { y: x.slice(), clipped: true };
  if (!(r > tau)) return { y: x.slice(), clipped: false };
  // Float32 rounding of the scaled coordinates may leave the norm a hair above
  // τ: shrink the factor until it does not (near float32's smallest values
  // rounding can defeat every factor, and only zero is left).
  for (let e = -24; e < 0; e++) {
    const out = scale(x, (tau / r) * (1 - 2 ** e));
    if (norm(out) <= tau) return { y: out, clipped: true };
  }
  return { y: new Float32Array(x.length), clipped: true };
}

export function clipApply(vectors: readonly Float32Array[], tau: number): PreAggregationResult {
  commonDimension(vectors, 'clip');
  const clipped: number[] = [];
  const out = vectors.map((x, i) => {
    const { y, clipped: was } = clipOne(x, tau);
    if (was) clipped.push(i);
    return y;
  });
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
