/**
 * resample — s-resampling without replacement (He, Karimireddy, Jaggi,
 * Algorithm 2).
 *
 *   c[i] = 0 for all i;  for t = 1, …, T = n:
 *     for i = 1, …, s: draw j ~ Uniform([n]) until c[j] < s; c[j] += 1; jᵢᵗ = j
 *     ḡₜ = (1/s) Σᵢ g_{jᵢᵗ}
 *
 * Every input is used exactly s times in all (T·s = n·s draws against n
 * counters capped at s); an output may average the same input twice, as in
 * the paper's algorithm. Draws come from ctx.rng, one `int(n)` per try.
 * Transform: n′ = T = n, f′ = min(s·f, n) (Proposition I: at most s·f outputs
 * touch a Byzantine input). Requirement: n ≥ 1.
 * Diagnostics: `samples[t]` = the s input indices output t averaged, in draw
 * order (positions in the composite's input list).
 *
 * Reference: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, 2020 (arXiv:2006.09365v1;
 * Algorithm 2 and Proposition I).
 *
 * Deliberate choice: a non-finite input is passed on, so the (at most s)
 * outputs that average it are non-finite and the rule after the stage can
 * exclude them (see shared.ts).
 */
import type { PreAggregationResult } from './types.ts';
import type { Rng } from '../sim/rng.ts';
import { anyCount, defineStage } from './define.ts';
import { nonFiniteIndices, meanOfIndices, requireRng, times } from './shared.ts';

const params = {
  s: {
    description: 'inputs averaged per output, and uses allowed per input; at most 100: the paper uses s = 2, and a call averages n·s inputs',
    default: 2,
    min: 1,
    max: 100,
    integer: true,
  },
};

/** The index lists of Algorithm 2: T = n lists of s draws, each index used exactly s times. */
export function resampleIndices(n: number, s: number, rng: Rng): number[][] {
  const c = new Int32Array(n);
  const samples: number[][] = [];
  for (let t = 0; t < n; t++) {
    const group: number[] = [];
    for (let i = 0; i < s; i++) {
      let j = rng.int(n);
      while (c[j] >= s) j = rng.int(n);
      c[j]++;
      group.push(j);
    }
    samples.push(group);
  }
  return samples;
}

export function resampleApply(vectors: readonly Float32Array[], rng: Rng, s: number): PreAggregationResult {
  const nonFinite = nonFiniteIndices(vectors, 'resample');
  const xs = vectors;
  const samples = resampleIndices(xs.length, s, rng);
  return {
    vectors: samples.map((group) => meanOfIndices(xs, group)),
    sources: samples,
    diagnostics: nonFinite.length ? { samples, nonFinite } : { samples },
  };
}

export const resample = defineStage({
  name: 'resample',
  summary: 's-resampling without replacement: n outputs, each the mean of s draws, each input drawn exactly s times.',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, 2020 (Algorithm 2)',
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
