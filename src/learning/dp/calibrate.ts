/**
 * Calibrating the Gaussian mechanism on a worker's clipped minibatch gradient
 * (Guerraoui, Gupta, Pinot, Rouault, Stephan, Differential Privacy and
 * Byzantine Resilience in SGD: Do They Add Up?, PODC 2021, §2.3 and eq. 8):
 *
 *   Δ = 2·G_max / b                                 (mean of b clipped gradients, replace-one adjacency)
 *   s = 2·G_max·√(2·ln(1.25/δ)) / (b·ε)             (noise std per coordinate, per-step (ε, δ))
 *   d·s² = 8·d·G_max²·ln(1.25/δ) / (ε²·b²)          (the noise term in eq. 8's VN ratio)
 *
 * The (ε, δ) guarantee is the classical Gaussian-mechanism theorem (Dwork &
 * Roth, The Algorithmic Foundations of Differential Privacy, 2014, Thm A.1),
 * proved for ε < 1 only (the paper assumes (ε, δ) ∈ (0, 1)², Remark 3). ε ≥ 1
 * is still calibrated by the same formula rather than refused, and
 * `classicalRegime` lets a caller warn that the theorem no longer covers it.
 *
 * TF-Privacy and Opacus speak of a noise multiplier z instead: the std of the
 * noise on the *sum* of clipped per-example gradients over the clipping norm,
 * under add/remove-one adjacency (the sum's sensitivity is then G_max). The
 * same noise on the mean is s = z·G_max/b, so z = s·b/G_max; with this
 * calibration z = 2·√(2·ln(1.25/δ))/ε. Under the paper's replace-one
 * adjacency the sum's sensitivity is 2·G_max, so an unsubsampled Gaussian
 * accounted with multiplier z/2 gives the replace-one guarantee.
 */

export interface GaussianCalibration {
  /** G_max > 0: the L2 bound on every per-example gradient. */
  clip: number;
  /** b ≥ 1: the examples averaged into one gradient. */
  batchSize: number;
  /** Per-step ε > 0. */
  epsilon: number;
  /** Per-step δ ∈ (0, 1). */
  delta: number;
}

function requirePositive(field: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`dp.${field}: must be > 0 (got ${value})`);
}

function requirePositiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`dp.${field}: must be a positive integer (got ${value})`);
}

/** s = 2·G_max·√(2·ln(1.25/δ)) / (b·ε): the per-coordinate noise std that makes one step (ε, δ)-DP. */
export function gaussianSigma({ clip, batchSize, epsilon, delta }: GaussianCalibration): number {
  requirePositive('clip', clip);
  requirePositiveInteger('batchSize', batchSize);
  requirePositive('epsilon', epsilon);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`dp.delta: must be in (0, 1) (got ${delta})`);
  return (2 * clip * Math.sqrt(2 * Math.log(1.25 / delta))) / (batchSize * epsilon);
}

/** The inverse: the per-step ε at which noise std s gives (ε, δ)-DP by the same formula, ε = 2·G_max·√(2·ln(1.25/δ)) / (b·s). */
export function gaussianEpsilon({ clip, batchSize, sigma, delta }: { clip: number; batchSize: number; sigma: number; delta: number }): number {
  requirePositive('clip', clip);
  requirePositiveInteger('batchSize', batchSize);
  requirePositive('sigma', sigma);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`dp.delta: must be in (0, 1) (got ${delta})`);
  return (2 * clip * Math.sqrt(2 * Math.log(1.25 / delta))) / (batchSize * sigma);
}

/** Whether ε ∈ (0, 1), where Dwork & Roth's Thm A.1 proves the calibration (ε, δ)-DP. */
export function classicalRegime(epsilon: number): boolean {
  return epsilon > 0 && epsilon < 1;
}

/** d·s²: the expected squared norm of the noise a worker adds to a d-dimensional gradient. */
export function noiseVariance(dim: number, sigma: number): number {
  requirePositiveInteger('dim', dim);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`dp.sigma: must be ≥ 0 (got ${sigma})`);
  return dim * sigma * sigma;
}

/** z = s·b/G_max: the noise std on the sum of clipped per-example gradients over the clipping norm. */
export function noiseMultiplier({ sigma, clip, batchSize }: { sigma: number; clip: number; batchSize: number }): number {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`dp.sigma: must be ≥ 0 (got ${sigma})`);
  requirePositive('clip', clip);
  requirePositiveInteger('batchSize', batchSize);
  return (sigma * batchSize) / clip;
}
