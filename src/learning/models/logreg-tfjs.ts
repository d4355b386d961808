/**
 * The softmax logistic regression of logreg.ts computed with tfjs ops, on
 * whatever tfjs backend is active (see backend.ts). Same parameter layout:
 * W row-major features × classes, then the bias. Gradients come from
 * autodiff (tf.grad) of tf.losses.softmaxCrossEntropy, whose default reduction
 * is the mean over the batch; they agree with logregGradient up to float32
 * rounding (the plain version accumulates in float64).
 */
import * as tf from '@tensorflow/tfjs';
import type { Evaluation } from '../task.ts';
import { logregDim, perClassAccuracy, type Labels } from './logreg.ts';

function logits(params: tf.Tensor1D, x: tf.Tensor2D, features: number, classes: number): tf.Tensor2D {
  const W = params.slice(0, features * classes).reshape([features, classes]) as tf.Tensor2D;
  const b = params.slice(features * classes, classes);
  return x.matMul(W).add(b);
}

function checkDim(params: Float32Array, features: number, classes: number): void {
  const dim = logregDim(features, classes);
  if (params.length !== dim) throw new RangeError(`logreg-tfjs: expected ${dim} parameters, got ${params.length}`);
}

/** Mean cross-entropy gradient over the rows `rows` of (X, Y); same contract as logregGradient. */
export function logregGradientTfjs(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  classes: number,
): Float32Array {
  checkDim(params, features, classes);
  const b = rows.length;
  if (b === 0) throw new RangeError('logreg-tfjs: empty minibatch');
  const batch = new Float32Array(b * features);
  const labels = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const r = rows[k];
    batch.set(X.subarray(r * features, (r + 1) * features), k * features);
    labels[k] = Y[r];
  }
  const grad = tf.tidy(() => {
    const x = tf.tensor2d(batch, [b, features]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    const loss = (p: tf.Tensor): tf.Scalar => tf.losses.softmaxCrossEntropy(y, logits(p as tf.Tensor1D, x, features, classes)) as tf.Scalar;
    return tf.grad(loss)(tf.tensor1d(params));
  });
  try {
    // dataSync may hand back the backend's own buffer (cpu); copy before disposing.
    return Float32Array.from(grad.dataSync() as Float32Array);
  } finally {
    grad.dispose();
  }
}

/**
 * Evaluates on a fixed (X, Y) held on the backend: the test set is uploaded
 * once, and each call only uploads θ. Call dispose() to free it.
 */
export interface TfjsEvaluator {
  evaluate(params: Float32Array): Evaluation;
  dispose(): void;
}

export function logregEvaluatorTfjs(X: Float32Array, Y: Labels, features: number, classes: number): TfjsEvaluator {
  const n = Y.length;
  if (X.length !== n * features) throw new RangeError(`logreg-tfjs: X has ${X.length} values, expected ${n}×${features}`);
  const x = tf.tensor2d(X, [n, features]);
  const y = tf.tensor1d(Int32Array.from(Y), 'int32');
  const totals = new Float64Array(classes);
  for (let r = 0; r < n; r++) totals[Y[r]]++;
  return {
    evaluate(params) {
      checkDim(params, features, classes);
      const [predicted, loss] = tf.tidy(() => {
        const z = logits(tf.tensor1d(params), x, features, classes);
        const perExample = tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), z, undefined, undefined, tf.Reduction.NONE);
        return [z.argMax(1), perExample.sum()];
      }).map((t) => {
        const v = t.dataSync();
        t.dispose();
        return v;
      });
      const hits = new Float64Array(classes);
      let correct = 0;
      for (let r = 0; r < n; r++) {
        if (predicted[r] === Y[r]) {
          correct++;
          hits[Y[r]]++;
        }
      }
      return { accuracy: correct / n, loss: loss[0] / n, perClass: perClassAccuracy(hits, totals) };
    },
    dispose() {
      x.dispose();
      y.dispose();
    },
  };
}
