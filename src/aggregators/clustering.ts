/**
 * clustering — the mean of the larger of two clusters by cosine similarity.
 *
 *   Dᵢⱼ = 1 − cos(xᵢ, xⱼ),   {C₁, C₂} = agglomerative clustering of D into two clusters,
 *   clustering(x₁, …, xₙ) = (1/|C|) Σ_{i∈C} xᵢ,   C the larger of C₁ and C₂.
 *
 * Agglomerative clustering starts from n singletons and merges the two nearest
 * clusters until two remain. The distance of clusters A and B is, by `linkage`:
 * average (UPGMA, the default) the mean (1/|A||B|) Σ_{a∈A, b∈B} D_ab, complete
 * the largest D_ab, single the smallest. Cosines see directions only: inputs
 * pointing elsewhere than the majority form the other cluster and are dropped.
 * Requirement: n ≥ 2f + 1, so that the Byzantine inputs alone cannot be the
 * larger cluster. Nothing more is promised: a Byzantine input aligned with the
 * honest ones joins their cluster whatever its norm (clippedclustering bounds
 * that norm).
 *
 * Reference: Sattler, Müller, Wiegand, Samek, On the Byzantine Robustness of
 * Clustered Federated Learning, ICASSP 2020.
 *
 * Peer: Blades' `Clustering` (github lishenghui/blades,
 * src/blades/aggregators/clustering.py at cbc5b772afc1c59f1cd90e46b75673a855f8c83d)
 * clusters the same cosine distances with complete linkage (its earlier
 * byzantinefl/aggregators/clustering.py, at a8e94659, used average linkage on
 * the similarities themselves); `clustering(linkage=complete)` reproduces it
 * (test/fixtures/peers/clustering_foolsgold.py). Average linkage is the default
 * of Clippedclustering (./clippedclustering.ts), which Blades' authors proposed.
 *
 * Deliberate choices:
 * - Ties never depend on the order the inputs arrived in. Among pairs of
 *   clusters at the same linkage distance, the pair whose members come first
 *   in the lexicographic order of the vectors merges first (the order krum uses
 *   to break ties); of two clusters of equal size, the one holding the
 *   lexicographically smallest input is kept. Blades keeps whichever cluster
 *   sklearn labels 0.
 * - A zero input has no direction: its cosine with every input is 0
 *   (distance 1), as torch's cosine_similarity gives it.
 * - An input with a non-finite coordinate is excluded before clustering. Blades
 *   gives its NaN distances a fixed value (−1 in Clustering, 2 in
 *   Clippedclustering), so it can land in the larger cluster and turn the mean
 *   into NaN. Excluding k ≤ f inputs, all Byzantine, leaves n − f honest among
 *   n − k, still a majority.
 * - Cosines in float64 from the Gram matrix; the mean in float64, rounded once.
 */
import type { AggregationResult } from './types.ts';
import { commonDimension, meanOf } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { resolveOptions } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

export type Linkage = 'average' | 'complete' | 'single';

/** The `linkage` option, shared with clippedclustering. */
export const linkageOption = {
  description: 'distance between clusters: average (mean pairwise), complete (largest) or single (smallest)',
  default: 'average',
  choices: ['average', 'complete', 'single'],
};

const options = { linkage: linkageOption };

/**
 * 1 − cos(xᵢ, xⱼ) for every pair of (finite) vectors, row-major n × n, zero on
 * the diagonal; a zero vector has cosine 0 with every other. Each entry
 * depends on its two vectors only, not on their positions.
 */
export function cosineDistances(vectors: readonly Float32Array[]): Float64Array {
  return cosineDistancesOf(kernels().gram(vectors), vectors.length);
}

/** cosineDistances from the inputs' Gram matrix G (row-major n×n). */
function cosineDistancesOf(G: Float64Array, n: number): Float64Array {
  const D = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      // √(‖a‖²‖b‖²) rather than ‖a‖·‖b‖: equal inputs are then exactly 0 apart (√(s²) = s in floating point).
      const scale = Math.sqrt(G[a * n + a] * G[b * n + b]);
      const cos = scale > 0 ? Math.min(1, Math.max(-1, G[a * n + b] / scale)) : 0;
      D[a * n + b] = D[b * n + a] = 1 - cos;
    }
  }
  return D;
}

function lexCompare(a: Float32Array, b: Float32Array): number {
  for (let j = 0; j < a.length; j++) {
    if (a[j] < b[j]) return -1;
    if (a[j] > b[j]) return 1;
  }
  return 0;
}

/**
 * rank[i] = the place of vectors[i] in the lexicographic order of the vectors
 * (equal vectors by position: they are interchangeable, so which comes first
 * cannot change an output).
 */
export function lexRanks(vectors: readonly Float32Array[]): number[] {
  const order = vectors.map((_, i) => i).sort((a, b) => lexCompare(vectors[a], vectors[b]) || a - b);
  const rank = new Array<number>(vectors.length);
  order.forEach((i, r) => (rank[i] = r));
  return rank;
}

