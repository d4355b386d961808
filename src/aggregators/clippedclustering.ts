/**
 * clippedclustering — clipping at the median of every norm seen so far, then
 * the mean of the larger cosine cluster.
 *
 *   τₜ = median of ‖x‖₂ over every input of rounds 1, …, t (this round's included),
 *   x̃ᵢ = xᵢ · min(1, τₜ / ‖xᵢ‖₂),
 *   clippedclustering(x₁, …, xₙ) = (1/|C|) Σ_{i∈C} x̃ᵢ,
 *
 * with C the larger of the two agglomerative clusters of the x̃ᵢ by cosine
 * distance 1 − cos(x̃ᵢ, x̃ⱼ), as in ./clustering.ts (average linkage by
 * default). Clustering drops inputs pointing elsewhere; clipping bounds what
 * an input aligned with the honest ones adds to the mean, τₜ/|C|. The median
 * over the whole history rather than one round follows the norms as training
 * shrinks them and stays among honest norms while honest inputs are the
 * majority of all inputs received. Stateful: the instance keeps the norms.
 * Requirement: n ≥ 2f + 1.
 *
 * Reference: Li, Ngai, Voigt, An Experimental Study of Byzantine-Robust
 * Aggregation Schemes in Federated Learning, IEEE Transactions on Big Data,
 * 2023 (ClippedClustering).
 *
 * Peer: Blades' `Clippedclustering`, by the paper's first author (github
 * lishenghui/blades, fllib/aggregators/clippedclustering.py at
 * 31a5ed3c436504e249083a7c88b5f95df7370745, the same code as
 * blades/aggregators/clippedclustering.py at da7b4d8a): it appends every norm
 * to `l2norm_his`, takes τ = min(np.median(l2norm_his), max_tau = 1e5),
 * clips each input of norm > τ by `clip_tensor_norm_` (factor τ/(‖x‖ + 1e-6)),
 * clusters 1 − cos with AgglomerativeClustering (average linkage; single is
 * offered), and returns the mean of the larger cluster's clipped updates.
 * test/fixtures/peers/clustering_foolsgold.py transcribes it.
 *
 * Deliberate differences and choices:
 * - No cap max_tau on τ, and the factor is τ/‖x‖ exactly (Blades adds 1e-6 to
 *   the norm), so that the rule is scale-equivariant; for norms below 1e5 the
 *   outputs differ by at most 1e-6 per coordinate.
 * - Cosines are taken of the inputs before clipping: clipping multiplies by a
 *   positive factor, which leaves every cosine, and so the clusters, unchanged.
 * - An input with a non-finite coordinate is excluded from the clustering and
 *   its norm is not recorded. In Blades a NaN norm makes the median NaN, which
 *   switches clipping off for that round and every round after.
 * - Ties as in ./clustering.ts: by the lexicographic order of the (unclipped)
 *   inputs, never by position.
 * - A call whose dimension differs from the previous call's forgets the norms
 *   (a new model); `reset()` forgets them too.
 */
import type { AggregationResult, Aggregator } from './types.ts';
import { commonDimension, squaredNorms } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { defineRule, honestMajority as requirement } from './define.ts';
import { gramOf, largerCluster, linkageOption, type Linkage } from './clustering.ts';

const options = { linkage: linkageOption };

/**
 * The median of a growing multiset of numbers (mean of the two middle values
 * for an even count, as np.median): a max-heap of the lower half and a
 * min-heap of the upper half, O(log m) per value.
 */
class RunningMedian {
  /** Lower half, max at [0]; never smaller than `upper`, at most one larger. */
  private lower: number[] = [];
  /** Upper half, min at [0]. */
  private upper: number[] = [];

  get size(): number {
    return this.lower.length + this.upper.length;
  }

  clear(): void {
    this.lower = [];
    this.upper = [];
  }

