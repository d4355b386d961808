import type { Rng } from '../../sim/rng.ts';
import type { Variant } from '../../registry.ts';

/**
 * A classification dataset held in flat typed arrays, so that models index rows
 * without per-example objects: example i occupies `X[i*features … (i+1)*features)`.
 */
export interface Dataset {
  readonly name: string;
  /** Features per example. */
  readonly features: number;
  /** Number of classes; labels are in [0, classes). */
  readonly classes: number;
  /** Row-major N_train × features. */
  readonly trainX: Float32Array;
  readonly trainY: Int32Array | Uint8Array;
  /** Row-major N_test × features. */
  readonly testX: Float32Array;
  readonly testY: Int32Array | Uint8Array;
}


/**
 * A dataset variant: its parameters are the scenario section named after it
 * (`data.synthetic`, `data.mnist`), declared with ranges and defaults like
 * every variant's; `load` reads or generates it (generated data draws from
 * the run's `data` stream).
 */
export interface DatasetDefinition extends Variant {
  /** Generated data (small, seeded): always computed with the model's TypeScript kernels, whatever the backend. */
  readonly generated?: boolean;
  /**
   * The sizes `load` would give with these parameters, without loading
   * anything: what `byzsim validate` checks shards, batches and memory against.
   */
  shape(params: Record<string, number>): DatasetShape;
  load(params: Record<string, number>, rng: Rng): Dataset;
}

/** A dataset's sizes: features and classes per example, training and test examples. */
export interface DatasetShape {
  features: number;
  classes: number;
  train: number;
  test: number;
  /**
   * Which parameter sets each size, for messages that point at it
   * (`trainSize` → `data.mnist.trainSize`); a size no parameter sets is absent.
   */
  fields: Partial<Record<'features' | 'classes' | 'train' | 'test', string>>;
}

export function defineDataset(def: DatasetDefinition): DatasetDefinition {
  return def;
}
