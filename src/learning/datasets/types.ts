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
  load(params: Record<string, number>, rng: Rng): Dataset;
}

export function defineDataset(def: DatasetDefinition): DatasetDefinition {
  return def;
}
