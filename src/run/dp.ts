/**
 * Differential privacy on the honest workers, as the DP paper runs it
 * (Guerraoui, Gupta, Pinot, Rouault, Stephan, Differential Privacy and
 * Byzantine Resilience in SGD: Do They Add Up?, PODC 2021, §2.3 and §5.1):
 * each worker that applies it clips its minibatch gradient (per example by
 * default: src/learning/dp/clip.ts, done by the learning task) and sends
 *
 *   o_t⁽ⁱ⁾ = g_t⁽ⁱ⁾ + y_t⁽ⁱ⁾,   y ~ N(0, s² I_d)                          (eq. 6–7)
 *
 * with s given (`dp.sigma`) or calibrated from the per-step (ε, δ):
 * s = 2·G_max·√(2 ln(1.25/δ)) / (b·ε). The noise comes from the worker's own
 * stream `worker/<i>/dp`, so a run with DP draws the same minibatches as the
 * run without. A worker computing in a round it is Byzantine computes for the
 * adversary and adds nothing. What the adversary observes is what the
 * workers send: noised gradients only.
 *
 * Accounting, per worker, over the noised gradients it released: basic
 * composition of the per-step (ε, δ) (Dwork & Roth 2014, Thm 3.16), and the
 * Rényi DP of the subsampled Gaussian mechanism (Mironov, Talwar, Zhang 2019;
 * Abadi et al. 2016) at sampling rate q = b / m_i (m_i the examples worker i
 * holds) and noise multiplier z = s·b / G_max, converted to (ε, δ) at the
 * same total δ as basic composition's. The RDP figure follows TF Privacy's
 * and Opacus's convention: Poisson sampling and add/remove-one adjacency,
 * while byzsim's minibatches are b distinct examples drawn uniformly — the
 * standard way DP-SGD is reported, not a proof for fixed-size batches.
 * With `clipping: batch` (the paper's code) neither figure is a guarantee:
 * one example can move a clipped batch gradient by 2·G_max, not 2·G_max/b.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { Streams } from '../sim/rng.ts';
import type { Clipping } from '../learning/dp/clip.ts';
import { addGaussianNoise } from '../learning/dp/gaussian.ts';
import { classicalRegime, gaussianEpsilon, gaussianSigma, noiseMultiplier, noiseVariance } from '../learning/dp/calibrate.ts';
import { basicComposition, subsampledGaussianEpsilon } from '../learning/dp/accountant.ts';
import type { GradientFn } from './worker-momentum.ts';

export interface DpSetup {
  clipping: Clipping;
  /** s, the noise std per coordinate (0: clipping only, no noise, no privacy). */
  sigma: number;
  /** The per-step (ε, δ): ε given, or the ε that s gives at δ by the paper's formula (∞ without noise). */
  perStep: { epsilon: number; delta: number };
  /** Whether s was calibrated from epsilon or given as sigma. */
  from: 'epsilon' | 'sigma';
  /** Whether worker i applies DP in the rounds it is honest. */
  applies: boolean[];
  batchSize: number;
}

/** The scenario's DP setup, or undefined without a dp section. */
export function dpSetup(s: Scenario): DpSetup | undefined {
  const dp = s.dp;
  if (!dp) return undefined;
  const batchSize = s.data.batchSize;
  const { clip } = dp;
  const delta = dp.delta ?? 0;
  const sigma = dp.sigma ?? gaussianSigma({ clip, batchSize, epsilon: dp.epsilon!, delta });
  const epsilon = dp.epsilon ?? (sigma === 0 ? Infinity : gaussianEpsilon({ clip, batchSize, sigma, delta }));
  const applies = new Array<boolean>(s.workers).fill(dp.workers === 'all');
  if (dp.workers !== 'all') for (const w of dp.workers) applies[w] = true;
  return { clipping: { norm: clip, scope: dp.clipping }, sigma, perStep: { epsilon, delta }, from: dp.sigma === undefined ? 'epsilon' : 'sigma', applies, batchSize };
}

