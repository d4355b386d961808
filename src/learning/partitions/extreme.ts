/**
 * extreme — the indices sorted by label (stable: ties keep index order), then
 * cut into n near-equal shards: the "non-iid: sorted by labels and
 * sequentially divided equally" setting of He, Karimireddy and Jaggi, the
 * resampling paper (arXiv 2006.09365, 2020, §6). With n = classes on a
 * balanced set each worker sees about one label. The `data` stream is not
 * drawn from.
 */
import { definePartition } from './types.ts';
import { cutIntoShards, smallestCut, sortByLabel } from './shared.ts';

export const extreme = definePartition({
  name: 'extreme',
  summary: 'Sorted by label, then cut into n near-equal shards (with n = classes, about one label per worker).',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020, §6',
  params: {},
  smallestShard: smallestCut,
  create: () => (labels, n) => cutIntoShards(sortByLabel(labels), n),
});
