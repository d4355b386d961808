/**
 * The perceptron of mlp.ts computed with tfjs ops on the active tfjs backend,
 * in the same parameter layout (W1 features × hidden, b1, W2 hidden × classes,
 * b2). The mean gradient comes from autodiff; per-example gradients from the
 * backward pass written out (δ₂ = ∂ℓ/∂z, ∇W2 = a ⊗ δ₂, δ₁ = (W2 δ₂) ⊙ [a > 0],
 * ∇W1 = x ⊗ δ₁), batched over the examples. Agrees with mlp.ts up to float32
 * rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { mlpDim, mlpOffsets, type MlpShape } from './mlp.ts';
import { checkDim, evaluatorTfjs, gather, gradientTfjs, headDelta, take, type Logits, type TfjsEvaluator } from './tfjs-common.ts';
import type { Labels, LossName } from './types.ts';

const NAME = 'mlp-tfjs';

interface Layers {
  W1: tf.Tensor2D;
  b1: tf.Tensor1D;
  W2: tf.Tensor2D;
  b2: tf.Tensor1D;
}

function layers(params: tf.Tensor1D, shape: MlpShape): Layers {
  const { features: F, hidden: H, classes: C } = shape;
  const o = mlpOffsets(shape);
  return {
    W1: params.slice(o.W1, F * H).reshape([F, H]) as tf.Tensor2D,
    b1: params.slice(o.b1, H),
    W2: params.slice(o.W2, H * C).reshape([H, C]) as tf.Tensor2D,
    b2: params.slice(o.b2, C),
  };
}

function logitsOf(shape: MlpShape): Logits {
  return (params, x) => {
    const { W1, b1, W2, b2 } = layers(params, shape);
    return x.matMul(W1).add(b1).relu().matMul(W2).add(b2);
  };
}

/** Mean loss gradient over the rows `rows` of (X, Y); same contract as mlpGradient. */
export function mlpGradientTfjs(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  shape: MlpShape,
  loss: LossName = 'cross-entropy',
): Float32Array {
  checkDim(NAME, params, mlpDim(shape));
  return gradientTfjs(NAME, logitsOf(shape), params, X, Y, rows, shape.features, shape.classes, loss);
}

/** Per-example gradients, row k's at [k·dim, (k+1)·dim); same contract as mlpPerExample. */
export function mlpPerExampleTfjs(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  shape: MlpShape,
  loss: LossName = 'cross-entropy',
): Float32Array {
  checkDim(NAME, params, mlpDim(shape));
  const { features: F, hidden: H, classes: C } = shape;
  const { batch, labels } = gather(NAME, X, Y, rows, F);
  const b = labels.length;
  return take(
    tf.tidy(() => {
      const { W1, b1, W2, b2 } = layers(tf.tensor1d(params), shape);
      const x = tf.tensor2d(batch, [b, F]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), C) as tf.Tensor2D;
      const a = x.matMul(W1).add(b1).relu() as tf.Tensor2D;
      const d2 = headDelta(y, a.matMul(W2).add(b2), loss);
      const d1 = d2.matMul(W2, false, true).mul(a.greater(0).cast('float32')) as tf.Tensor2D;
      const outer = (u: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D => u.expandDims(2).mul(v.expandDims(1)).reshape([b, u.shape[1] * v.shape[1]]);
      return tf.concat([outer(x, d1), d1, outer(a, d2), d2], 1);
    }),
  );
}

export function mlpEvaluatorTfjs(X: Float32Array, Y: Labels, shape: MlpShape, loss: LossName = 'cross-entropy'): TfjsEvaluator {
  return evaluatorTfjs(NAME, logitsOf(shape), mlpDim(shape), X, Y, shape.features, shape.classes, loss);
}
