/**
 * flame — FLAME: HDBSCAN on cosine distances, clipping at the median norm, Gaussian noise.
 *
 *   A = the cluster HDBSCAN(min_cluster_size = ⌊n/2⌋ + 1, min_samples = 1,
 *       allow_single_cluster) finds on the distances 1 − cos(xᵢ, xⱼ)
 *   S = median of ‖xᵢ‖ over all n inputs
 *   flame = (1/|A|) Σ_{i ∈ A} xᵢ · min(1, S/‖xᵢ‖) + N(0, (λ·S)² I),
 *
 * the noise drawn from the server's stream (λ = 0: none, and the rule draws nothing).
 * Requirement: n ≥ 2f + 1 (f itself is not used: a cluster of more than n/2 inputs then
 * holds an honest majority).
 *
 * Reference: Nguyen, Rieger, Chen, Yalame, Möllering, Fereidooni, Marchal, Miettinen,
 * Mirhoseini, Zeitouni, Koushanfar, Sadeghi, Schneider, FLAME: Taming Backdoors in
 * Federated Learning, USENIX Security 2022 (Algorithm 1; λ = 0.001 is its setting for image
 * classification and word prediction). Clustering as FLPoison configures hdbscan
 * (vio1etus/FLPoison, aggregators/flame.py at eb74fb24: metric="cosine",
 * algorithm="generic", min_cluster_size = n//2 + 1, min_samples=1,
 * allow_single_cluster=True, admitted = label 0); Blades has no FLAME.
 *
 * HDBSCAN, exactly, for these settings: with min_samples = 1 a point's core distance is its
 * nearest-neighbour distance, so the mutual reachability max(core(a), core(b), d(a, b)) is
 * d(a, b) itself, and HDBSCAN's hierarchy is the single-linkage one of the minimum spanning
 * tree (Prim). Since min_cluster_size exceeds n/2, the condensed tree never splits: it is the
 * root cluster alone, losing points as the distance falls, until below some t* no component
 * of the tree's edges shorter than t holds min_cluster_size points. Excess-of-mass selection
 * with allow_single_cluster selects the root, the only candidate, and its points are those
 * that leave it last, at λ = 1/t*: the component of edges ≤ t* that holds
 * ≥ min_cluster_size points. test/fixtures/peers/blades_flpoison_rules.py runs hdbscan's own
 * steps (mst_linkage_core, label, condense_tree, compute_stability, get_clusters,
 * do_labelling) and the tests check that both give the same clusters.
 *
 * Deliberate differences:
 * - The paper (and FLPoison) cluster the local models G + xᵢ, which a rule does not see:
 *   byzsim clusters the updates themselves, as its server aggregates updates. The noise is
 *   added to the aggregate, which the server then applies with its learning rate; the paper
 *   adds it to the model. FLPoison draws each layer's noise with std γ·S·std(layer's
 *   weights), γ = 1.2e-5, which needs the model; byzsim uses the paper's σ = λ·S.
 * - FLPoison's clipping divides by ‖xᵢ‖ + 1e-6; byzsim by ‖xᵢ‖, as the paper.
 * - An input with a non-finite coordinate is infinitely far from every other one and its
 *   norm is +Infinity: with at most f of them it is never admitted, and the median stays
 *   finite (hdbscan rejects non-finite input; NumPy's median of a NaN norm is NaN).
 * - A zero input has cosine distance 1 to every other input, as sklearn's
 *   cosine_distances gives (unit rows, zero rows left 0).
 */
import type { AggregationContext, AggregationResult, AggregatorDefinition } from './types.ts';
import { commonDimension, medianOf as median, squaredNorms } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  lambda: { description: 'noise level factor λ: Gaussian noise of std λ × the median norm per coordinate (0: none)', default: 0.001, min: 0 },
};

/**
 * sklearn's cosine_distances (rows normalised, zero rows left 0; clipped to [0, 2]); +Infinity to and from a non-finite input.
 * The cosines come from one Gram pass, cos(a, b) = xₐ·x_b / (‖xₐ‖·‖x_b‖) (float64 sums of exact products), and each
 * entry depends on its two inputs only.
 */
function cosineDistances(vectors: readonly Float32Array[], norms: readonly number[]): Float64Array {
  const n = vectors.length;
  const G = kernels().gram(vectors);
  const dist = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (!(norms[a] < Infinity && norms[b] < Infinity)) {
        dist[a * n + b] = dist[b * n + a] = Infinity;
        continue;
      }
      const s = norms[a] > 0 && norms[b] > 0 ? G[a * n + b] / (norms[a] * norms[b]) : 0;
      dist[a * n + b] = dist[b * n + a] = Math.min(2, Math.max(0, 1 - s));
    }
  }
  return dist;
}

/**
 * The cluster HDBSCAN(min_cluster_size = ⌊n/2⌋ + 1, min_samples = 1, allow_single_cluster)
 * labels 0 on the distance matrix `dist` (see the header), and t*, the distance at which it
 * forms.
 */