/**
 * Agglomerative clustering of n points with distances `dist` (row-major n × n)
 * into k clusters, merging by Lance–Williams updates of the linkage. A tie
 * between pairs of clusters goes to the pair whose lowest ranks (`rank`, a
 * permutation of 0 … n − 1) come first. O(n³) time, O(n²) memory: meant for
 * the n ≤ a few hundred of one round. Returns the clusters as ascending index
 * lists, ordered by their lowest rank.
 */
export function agglomerate(dist: Float64Array, n: number, k: number, linkage: Linkage, rank: readonly number[]): number[][] {
  const D = Float64Array.from(dist);
  const members = Array.from({ length: n }, (_, i) => [i]);
  const low = Array.from(rank);
  let alive = [...Array(n).keys()];
  // (lo, hi) = the two clusters' lowest ranks, smaller first: distinct for distinct pairs.
  const before = (i: number, j: number, bi: number, bj: number) => {
    const lo = Math.min(low[i], low[j]);
    const blo = Math.min(low[bi], low[bj]);
    return lo < blo || (lo === blo && Math.max(low[i], low[j]) < Math.max(low[bi], low[bj]));
  };
  while (alive.length > Math.max(k, 1)) {
    let bi = -1;
    let bj = -1;
    let best = Infinity;
    for (let p = 0; p < alive.length; p++) {
      const i = alive[p];
      for (let q = p + 1; q < alive.length; q++) {
        const j = alive[q];
        const v = D[i * n + j];
        if (bi < 0 || v < best || (v === best && before(i, j, bi, bj))) {
          bi = i;
          bj = j;
          best = v;
        }
      }
    }
    const si = members[bi].length;
    const sj = members[bj].length;
    for (const c of alive) {
      if (c === bi || c === bj) continue;
      const a = D[bi * n + c];
      const b = D[bj * n + c];
      const merged = linkage === 'single' ? Math.min(a, b) : linkage === 'complete' ? Math.max(a, b) : (si * a + sj * b) / (si + sj);
      D[bi * n + c] = D[c * n + bi] = merged;
    }
    members[bi] = members[bi].concat(members[bj]);
    low[bi] = Math.min(low[bi], low[bj]);
    alive = alive.filter((c) => c !== bj);
  }
  return alive.sort((a, b) => low[a] - low[b]).map((c) => members[c].sort((a, b) => a - b));
}

/**
 * Indices (ascending) of the larger of the two clusters of finite `vectors`
 * by cosine distance; of two of equal size, the one holding the
 * lexicographically smallest vector. One vector is its own cluster. `gram`,
 * when given, is their Gram matrix (as kernels().gram gives it).
 */
export function largerCluster(vectors: readonly Float32Array[], linkage: Linkage, gram?: Float64Array): number[] {
  const n = vectors.length;
  if (n <= 1) return n === 1 ? [0] : [];
  const D = gram ? cosineDistancesOf(gram, n) : cosineDistances(vectors);
  const [first, second] = agglomerate(D, n, 2, linkage, lexRanks(vectors));
  return second.length > first.length ? second : first;
}

/** The block of the n×n matrix G on the rows and columns `rows`. */
export function gramOf(G: Float64Array, n: number, rows: readonly number[]): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = G[rows[a] * n + rows[b]];
  return out;
}

export function clusteringAggregate(vectors: readonly Float32Array[], f: number, opts: { linkage?: string } = {}): AggregationResult {
  const { linkage } = resolveOptions('clustering', options, opts.linkage === undefined ? {} : { linkage: opts.linkage });
  const d = commonDimension(vectors, 'clustering');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`clustering requires ${requirement.text} (got n=${n}, f=${f})`);
  // One Gram pass over every input; ‖xᵢ‖² = Gᵢᵢ is finite iff xᵢ is (float32 squares cannot overflow the
  // float64 sum), and each entry depends on its two inputs only, so the finite inputs' block is their Gram matrix.
  const G = kernels().gram(vectors);
  const finite = vectors.flatMap((_, i) => (G[i * n + i] < Infinity ? [i] : []));
  // Every input non-finite: outside the contract; NaN says so.
  if (finite.length === 0) return { aggregate: new Float32Array(d).fill(NaN), diagnostics: { selected: [] } };
  const selected = largerCluster(
    finite.map((i) => vectors[i]),
    linkage as Linkage,
    gramOf(G, n, finite),
  ).map((k) => finite[k]);
  return { aggregate: meanOf(selected.map((i) => vectors[i])), diagnostics: { selected } };
}

export const clustering = defineRule({
  name: 'clustering',
  summary: 'Mean of the larger of two clusters of the inputs by cosine distance (agglomerative, average linkage by default).',
  reference: 'Sattler, Müller, Wiegand, Samek, On the Byzantine Robustness of Clustered Federated Learning, ICASSP 2020',
  options,
  requirement,
  aggregate: (vectors, ctx, { linkage }) => clusteringAggregate(vectors, ctx.f, { linkage }),
});
