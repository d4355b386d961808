/** iid — the indices shuffled with the `data` stream, then cut into n near-equal shards. */
import { definePartition } from './types.ts';
import { cutIntoShards, smallestCut } from './shared.ts';

export const iid = definePartition({
  name: 'iid',
  summary: 'Shuffled, then cut into n near-equal shards.',
  reference: '—',
  params: {},
  smallestShard: smallestCut,
  create: () => (labels, n, rng) => cutIntoShards(Int32Array.from(rng.shuffle(Array.from({ length: labels.length }, (_, i) => i))), n),
});
