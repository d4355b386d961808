/**
 * Partitions: how the training set is split into the workers' shards. A
 * partition is deterministic given the run's `data` stream. One per file,
 * registered in ./index.ts.
 */
import type { Rng } from '../../sim/rng.ts';
import type { Variant } from '../../registry.ts';

/** n shards of example indices, from the labels and the `data` stream. */
export type Partition = (labels: ArrayLike<number>, n: number, rng: Rng) => Int32Array[];

export interface PartitionDefinition extends Variant {
  /**
   * The fewest examples any of the n shards gets from N training examples
   * (a lower bound where it depends on the labels), without partitioning:
   * `byzsim validate` checks that every worker has a shard and that a
   * minibatch fits in the smallest one. `counts` (training examples per
   * label, when the dataset knows them without loading) lets a partition
   * driven by labels give a tight bound; without them it returns what holds
   * for any labels (0 when nothing does).
   */
  smallestShard(examples: number, workers: number, params: Record<string, number>, counts?: readonly number[]): number;
  create(params: Record<string, number>): Partition;
}

export function definePartition(def: PartitionDefinition): PartitionDefinition {
  return def;
}
