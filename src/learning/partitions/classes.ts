/**
 * classes(k) — k label-sorted shards per worker, the pathological non-iid
 * split of McMahan, Moore, Ramage, Hampson, Agüera y Arcas (AISTATS 2017,
 * §3: MNIST "sorted by digit label, divided into 200 shards of size 300, and
 * each of 100 clients assigned 2 shards"): the indices sorted by label
 * (stable), cut into n·k contiguous shards of near-equal size (⌊N/(nk)⌋ or
 * one more), and the shards dealt to the workers in an order drawn from the
 * `data` stream, k to each. Every worker holds at least k·⌊N/(nk)⌋ examples,
 * whatever the labels.
 *
 * Labels per worker: a shard lies within one label when the shard boundaries
 * fall on label boundaries (every class count a multiple of the shard size,
 * as in McMahan et al.'s MNIST setting up to its imbalance), so a worker sees
 * at most k labels; otherwise a shard can straddle a boundary, and when every
 * class holds at least a shard's worth of examples a worker sees at most 2k.
 */
import { definePartition } from './types.ts';
import { checkWorkers, concat, sortByLabel, splitEvenly } from './shared.ts';
import type { Rng } from '../../sim/rng.ts';

export function classesPartition(labels: ArrayLike<number>, n: number, rng: Rng, k: number): Int32Array[] {
  checkWorkers(n);
  if (labels.length < n * k) {
    throw new RangeError(`classes(k=${k}): ${labels.length} examples cannot fill ${n * k} shards (${k} for each of ${n} workers)`);
  }
  const shards = splitEvenly(sortByLabel(labels), n * k);
  const dealt = rng.shuffle(Array.from({ length: n * k }, (_, s) => s));
  return Array.from({ length: n }, (_, w) => concat(dealt.slice(w * k, (w + 1) * k).map((s) => shards[s])));
}

export const classes = definePartition({
  name: 'classes',
  aliases: ['shards'],
  summary: 'Sorted by label, cut into n·k shards dealt k to each worker (at most k labels each when shards align with labels).',
  reference: 'McMahan, Moore, Ramage, Hampson, Agüera y Arcas, Communication-Efficient Learning of Deep Networks from Decentralized Data, AISTATS 2017, §3',
  params: {
    k: { description: 'shards (about one label each) per worker', default: 2, min: 1, integer: true },
  },
  smallestShard: (examples, workers, p) => p.k * Math.floor(examples / (workers * p.k)),
  create: (p) => (labels, n, rng) => classesPartition(labels, n, rng, p.k),
});
