/**
 * Models: a parameter vector θ (one flat Float32Array, what the aggregators
 * see) and how to compute a minibatch gradient and evaluate on a test set.
 * A model has byzsim's own TypeScript kernels, tfjs kernels (run on the
 * active tfjs backend), or both. One model per file, registered in ./index.ts.
 */
import type { Variant } from '../../registry.ts';
import type { Evaluation } from '../task.ts';
import type { ImageShape } from '../datasets/types.ts';

export type Labels = Int32Array | Uint8Array;

/** The loss a model's gradient is of (scenario key `loss`). */
export type LossName = 'cross-entropy' | 'mse';
export const LOSSES: readonly LossName[] = ['cross-entropy', 'mse'];

/** What a model is built for: the data's sizes and layout, and the loss. */
export interface ModelShape {
  features: number;
  classes: number;
  /** For image data: height × width × channels of a row (channels last). A model that needs images refuses data without. */
  image?: ImageShape;
  /** Default cross-entropy. For mse, the target is the one-hot label (a single output's target is the label itself, 0 or 1). */
  loss?: LossName;
}

export interface Evaluator {
  evaluate(theta: Float32Array): Evaluation;
  dispose(): void;
}

export interface ModelKernels {
  /** Mean loss gradient over the rows `rows` of (X, Y). */
  gradient(theta: Float32Array, X: Float32Array, Y: Labels, rows: Int32Array): Float32Array;
  /**
   * The per-example gradients of the rows `rows` (what DP-SGD clips), one
   * after the other: rows.length × dim values, row k's gradient at
   * [k·dim, (k+1)·dim). Their mean is `gradient`'s result (up to rounding).
   */
  perExample(theta: Float32Array, X: Float32Array, Y: Labels, rows: Int32Array): Float32Array;
  /**
   * DP-SGD's clipped mean, fused: (1/b) Σ_k g_k · min(1, norm / ‖g_k‖) over the per-example
   * gradients g_k of `rows`, without materializing them (a model whose per-example norms have a
   * closed form). When absent, ../dp/clip.ts computes it from `perExample`.
   */
  clippedGradient?(theta: Float32Array, X: Float32Array, Y: Labels, rows: Int32Array, norm: number): Float32Array;
  /** Evaluation on a fixed test set (held on the backend for tfjs). */
  evaluator(X: Float32Array, Y: Labels): Evaluator;
}

export interface Model {
  readonly dim: number;
  /** θ_0 (deterministic). */
  init(): Float32Array;
  /** byzsim's TypeScript kernels, when the model has them. */
  readonly ts?: ModelKernels;
  /** tfjs kernels on the active tfjs backend, loaded on first use, when the model has them. */
  tfjs?(): Promise<ModelKernels>;
}

export interface ModelDefinition extends Variant {
  create(params: Record<string, number>, shape: ModelShape): Model;
}

export function defineModel(def: ModelDefinition): ModelDefinition {
  return def;
}

/** What a model is built for, from a dataset's shape (or the data itself) and the loss. */
export function modelShape(data: { features: number; classes: number; image?: ImageShape }, loss?: LossName): ModelShape {
  return { features: data.features, classes: data.classes, ...(data.image ? { image: data.image } : {}), ...(loss ? { loss } : {}) };
}
