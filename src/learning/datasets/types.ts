import type { Rng } from '../../sim/rng.ts';
import type { Variant } from '../../registry.ts';

/**
 * A classification dataset held in flat typed arrays, so that models index rows
 * without per-example objects: example i occupies `X[i*features … (i+1)*features)`.
 */
/** The layout of an image dataset's rows: height × width × channels, channels last (NHWC). */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface Dataset {
  readonly name: string;
  /** For image data: how each row of `features` values is laid out (features = height·width·channels). */
  readonly image?: ImageShape;
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
  shape(params: Record<string, number>, options?: Record<string, string>): DatasetShape;
  /**
   * What `byzsim validate` can check without loading: for a dataset read from
   * files, that its path is given and holds them. The problem as
   * { field, message } (field: the section's key), or undefined.
   */
  check?(params: Record<string, number>, options: Record<string, string>): { field: string; message: string } | undefined;
  /** Reads or generates the data; `options` holds the declared word options (a `path`). A missing or corrupt file is a clear Error naming it. */
  load(params: Record<string, number>, rng: Rng, options?: Record<string, string>): Dataset;
}

/** A dataset's sizes: features and classes per example, training and test examples. */
export interface DatasetShape {
  features: number;
  /** For image data, the layout of a row. */
  image?: ImageShape;
  classes: number;
  train: number;
  test: number;
  /** Training examples per label, when known without loading the data (what a label-driven partition's smallest shard depends on). */
  counts?: number[];
  /**
   * Which parameter sets each size, for messages that point at it
   * (`trainSize` → `data.mnist.trainSize`); a size no parameter sets is absent.
   */
  fields: Partial<Record<'features' | 'classes' | 'train' | 'test', string>>;
}

export function defineDataset(def: DatasetDefinition): DatasetDefinition {
  return def;
}
