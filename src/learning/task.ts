/**
 * A learning task as the simulator sees it: parameters in, gradient out. The
 * learning code knows nothing about actors; the actors know nothing about models.
 */
import type { Rng } from '../sim/rng.ts';

/** y ↦ y′ for labels in [0, classes). */
export type LabelMap = (y: number, classes: number) => number;

export interface Evaluation {
  accuracy: number;
  loss: number;
  /** Accuracy on each class's test examples (NaN for a class without any). */
  perClass?: number[];
  /** Mean loss on a fixed sample of the honest workers' training examples (eval.trainSize; absent when 0). */
  trainLoss?: number;
}

export interface LearningTask {
  /** Human description, e.g. `logreg on mnist (7850 parameters)`. */
  readonly description: string;
  /** Number of model parameters d. */
  readonly dim: number;
  /** Number of worker shards (n). */
  readonly workers: number;
  /** Initial parameters θ_0 (deterministic). */
  init(): Float32Array;
  /**
   * Stochastic gradient of worker `worker`'s loss at θ, on a minibatch drawn
   * from its own shard with `rng` (its `worker/<i>` stream). Synchronous.
   * `labels` maps each label y of `classes` classes before the loss (a
   * data-level attack: label flipping); the minibatch is drawn alike.
   * `forAdversary`: worker i computes in a round it is Byzantine, from what
   * it holds then (./holders.ts: the whole set under data.byzantine: all).
   */
  gradient(theta: Float32Array, worker: number, rng: Rng, labels?: LabelMap, forAdversary?: boolean): Float32Array;
  /** Number of classes of the labels. */
  readonly classes: number;
  /** Each worker's training-label counts, by class (zeros for a worker holding nothing). */
  readonly holdings: readonly (readonly number[])[];
  /**
   * The server's own gradient at θ on a minibatch of min(batchSize, m) of the m trusted training
   * examples it holds (`server.trusted`, drawn once from the whole training set), its draws from
   * the `server/trusted` stream; absent when it holds none.
   */
  trustedGradient?(theta: Float32Array): Float32Array;
  /** Accuracy and mean loss of θ on the test set. Synchronous. */
  evaluate(theta: Float32Array): Evaluation;
  /** Release backend memory (tfjs tensors). */
  dispose(): void;
}
