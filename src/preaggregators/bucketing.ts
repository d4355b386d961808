/**
 * bucketing — means of random buckets of s inputs.
 *
 *   π a uniform random permutation of [n] (drawn from ctx.rng),
 *   yᵢ = mean of x_{π((i−1)s+1)}, …, x_{π(min(n, is))},   i = 1, …, ⌈n/s⌉
 *
 * Transform: n′ = ⌈n/s⌉, f′ = min(f, n′): each input lands in exactly one
 * bucket, so at most f buckets hold a Byzantine input (the fraction f′/n′
 * grows to about s·f/n, which is why the paper asks for s ≤ δ_max / δ).
 * Requirement: n ≥ 1.
 *
 * Reference: Karimireddy, He, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Bucketing, ICLR 2022 (Algorithm 1).
 *
 * Deliberate choices:
 * - When s does not divide n, the last bucket averages its n − (⌈n/s⌉ − 1)s
 *   members (as ByzFL does) rather than dividing their sum by s as the
 *   paper's formula reads, which would shrink it towards zero.
 * - A non-finite input is passed on: the mean of its bucket is non-finite,
 *   and the rule after the stage can exclude it (see shared.ts).
 */
import type { PreAggregationResult } from './types.ts';
import type { Rng } from '../sim/rng.ts';
import { commonDimension } from '../kernels/vector.ts';
import { anyCount, defineStage } from './define.ts';
import { meansAndNonFinite, requireRng } from './shared.ts';

const params = {
  s: { description: 'bucket size; at most 100000, byzsim’s largest n (s ≥ n is a single bucket: the mean)', default: 2, min: 1, max: 100_000, integer: true },
};

export function bucketingApply(vectors: readonly Float32Array[], rng: Rng, s: number): PreAggregationResult {
  commonDimension(vectors, 'bucketing');
  const n = vectors.length;
  const perm = rng.shuffle(vectors.map((_, i) => i));
  const buckets: number[][] = [];
  for (let start = 0; start < n; start += s) buckets.push(perm.slice(start, start + s));
  const { means, nonFinite } = meansAndNonFinite(vectors, buckets);
  return {
    vectors: means,
    sources: buckets,
    diagnostics: nonFinite.length ? { buckets, nonFinite } : { buckets },
  };
}

export const bucketing = defineStage({
  name: 'bucketing',
  summary: 'Bucketing: shuffle the inputs, split them into buckets of s and pass on the ⌈n/s⌉ bucket means.',
  reference: 'Karimireddy, He, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing, ICLR 2022',
  params,
  requirement: anyCount,
  randomized: true,
  transform: {
    text: 'n′ = ⌈n/s⌉, f′ = f',
    counts: (n, f, { s }) => {
      const buckets = Math.ceil(n / s);
      return { n: buckets, f: Math.min(f, buckets), bound: 'worst-case' };
    },
    describe: (n, f, { s }) => ({ n: s === 1 ? n : `⌈${n}/${s}⌉`, f }),
  },
  apply: (vectors, ctx, { s }) => bucketingApply(vectors, requireRng(ctx.rng, 'bucketing'), s),
});
