/**
 * The softmax logistic regression of logreg.ts computed with tfjs ops, on
 * whatever tfjs backend is active (see backend.ts). Same parameter layout:
 * W row-major features × classes, then the bias. The mean gradient comes from
 * autodiff (tf.grad) of the batch's mean loss; per-example gradients from the
 * closed form [x ⊗ ∂ℓ/∂z, ∂ℓ/∂z]. They agree with logreg.ts up to float32
 * rounding (the plain version accumulates in float64).
 */
import * as tf from '@tensorflow/tfjs';
import { logregDim, type Labels } from './logreg.ts';
import { checkDim, evaluatorTfjs, gather, gradientTfjs, headDelta, take, type Logits, type TfjsEvaluator } from './tfjs-common.ts';
import type { LossName } from './types.ts';

export type { TfjsEvaluator } from './tfjs-common.ts';

const NAME = 'logreg-tfjs';

function logitsOf(features: number, classes: number): Logits {
  return (params, x) => {
    const W = params.slice(0, features * classes).reshape([features, classes]) as tf.Tensor2D;
    const b = params.slice(features * classes, classes);
    return x.matMul(W).add(b);
  };
}

/** Mean loss gradient over the rows `rows` of (X, Y); same contract as logregGradient. */
export function logregGradientTfjs(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  classes: number,
  loss: LossName = 'cross-entropy',
): Float32Array {
  checkDim(NAME, params, logregDim(features, classes));
  return gradientTfjs(NAME, logitsOf(features, classes), params, X, Y, rows, features, classes, loss);
}

/** Per-example gradients, row k's at [k·dim, (k+1)·dim); same contract as logregPerExample. */
export function logregPerExampleTfjs(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  classes: number,
  loss: LossName = 'cross-entropy',
): Float32Array {
  checkDim(NAME, params, logregDim(features, classes));
  const { batch, labels } = gather(NAME, X, Y, rows, features);
  const b = labels.length;
  return take(
    tf.tidy(() => {
      const x = tf.tensor2d(batch, [b, features]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes) as tf.Tensor2D;
      const delta = headDelta(y, logitsOf(features, classes)(tf.tensor1d(params), x), loss);
      const gW = x.expandDims(2).mul(delta.expandDims(1)).reshape([b, features * classes]);
      return tf.concat([gW, delta], 1);
    }),
  );
}

export function logregEvaluatorTfjs(X: Float32Array, Y: Labels, features: number, classes: number, loss: LossName = 'cross-entropy'): TfjsEvaluator {
  return evaluatorTfjs(NAME, logitsOf(features, classes), logregDim(features, classes), X, Y, features, classes, loss);
}
