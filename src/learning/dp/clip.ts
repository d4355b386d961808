/**
 * Clipping, DP-SGD's first step (Abadi, Chu, Goodfellow, McMahan, Mironov,
 * Talwar, Zhang, Deep Learning with Differential Privacy, CCS 2016, Alg. 1):
 *
 *   per example   g = (1/b) Σ_k  g_k · min(1, G_max / ‖g_k‖)
 *   per batch     g = ḡ · min(1, G_max / ‖ḡ‖),   ḡ = (1/b) Σ_k g_k
 *
 * Per-example clipping bounds every example's contribution, so replacing one
 * example moves the mean by at most 2·G_max/b: the sensitivity the DP paper
 * (Guerraoui, Gupta, Pinot, Rouault, Stephan, PODC 2021, §2.3) calibrates its
 * noise on. Per-batch clipping is what that paper's code does
 * (LPD-EPFL/DifferentialByzantine, train.py: the minibatch gradient is
 * clipped whole, then noised); it bounds the mean's norm but not one
 * example's influence, so it gives no DP guarantee at that noise — it is here
 * to rerun the paper's experiments as they ran.
 *
 * Norms and scaled sums in float64, the result rounded once to float32: the
 * same arithmetic on every kernel path.
 */
import type { Labels, ModelKernels } from '../models/types.ts';

export type ClipScope = 'example' | 'batch';
export const CLIP_SCOPES: readonly ClipScope[] = ['example', 'batch'];

export interface Clipping {
  /** G_max > 0. */
  norm: number;
  scope: ClipScope;
}

/** min(1, G / ‖v‖) for a vector of squared norm `squared` (1 for a zero vector; 0 for a non-finite one, which would otherwise escape the bound). */
export function clipFactor(squared: number, norm: number): number {
  if (!Number.isFinite(squared)) return 0;
  return squared > norm * norm ? norm / Math.sqrt(squared) : 1;
}

/** The mean of the b per-example gradients laid out one after the other (b × dim), each clipped to `norm` first. */
export function clippedMean(perExample: Float32Array, dim: number, norm: number): Float32Array {
  const b = perExample.length / dim;
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`clippedMean: ${perExample.length} values are not a whole number of ${dim}-gradients`);
  const acc = new Float64Array(dim);
  for (let k = 0; k < b; k++) {
    const o = k * dim;
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += perExample[o + j] * perExample[o + j];
    const c = clipFactor(sq, norm);
    if (c === 0) continue;
    for (let j = 0; j < dim; j++) acc[j] += c * perExample[o + j];
  }
  const out = new Float32Array(dim);
  for (let j = 0; j < dim; j++) out[j] = acc[j] / b;
  return out;
}

/** g scaled to norm ≤ `norm` (a copy; a non-finite g becomes 0). */
export function clipVector(g: Float32Array, norm: number): Float32Array {
  let sq = 0;
  for (let j = 0; j < g.length; j++) sq += g[j] * g[j];
  const c = clipFactor(sq, norm);
  const out = new Float32Array(g.length);
  if (c === 1) out.set(g);
  else if (c > 0) for (let j = 0; j < g.length; j++) out[j] = c * g[j];
  return out;
}

/** The model's minibatch gradient under `clip`: per-example gradients clipped then averaged, or the mean clipped. */
export function clippedGradient(kernels: Pick<ModelKernels, 'gradient' | 'perExample' | 'clippedGradient'>, clip: Clipping): (theta: Float32Array, X: Float32Array, Y: Labels, rows: Int32Array) => Float32Array {
  if (!(clip.norm > 0) || !Number.isFinite(clip.norm)) throw new RangeError(`dp.clip: must be a positive number (got ${clip.norm})`);
  if (clip.scope === 'batch') return (theta, X, Y, rows) => clipVector(kernels.gradient(theta, X, Y, rows), clip.norm);
  const fused = kernels.clippedGradient;
  if (fused) return (theta, X, Y, rows) => fused(theta, X, Y, rows, clip.norm);
  return (theta, X, Y, rows) => clippedMean(kernels.perExample(theta, X, Y, rows), theta.length, clip.norm);
}