export function majorityCluster(dist: Float64Array, n: number): { members: number[]; threshold: number } {
  const minClusterSize = (n >> 1) + 1;
  const inTree = new Uint8Array(n);
  const best = new Float64Array(n).fill(Infinity);
  const weights: number[] = [];
  const edges: [number, number][] = [];
  const from = new Int32Array(n);
  inTree[0] = 1;
  for (let j = 1; j < n; j++) best[j] = dist[j];
  for (let added = 1; added < n; added++) {
    let next = -1;
    for (let j = 0; j < n; j++) if (!inTree[j] && (next < 0 || best[j] < best[next])) next = j;
    inTree[next] = 1;
    edges.push([from[next], next]);
    weights.push(best[next]);
    for (let j = 0; j < n; j++) {
      if (!inTree[j] && dist[next * n + j] < best[j]) {
        best[j] = dist[next * n + j];
        from[j] = next;
      }
    }
  }
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Int32Array(n).fill(1);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const order = weights.map((_, e) => e).sort((a, b) => weights[a] - weights[b]);
  let threshold = 0;
  let root = minClusterSize <= 1 ? 0 : -1;
  // Merge a whole level of equal weights before asking whether a component is big enough.
  for (let k = 0; k < order.length && root < 0; ) {
    threshold = weights[order[k]];
    for (; k < order.length && weights[order[k]] === threshold; k++) {
      const [a, b] = edges[order[k]].map(find);
      if (a === b) continue;
      parent[b] = a;
      size[a] += size[b];
      if (size[a] >= minClusterSize) root = a;
    }
  }
  return { members: Array.from({ length: n }, (_, i) => i).filter((i) => find(i) === find(root)), threshold };
}


/**
 * FLAME with its noise given: `normals` holds d standard normal draws (the rule draws them
 * from the server's stream), needed when λ > 0. The pure core of the rule.
 */
export function flameAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { lambda?: number; normals?: ArrayLike<number> } = {},
): AggregationResult {
  const { lambda } = resolveParams('flame', params, options.lambda === undefined ? {} : { lambda: options.lambda });
  const d = validated(vectors, f);
  const n = vectors.length;
  if (lambda > 0 && options.normals?.length !== d) throw new Error(`flame: λ = ${lambda} needs ${d} normal draws for its noise`);
  // squaredNorm's bits, finite iff the input is.
  const norms = Array.from(squaredNorms(vectors), (s) => (s < Infinity ? Math.sqrt(s) : Infinity));
  const { members: selected, threshold } = majorityCluster(cosineDistances(vectors, norms), n);
  const medianNorm = median(norms);
  // mean = Σ xᵢ·scaleᵢ / |A| in float64 (summed in the order of `selected` from 0: the clip step from v = 0), then the noise, rounded once.
  const mean = new Float64Array(d);
  const scales = selected.map((i) => (norms[i] > medianNorm ? medianNorm / norms[i] : 1));
  kernels().clipStep(selected.map((i) => vectors[i]), scales, selected.length, mean);
  const sigma = lambda * medianNorm;
  const out = new Float32Array(d);
  if (lambda > 0) {
    const normals = options.normals as ArrayLike<number>;
    for (let j = 0; j < d; j++) out[j] = mean[j] + sigma * normals[j];
  } else {
    out.set(mean);
  }
  return { aggregate: out, diagnostics: { selected, medianNorm, threshold, sigma } };
}

function validated(vectors: readonly Float32Array[], f: number): number {
  const d = commonDimension(vectors, 'flame');
  if (!requirement.check(vectors.length, f)) throw new Error(`flame requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  return d;
}

const definition = defineRule({
  name: 'flame',
  summary: 'FLAME: the majority HDBSCAN cluster of cosine distances, clipped to the median norm, averaged, plus Gaussian noise λ × that norm.',
  reference: 'Nguyen et al., FLAME: Taming Backdoors in Federated Learning, USENIX Security 2022',
  params,
  randomized: true,
  requirement,
  aggregate(vectors: readonly Float32Array[], ctx: AggregationContext, { lambda }): AggregationResult {
    if (lambda === 0) return flameAggregate(vectors, ctx.f, { lambda });
    const d = validated(vectors, ctx.f);
    const rng = ctx.rng;
    if (!rng) throw new Error('flame draws its noise from ctx.rng (the server’s stream); give one, or set lambda=0');
    // A plain loop: Float64Array.from with a map over { length } is about 1.5× slower for the same draws.
    const normals = new Float64Array(d);
    for (let j = 0; j < d; j++) normals[j] = rng.normal();
    return flameAggregate(vectors, ctx.f, { lambda, normals });
  },
});

/** An instance draws (and is `randomized`) only when λ > 0. */
export const flame: AggregatorDefinition = {
  ...definition,
  create(values, words) {
    const rule = definition.create(values, words);
    return resolveParams('flame', params, values ?? {}).lambda > 0 ? rule : { ...rule, randomized: false };
  },
};
