/**
 * The binary logistic regression of logistic.ts with tfjs ops on the active
 * tfjs backend; same layout (w, then b). The mean gradient and the
 * per-example gradients use the closed form [(∂ℓ/∂u)·x, ∂ℓ/∂u] with
 * ∂ℓ/∂u = p − y (log loss) or 2(p − y)p(1 − p) (mse). Agrees with
 * logistic.ts up to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import type { Evaluation } from '../task.ts';
import { logisticDim } from './logistic.ts';
import { perClassAccuracy } from './logreg.ts';
import { checkDim, gather, take, type TfjsEvaluator } from './tfjs-common.ts';
import type { Labels, LossName } from './types.ts';

const NAME = 'logistic-tfjs';

function checkLabels(labels: ArrayLike<number>): void {
  for (let k = 0; k < labels.length; k++) {
    if (labels[k] !== 0 && labels[k] !== 1) throw new RangeError(`logistic: label ${labels[k]} is not 0 or 1`);
  }
}

function logits(params: tf.Tensor1D, x: tf.Tensor2D, features: number): tf.Tensor1D {
  return x.matMul(params.slice(0, features).reshape([features, 1])).reshape([-1]).add(params.slice(features, 1));
}

function exampleLosses(u: tf.Tensor1D, y: tf.Tensor1D, loss: LossName): tf.Tensor1D {
  if (loss === 'cross-entropy') return u.relu().sub(u.mul(y)).add(u.abs().neg().exp().log1p()) as tf.Tensor1D;
  return u.sigmoid().sub(y).square() as tf.Tensor1D;
}

/** [B, d]: each row's gradient. */
function perExampleTensor(params: Float32Array, batch: Float32Array, labels: Int32Array, features: number, loss: LossName): tf.Tensor2D {
  const b = labels.length;
  const x = tf.tensor2d(batch, [b, features]);
  const y = tf.tensor1d(labels, 'float32');
  const p = logits(tf.tensor1d(params), x, features).sigmoid();
  const e = p.sub(y);
  const delta = (loss === 'cross-entropy' ? e : e.mul(2).mul(p).mul(p.neg().add(1))).reshape([b, 1]);
  return tf.concat([x.mul(delta), delta], 1) as tf.Tensor2D;
}

function prepare(params: Float32Array, X: Float32Array, Y: Labels, rows: ArrayLike<number>, features: number): { batch: Float32Array; labels: Int32Array } {
  checkDim(NAME, params, logisticDim(features));
  const staged = gather(NAME, X, Y, rows, features);
  checkLabels(staged.labels);
  return staged;
}

export function logisticGradientTfjs(params: Float32Array, X: Float32Array, Y: Labels, rows: ArrayLike<number>, features: number, loss: LossName = 'cross-entropy'): Float32Array {
  const { batch, labels } = prepare(params, X, Y, rows, features);
  return take(tf.tidy(() => perExampleTensor(params, batch, labels, features, loss).mean(0)));
}

export function logisticPerExampleTfjs(params: Float32Array, X: Float32Array, Y: Labels, rows: ArrayLike<number>, features: number, loss: LossName = 'cross-entropy'): Float32Array {
  const { batch, labels } = prepare(params, X, Y, rows, features);
  return take(tf.tidy(() => perExampleTensor(params, batch, labels, features, loss)));
}

export function logisticEvaluatorTfjs(X: Float32Array, Y: Labels, features: number, loss: LossName = 'cross-entropy'): TfjsEvaluator {
  const n = Y.length;
  if (X.length !== n * features) throw new RangeError(`${NAME}: X has ${X.length} values, expected ${n}×${features}`);
  checkLabels(Y);
  const x = tf.tensor2d(X, [n, features]);
  const y = tf.tensor1d(Float32Array.from(Y));
  const totals = [0, 0];
  for (let r = 0; r < n; r++) totals[Y[r]]++;
  return {
    evaluate(params): Evaluation {
      checkDim(NAME, params, logisticDim(features));
      const [u, total] = tf.tidy(() => {
        const z = logits(tf.tensor1d(params), x, features);
        return [z, exampleLosses(z, y, loss).sum()];
      }).map((t) => {
        const v = t.dataSync();
        t.dispose();
        return v;
      });
      const hits = [0, 0];
      let correct = 0;
      for (let r = 0; r < n; r++) {
        if ((u[r] > 0 ? 1 : 0) === Y[r]) {
          correct++;
          hits[Y[r]]++;
        }
      }
      return { accuracy: correct / n, loss: total[0] / n, perClass: perClassAccuracy(hits, totals) };
    },
    dispose() {
      x.dispose();
      y.dispose();
    },
  };
}