  push(x: number): void {
    if (this.lower.length === 0 || x <= this.lower[0]) heapPush(this.lower, x, (a, b) => a > b);
    else heapPush(this.upper, x, (a, b) => a < b);
    if (this.lower.length > this.upper.length + 1) heapPush(this.upper, heapPop(this.lower, (a, b) => a > b), (a, b) => a < b);
    else if (this.upper.length > this.lower.length) heapPush(this.lower, heapPop(this.upper, (a, b) => a < b), (a, b) => a > b);
  }

  median(): number {
    if (this.lower.length === 0) return NaN;
    return this.lower.length > this.upper.length ? this.lower[0] : (this.lower[0] + this.upper[0]) / 2;
  }
}

/** `first(a, b)`: a belongs nearer the top than b. */
type Order = (a: number, b: number) => boolean;

function heapPush(h: number[], x: number, first: Order): void {
  let i = h.push(x) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!first(h[i], h[parent])) break;
    [h[i], h[parent]] = [h[parent], h[i]];
    i = parent;
  }
}

function heapPop(h: number[], first: Order): number {
  const top = h[0];
  const last = h.pop()!;
  if (h.length === 0) return top;
  h[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && first(h[l], h[m])) m = l;
    if (r < h.length && first(h[r], h[m])) m = r;
    if (m === i) return top;
    [h[i], h[m]] = [h[m], h[i]];
    i = m;
  }
}

/** A clippedclustering instance: an Aggregator that keeps the norms it has seen. */
export interface ClippedClusteringAggregator extends Aggregator {
  /** Number of norms recorded so far. */
  readonly recorded: number;
  /** Forgets the norms; the next call starts a new history. */
  reset(): void;
}

export const clippedclustering = defineRule({
  name: 'clippedclustering',
  summary: 'Clip to the median of all norms seen so far, then the mean of the larger of two cosine clusters (stateful).',
  reference: 'Li, Ngai, Voigt, An Experimental Study of Byzantine-Robust Aggregation Schemes in Federated Learning, IEEE Transactions on Big Data 2023',
  options,
  requirement,
  stateful: true,
  init({ linkage }): Pick<ClippedClusteringAggregator, 'recorded' | 'reset' | 'aggregate'> {
    const history = new RunningMedian();
    let dimension = -1;
    return {
      get recorded() {
        return history.size;
      },
      reset() {
        history.clear();
        dimension = -1;
      },
      aggregate(vectors, ctx): AggregationResult {
        const d = commonDimension(vectors, 'clippedclustering');
        const n = vectors.length;
        if (!requirement.check(n, ctx.f)) {
          throw new Error(`clippedclustering requires ${requirement.text} (got n=${n}, f=${ctx.f})`);
        }
        if (d !== dimension) {
          history.clear();
          dimension = d;
        }
        // One Gram pass over every input: ‖xᵢ‖² = Gᵢᵢ is finite iff xᵢ is, and the finite inputs' block is their Gram matrix.
        const G = kernels().gram(vectors);
        const finite = vectors.flatMap((_, i) => (G[i * n + i] < Infinity ? [i] : []));
        if (finite.length === 0) {
          // Every input non-finite: outside the contract; NaN says so.
          return { aggregate: new Float32Array(d).fill(NaN), diagnostics: { selected: [], threshold: history.median(), clipped: 0 } };
        }
        const rows = finite.map((i) => vectors[i]);
        // norm's bits (squaredNorm's sums, not the Gram diagonal's).
        const norms = Array.from(squaredNorms(rows), Math.sqrt);
        for (const r of norms) history.push(r);
        const tau = history.median();
        const kept = largerCluster(rows, linkage as Linkage, gramOf(G, n, finite));
        const scales = kept.map((k) => (norms[k] > tau ? tau / norms[k] : 1));
        const aggregate = new Float32Array(d);
        kernels().weightedSum(
          kept.map((k) => rows[k]),
          scales,
          kept.length,
          aggregate,
        );
        return {
          aggregate,
          diagnostics: { selected: kept.map((k) => finite[k]), threshold: tau, clipped: norms.filter((r) => r > tau).length },
        };
      },
    };
  },
});