/** The workers that clip (for the learning task): undefined when all do. */
export function clippingWorkers(dp: DpSetup): number[] | undefined {
  return dp.applies.every(Boolean) ? undefined : dp.applies.flatMap((a, i) => (a ? [i] : []));
}

/** d·s², the noise's variance on one noised gradient (eq. 8's term). */
export function dpNoiseVariance(dp: DpSetup, dim: number): number {
  return noiseVariance(dim, dp.sigma);
}

export interface DpNoise {
  gradient: GradientFn;
  /** Noised gradients each worker released. */
  released(): number[];
}

/**
 * The workers' gradient with DP noise added to the honest gradients of the
 * workers that apply it; `observe` sees each honest gradient before noise.
 */
export function withDpNoise(
  gradient: GradientFn,
  dp: DpSetup,
  streams: Streams,
  observe?: (worker: number, round: number, clean: Float32Array, noised: boolean) => void,
): DpNoise {
  const released = new Array<number>(dp.applies.length).fill(0);
  return {
    gradient(theta, worker, rng, labels, forAdversary, round) {
      const g = gradient(theta, worker, rng, labels, forAdversary, round);
      if (forAdversary) return g;
      const noised = dp.applies[worker] && dp.sigma > 0;
      observe?.(worker, round, g, noised);
      if (!noised) return g;
      released[worker]++;
      return addGaussianNoise(g, dp.sigma, streams.get(`worker/${worker}/dp`));
    },
    released: () => released.slice(),
  };
}

/** What a run spent, for the worker that released the most noised gradients. */
export interface PrivacySpent {
  clipping: Clipping['scope'];
  clip: number;
  sigma: number;
  /** How s was set: calibrated from the per-step ε, or given. */
  from: 'epsilon' | 'sigma';
  perStep: { epsilon: number; delta: number };
  /** Whether the per-step ε is in the Gaussian mechanism's classical range ε < 1 (Dwork & Roth, Thm A.1). */
  classical: boolean;
  /** The worker the totals are for, and the noised gradients it released. */
  worker: number;
  steps: number;
  /** Basic composition: (T·ε, T·δ). */
  basic: { epsilon: number; delta: number };
  /** RDP of the subsampled Gaussian at q = b/m, z = s·b/G_max, converted at the same δ as `basic` (capped below 1). */
  rdp: { epsilon: number; delta: number; order: number; q: number; noiseMultiplier: number };
  /** Worker ids that released noised gradients (the others released none). */
  workers: number;
}

/** Totals from each worker's releases and the examples it holds; undefined when nothing noised was released (sigma: 0, or no worker applied DP). */
export function privacySpent(dp: DpSetup, released: readonly number[], held: readonly number[]): PrivacySpent | undefined {
  let worker = -1;
  for (let i = 0; i < released.length; i++) {
    // The most releases; among equals, the smallest shard (the largest sampling rate).
    if (released[i] > 0 && (worker < 0 || released[i] > released[worker] || (released[i] === released[worker] && held[i] < held[worker]))) worker = i;
  }
  if (worker < 0) return undefined;
  const steps = released[worker];
  const basic = basicComposition({ ...dp.perStep, steps });
  const delta = Math.min(basic.delta, 0.5);
  const q = Math.min(1, dp.batchSize / held[worker]);
  const z = noiseMultiplier({ sigma: dp.sigma, clip: dp.clipping.norm, batchSize: dp.batchSize });
  const rdp = subsampledGaussianEpsilon({ q, noiseMultiplier: z, steps, delta });
  return {
    clipping: dp.clipping.scope,
    clip: dp.clipping.norm,
    sigma: dp.sigma,
    from: dp.from,
    perStep: dp.perStep,
    classical: classicalRegime(dp.perStep.epsilon),
    worker,
    steps,
    basic,
    rdp: { epsilon: rdp.epsilon, delta, order: rdp.order, q, noiseMultiplier: z },
    workers: released.filter((r) => r > 0).length,
  };
}
