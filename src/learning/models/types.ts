/**
 * Models: a parameter vector θ (one flat Float32Array, what the aggregators
 * see) and how to compute a minibatch gradient and evaluate on a test set.
 * A model has byzsim's own TypeScript kernels, tfjs kernels (run on the
 * active tfjs backend), or both. One model per file, registered in ./index.ts.
 */
import type { Variant } from '../../registry.ts';
import type { Evaluation } from '../task.ts';

export type Labels = Int32Array | Uint8Array;

export interface ModelShape {
  features: number;
  classes: number;
}

export interface Evaluator {
  evaluate(theta: Float32Array): Evaluation;
  dispose(): void;
}

export interface ModelKernels {
  /** Mean loss gradient over the rows `rows` of (X, Y). */
  gradient(theta: Float32Array, X: Float32Array, Y: Labels, rows: Int32Array): Float32Array;
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
