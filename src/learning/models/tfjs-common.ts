/**
 * What the tfjs versions of the softmax models share: staging a minibatch,
 * the softmax head's loss and its ∂ℓ/∂z (loss.ts's formulas as tfjs ops), the
 * mean gradient by autodiff, and an evaluator that holds the test set on the
 * backend. A model supplies only its logits as a function of (θ, x).
 */
import * as tf from '@tensorflow/tfjs';
import type { Evaluation } from '../task.ts';
import type { Labels, LossName } from './types.ts';

export type Logits = (params: tf.Tensor1D, x: tf.Tensor2D) => tf.Tensor2D;

export function checkDim(name: string, params: Float32Array, dim: number): void {
  if (params.length !== dim) throw new RangeError(`${name}: expected ${dim} parameters, got ${params.length}`);
}

/** The rows `rows` of (X, Y), contiguous. */
export function gather(name: string, X: Float32Array, Y: Labels, rows: ArrayLike<number>, features: number): { batch: Float32Array; labels: Int32Array } {
  const b = rows.length;
  if (b === 0) throw new RangeError(`${name}: empty minibatch`);
  const batch = new Float32Array(b * features);
  const labels = new Int32Array(b);
  for (let k = 0; k < b; k++) {
    const r = rows[k];
    batch.set(X.subarray(r * features, (r + 1) * features), k * features);
    labels[k] = Y[r];
  }
  return { batch, labels };
}

/** Each example's loss ([B]) given one-hot labels and logits. */
export function exampleLosses(y: tf.Tensor2D, z: tf.Tensor2D, loss: LossName): tf.Tensor1D {
  if (loss === 'cross-entropy') return tf.losses.softmaxCrossEntropy(y, z, undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D;
  return tf.softmax(z).sub(y).square().mean(1);
}

/** The batch's mean loss. Cross-entropy keeps tf.losses' own mean reduction (what logreg-tfjs always used). */
export function meanLoss(y: tf.Tensor2D, z: tf.Tensor2D, loss: LossName): tf.Scalar {
  if (loss === 'cross-entropy') return tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar;
  return exampleLosses(y, z, loss).mean();
}

/** ∂ℓ/∂z for each example ([B, C]), as softmaxDelta in loss.ts. */
export function headDelta(y: tf.Tensor2D, z: tf.Tensor2D, loss: LossName): tf.Tensor2D {
  const p = tf.softmax(z);
  if (loss === 'cross-entropy') return p.sub(y);
  const g = p.sub(y).mul(2 / z.shape[1]);
  return p.mul(g.sub(g.mul(p).sum(1, true)));
}

/** Copies a tensor's values out (dataSync may hand back the cpu backend's own buffer) and disposes it. */
export function take(t: tf.Tensor): Float32Array {
  try {
    return Float32Array.from(t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}

/** Mean loss gradient over the rows `rows`, by autodiff of the logits. */
export function gradientTfjs(
  name: string,
  logits: Logits,
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: ArrayLike<number>,
  features: number,
  classes: number,
  loss: LossName,
): Float32Array {
  const { batch, labels } = gather(name, X, Y, rows, features);
  return take(
    tf.tidy(() => {
      const x = tf.tensor2d(batch, [labels.length, features]);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), classes) as tf.Tensor2D;
      const f = (p: tf.Tensor): tf.Scalar => meanLoss(y, logits(p as tf.Tensor1D, x), loss);
      return tf.grad(f)(tf.tensor1d(params));
    }),
  );
}

/**
 * Evaluates on a fixed (X, Y) held on the backend: the test set is uploaded
 * once, and each call only uploads θ. Call dispose() to free it.
 */
export interface TfjsEvaluator {
  evaluate(params: Float32Array): Evaluation;
  dispose(): void;
}

export function evaluatorTfjs(
  name: string,
  logits: Logits,
  dim: number,
  X: Float32Array,
  Y: Labels,
  features: number,
  classes: number,
  loss: LossName,
): TfjsEvaluator {
  const n = Y.length;
  if (X.length !== n * features) throw new RangeError(`${name}: X has ${X.length} values, expected ${n}×${features}`);
  const x = tf.tensor2d(X, [n, features]);
  const y = tf.tensor1d(Int32Array.from(Y), 'int32');
  const totals = new Float64Array(classes);
  for (let r = 0; r < n; r++) totals[Y[r]]++;
  return {
    evaluate(params) {
      checkDim(name, params, dim);
      const [predicted, total] = tf.tidy(() => {
        const z = logits(tf.tensor1d(params), x);
        return [z.argMax(1), exampleLosses(tf.oneHot(y, classes) as tf.Tensor2D, z, loss).sum()];
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
      return { accuracy: correct / n, loss: total[0] / n, perClass: Array.from(totals, (t, c) => (t > 0 ? hits[c] / t : NaN)) };
    },
    dispose() {
      x.dispose();
      y.dispose();
    },
  };
}
