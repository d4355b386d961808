/**
 * gamma(gamma) — γ-similarity, ByzFL's `gamma_similarity_niid`
 * (DataDistributor.gamma_niid_idx, LPD-EPFL/byzfl,
 * byzfl/fed_framework/data_distributor.py): M = ⌊γN⌋ examples are spread iid
 * (shuffled, cut into n near-equal pieces) and the other N − M are sorted by
 * label and cut into n near-equal contiguous pieces (as `extreme`); worker i
 * gets the i-th piece of each. γ = 1 is `iid`, γ = 0 is `extreme`. Both cuts
 * give their extra examples to the first workers, so the last worker's shard,
 * ⌊M/n⌋ + ⌊(N − M)/n⌋, is the smallest.
 *
 * Difference from ByzFL, on purpose: ByzFL spreads the dataset's first M
 * indices in file order; here the M are drawn (the whole index set is
 * shuffled with the `data` stream and its first M taken), which is the same in
 * distribution for an exchangeable file and does not depend on how the file
 * is ordered. The rest keep index order within a label, as ByzFL's sort.
 * Default γ = 0.5.
 */
import { definePartition } from './types.ts';
import { checkWorkers, concat, splitEvenly, sortByLabel } from './shared.ts';
import type { Rng } from '../../sim/rng.ts';

export function gammaPartition(labels: ArrayLike<number>, n: number, rng: Rng, gamma: number): Int32Array[] {
  checkWorkers(n);
  const N = labels.length;
  if (N < n) throw new RangeError(`partition: ${N} examples cannot fill ${n} worker shards`);
  const M = Math.floor(N * gamma);
  const shuffled = Int32Array.from(rng.shuffle(Array.from({ length: N }, (_, i) => i)));
  const similar = shuffled.subarray(0, M);
  const spread = new Uint8Array(N);
  for (const i of similar) spread[i] = 1;
  const rest = new Int32Array(N - M);
  for (let i = 0, r = 0; i < N; i++) if (!spread[i]) rest[r++] = i;
  const restLabels = Array.from(rest, (i) => labels[i]);
  const sorted = Int32Array.from(sortByLabel(restLabels), (r) => rest[r]);
  const iid = splitEvenly(similar, n);
  const skewed = splitEvenly(sorted, n);
  return iid.map((piece, w) => concat([piece, skewed[w]]));
}

export const gamma = definePartition({
  name: 'gamma',
  aliases: ['gamma_similarity_niid'],
  aliasSources: { gamma_similarity_niid: 'ByzFL' },
  summary: 'A gamma fraction of the examples spread iid, the rest sorted by label and cut into n contiguous pieces (gamma = 1 is iid, 0 is extreme).',
  reference: 'ByzFL (LPD-EPFL/byzfl), DataDistributor gamma_similarity_niid, byzfl/fed_framework/data_distributor.py',
  params: {
    gamma: { description: 'fraction of the examples spread iid', default: 0.5, min: 0, max: 1 },
  },
  smallestShard: (examples, workers, p) => {
    const M = Math.floor(examples * p.gamma);
    return examples < workers ? 0 : Math.floor(M / workers) + Math.floor((examples - M) / workers);
  },
  create: (p) => (labels, n, rng) => gammaPartition(labels, n, rng, p.gamma),
});
