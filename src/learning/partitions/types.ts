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
  create(params: Record<string, number>): Partition;
}

export function definePartition(def: PartitionDefinition): PartitionDefinition {
  return def;
}
