/**
 * resample — s-resampling without replacement (He, Karimireddy, Jaggi,
 * Algorithm 2 and Proposition I).
 *
 *   pool = s copies of each index 1, …, n, in a uniformly random order;
 *   for t = 1, …, T = n:  group t = pool[(t−1)s + 1 … ts],  ḡₜ = (1/s) Σ_{j ∈ group t} g_j
 *
 * Every input is used exactly s times in all, and each group is a uniform
 * draw of s of the sn copies without replacement, so the T outputs are
 * identically distributed with, as Proposition I states,
 *
 *   E[ḡₜ] = µ,   E‖ḡₜ − µ‖² = (n − 1)/(sn − 1) · σ²,   σ² = (1/n) Σ ‖gᵢ − µ‖²,
 *
 * (and the same over the good inputs for a good ḡₜ), the finite-population
 * variance of s draws from a population of sn. A group may therefore hold
 * two copies of the same input: the proposition's factor counts them
 * (groups of s distinct inputs would have (n − s)/(s(n − 1)) · σ² instead).
 * Draws come from ctx.rng: one Fisher–Yates shuffle of the pool, sn − 1
 * draws. Transform: n′ = T = n, f′ = min(s·f, n) (Proposition I: a Byzantine
 * input is in at most s groups). Requirement: n ≥ 1.
 * Diagnostics: `samples[t]` = the s input indices output t averaged, in pool
 * order (positions in the composite's input list).
 *
 * Reference: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, 2020 (arXiv:2006.09365v1;
 * Algorithm 2 and Proposition I).
 *
 * Deliberate differences:
 * - Not the pseudo-code's literal draws. Algorithm 2 draws j ~ Uniform([n])
 *   until c[j] < s, group after group; later groups then draw from whatever
 *   capacity the earlier ones left, so the groups are not identically
 *   distributed and Proposition I fails (x_i = i, n = 8, s = 2: E‖ḡ₁ − µ‖² ≈
 *   2.62 and E‖ḡ₈ − µ‖² ≈ 3.01 against 2.45). Its proof treats each group as
 *   s draws without replacement from the sn copies, which is what cutting a
 *   shuffled pool gives, and what the authors' code does (resampling_wrapper
 *   in epfml/byzantine-robust-noniid-optimizer, legacy.py: the indices
 *   repeated s times, np.random.shuffle, consecutive slices of s).
 * - A non-finite input is passed on, so the (at most s) outputs that average
 *   it are non-finite and the rule after the stage can exclude them (see
 *   shared.ts).
 */
import type { PreAggregationResult } from './types.ts';
import type { Rng } from '../sim/rng.ts';
import { anyCount, defineStage } from './define.ts';
import { commonDimension } from '../kernels/vector.ts';
import { meansAndNonFinite, requireRng, times } from './shared.ts';

const params = {
  s: {
    description: 'inputs averaged per output, and uses allowed per input; at most 100: the paper uses s = 2, and a call averages n·s inputs',
    default: 2,
    min: 1,
    max: 100,
    integer: true,
  },
};

/** The groups of Algorithm 2: a shuffled pool of s copies of each index, cut into T = n groups of s. */
export function resampleIndices(n: number, s: number, rng: Rng): number[][] {
  const pool = rng.shuffle(Array.from({ length: n * s }, (_, k) => k % n));
  return Array.from({ length: n }, (_, t) => pool.slice(t * s, (t + 1) * s));
}

export function resampleApply(vectors: readonly Float32Array[], rng: Rng, s: number): PreAggregationResult {
  commonDimension(vectors, 'resample');
  const samples = resampleIndices(vectors.length, s, rng);
  const { means, nonFinite } = meansAndNonFinite(vectors, samples);
  return {
    vectors: means,
    sources: samples,
    diagnostics: nonFinite.length ? { samples, nonFinite } : { samples },
  };
}

export const resample = defineStage({
  name: 'resample',
  summary: 's-resampling without replacement: n outputs, the means of n groups of s cut from a shuffled pool of s copies of each input.',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, 2020 (Algorithm 2, Proposition I)',
  params,
  requirement: anyCount,
  randomized: true,
  transform: {
    text: 'n′ = n, f′ = s·f',
    counts: (n, f, { s }) => ({ n, f: Math.min(s * f, n), bound: 'worst-case' }),
    describe: (n, f, { s }) => ({ n, f: times(s, f) }),
  },
  apply: (vectors, ctx, { s }) => resampleApply(vectors, requireRng(ctx.rng, 'resample'), s),
});
