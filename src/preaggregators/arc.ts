/**
 * arc — adaptive robust clipping.
 *
 *   k = ⌊2 (f/n) (n − f)⌋,   π sorting the norms: ‖x_π(1)‖ ≥ … ≥ ‖x_π(n)‖,
 *   C = ‖x_π(k+1)‖,          arc(x₁, …, xₙ) = (min(1, C/‖xᵢ‖) xᵢ)ᵢ
 *
 * so the k largest-norm inputs are clipped to the norm of the largest one
 * left alone, and the others pass unchanged (k = 0 when f = 0).
 * Transform: n′ = n, f′ = f. C depends on every input, but an honest output
 * is still its own input scaled by min(1, C/‖xᵢ‖), and since f < n/2 gives
 * k ≥ f, the k + 1 largest norms include an honest one, so C never exceeds
 * the largest honest norm: the Byzantine inputs are clipped to honest scale.
 * Requirement: n ≥ 2f + 1 (the paper's f < n/2).
 *
 * Reference: Allouah, Guerraoui, Gupta, Jellouli, Rizk, Stephan, The Vital
 * Role of Gradient Clipping in Byzantine-Resilient Distributed Learning, 2024
 * (arXiv:2405.14432; Algorithm 1, ARC), as in ByzFL's `ARC`.
 *
 * Deliberate choices:
 * - Inputs with a non-finite coordinate have norm +∞, so with at most k of
 *   them (k ≥ f) they are among the clipped; having no direction, they are
 *   passed on unchanged for the rule after the stage to exclude (a zero
 *   stand-in is a value that rule could select: see shared.ts). C is always
 *   computed from the ranking, so ties in norm do not matter (clipping a
 *   vector to its own norm is a no-op).
 */
import type { PreAggregationResult } from './types.ts';
import { honestMajority as requirement } from '../aggregators/define.ts';
import { commonDimension } from '../kernels/vector.ts';
import { defineStage } from './define.ts';
import { clipRows, normsOf } from './clip.ts';

/** ⌊2(f/n)(n − f)⌋, computed in integers so that e.g. f = 1, n = 4 gives 1 exactly. */
export function arcClipCount(n: number, f: number): number {
  return Math.floor((2 * f * (n - f)) / n);
}

export function arcApply(vectors: readonly Float32Array[], f: number): PreAggregationResult {
  commonDimension(vectors, 'arc');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`arc requires ${requirement.text} (got n=${n}, f=${f})`);
  const norms = normsOf(vectors);
  const k = arcClipCount(n, f);
  const byNorm = vectors.map((_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b);
  const threshold = norms[byNorm[k]];
  const clipped = byNorm.slice(0, k).sort((a, b) => a - b);
  const out: Float32Array[] = [];
  clipRows(vectors, clipped, norms, threshold, out);
  for (let i = 0; i < n; i++) out[i] ??= vectors[i].slice();
  return { vectors: out, sources: vectors.map((_, i) => [i]), diagnostics: { clipped, threshold } };
}

export const arc = defineStage({
  name: 'arc',
  summary: 'Adaptive robust clipping: clip the ⌊2(f/n)(n − f)⌋ largest-norm inputs to the norm of the next largest.',
  reference: 'Allouah et al., The Vital Role of Gradient Clipping in Byzantine-Resilient Distributed Learning, 2024',
  requirement,
  apply: (vectors, ctx) => arcApply(vectors, ctx.f),
});
