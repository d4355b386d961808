/**
 * resample-wr — resampling with replacement (He, Karimireddy, Jaggi,
 * Algorithm 3, Appendix C).
 *
 *   for t = 1, …, T = n:  j₁ᵗ, …, jₛᵗ ~ Uniform([n]) independently,
 *                          ḡₜ = (1/s) Σᵢ g_{jᵢᵗ}
 *
 * T = n as in Algorithm 1. Unlike Algorithm 2 no input is capped, so one
 * Byzantine input may reach every output: there is no worst-case bound below
 * n′. The paper's Lemma 3 bounds the count in expectation,
 *
 *   f̃ = T(1 − (1 − f/n)ˢ),
 *
 * and Theorem V asks 2f̃ + 2 < T of Krum, holding with probability pᴷ over K
 * rounds. Transform: n′ = n, f′ = ⌈f̃⌉, flagged `bound: 'expected'`, so that
 * compositions check the paper's condition and say it holds in expectation
 * only. Requirement: n ≥ 1.
 * Diagnostics: `samples[t]` = the s input indices output t averaged.
 *
 * Reference: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, 2020 (arXiv:2006.09365v1;
 * Algorithm 3, Lemma 3, Theorem V).
 *
 * Deliberate choice: a non-finite input is passed on, so every output that
 * draws it is non-finite and the rule after the stage can exclude them (see
 * shared.ts); with replacement their number is bounded in expectation only.
 */
import type { PreAggregationResult } from './types.ts';
import type { Rng } from '../sim/rng.ts';
import { anyCount, defineStage } from './define.ts';
import { commonDimension } from '../kernels/vector.ts';
import { meansAndNonFinite, requireRng } from './shared.ts';

const params = {
  s: {
    description: 'inputs drawn (with replacement) per output; at most 100: the paper uses s = 2, and a call averages n·s inputs',
    default: 2,
    min: 1,
    max: 100,
    integer: true,
  },
};

/** ⌈T(1 − (1 − f/n)ˢ)⌉ with T = n, the expected number of outputs touching a Byzantine input, rounded up. */
export function expectedTouched(n: number, f: number, s: number): number {
  if (f <= 0) return 0;
  // Rounding must not turn an exact integer such as 7.000000000000001 into 8.
  const x = n * (1 - (1 - f / n) ** s);
  return Math.min(n, Math.ceil(x - 1e-9 * n));
}

export function resampleWrApply(vectors: readonly Float32Array[], rng: Rng, s: number): PreAggregationResult {
  commonDimension(vectors, 'resample-wr');
  const n = vectors.length;
  const samples: number[][] = [];
  for (let t = 0; t < n; t++) {
    const group: number[] = [];
    for (let i = 0; i < s; i++) group.push(rng.int(n));
    samples.push(group);
  }
  const { means, nonFinite } = meansAndNonFinite(vectors, samples);
  return {
    vectors: means,
    sources: samples,
    diagnostics: nonFinite.length ? { samples, nonFinite } : { samples },
  };
}

export const resampleWr = defineStage({
  name: 'resample-wr',
  summary: 'Resampling with replacement: n outputs, each the mean of s independent uniform draws (f′ bounded in expectation only).',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, 2020 (Algorithm 3)',
  params,
  requirement: anyCount,
  randomized: true,
  transform: {
    text: 'n′ = n, f′ = ⌈n(1 − (1 − f/n)^s)⌉ in expectation',
    counts: (n, f, { s }) => ({ n, f: expectedTouched(n, f, s), bound: 'expected' }),
    describe: (n, f, { s }) => ({ n, f: `⌈${n}(1 − (1 − ${f}/${n})^${s})⌉` }),
  },
  apply: (vectors, ctx, { s }) => resampleWrApply(vectors, requireRng(ctx.rng, 'resample-wr'), s),
});
