/**
 * The CNNs of cnn.ts computed with tfjs ops on the active backend: forward
 * pass, mean loss, its gradient by autodiff (tf.grads) with respect to each
 * layer's weights and biases — views of θ, whose gradients are written back
 * at the same offsets, so the gradient is flat in θ's layout — per-example
 * gradients and evaluation, all inside tf.tidy or disposed explicitly.
 * Loading this module puts in place the wasm kernels a CNN needs
 * (../wasm-kernels.ts).
 */
import * as tf from '@tensorflow/tfjs';
import '../wasm-kernels.ts';
import type { Evaluation } from '../task.ts';
import { perClassAccuracy } from './logreg.ts';
import type { Evaluator, Labels, LossName, ModelKernels } from './types.ts';
import type { CnnPlan } from './cnn.ts';
import { exampleLosses, gather, meanLoss } from './tfjs-common.ts';

/** θ's per-layer tensors, in the views' order: [W_0, b_0, W_1, b_1, …], each of its layer's shape. */
export type LayerTensors = tf.Tensor[];

/**
 * Uploads θ as one tensor per weight and bias array (views of θ's buffer,
 * nothing is rearranged). Autodiff with respect to these, rather than to
 * slices of one flat tensor, spares the backward pass a θ-sized pad and add
 * per layer; the gradients are written back at the same offsets (cnnGradient).
 */
export function layerTensors(plan: CnnPlan, theta: Float32Array): LayerTensors {
  const out: LayerTensors = [];
  for (const v of plan.views) {
    out.push(tf.tensor(theta.subarray(v.offset, v.biasOffset), v.shape));
    out.push(tf.tensor1d(theta.subarray(v.biasOffset, v.biasOffset + v.units)));
  }
  return out;
}

/** The network's outputs (logits) for a batch x of shape [b, h, w, c]. */
export function cnnForward(plan: CnnPlan, params: LayerTensors, x: tf.Tensor4D): tf.Tensor2D {
  let a: tf.Tensor = x;
  for (const step of plan.steps) {
    if (step.kind === 'pool') {
      a = tf.maxPool(a as tf.Tensor4D, step.size, step.size, 'valid');
    } else if (step.kind === 'flatten') {
      a = a.reshape([a.shape[0], step.features]);
    } else {
      const v = plan.views[step.view];
      const W = params[2 * step.view];
      const b = params[2 * step.view + 1];
      // Fused bias and ReLU: one kernel on wasm (XNNPACK), where a broadcast add alone costs as much as the convolution.
      const activation = v.relu ? 'relu' : 'linear';
      a =
        v.kind === 'conv'
          ? tf.fused.conv2d({ x: a as tf.Tensor4D, filter: W as tf.Tensor4D, strides: 1, pad: 'valid', bias: b, activation })
          : tf.fused.matMul({ a: a as tf.Tensor2D, b: W as tf.Tensor2D, bias: b, activation });
    }
  }
  return a as tf.Tensor2D;
}

/** The batch's mean loss (loss.ts's definitions, as the other softmax models). */
export function cnnLoss(loss: LossName, z: tf.Tensor2D, y: tf.Tensor1D, classes: number): tf.Scalar {
  return meanLoss(tf.oneHot(y, classes) as tf.Tensor2D, z, loss);
}

function checkTheta(plan: CnnPlan, theta: Float32Array): void {
  if (theta.length !== plan.dim) throw new RangeError(`${plan.name}: expected ${plan.dim} parameters, got ${theta.length}`);
}

/** Mean loss gradient over the rows `rows` of (X, Y), flat in θ's layout. */
export function cnnGradient(plan: CnnPlan, theta: Float32Array, X: Float32Array, Y: Labels, rows: ArrayLike<number>): Float32Array {
  checkTheta(plan, theta);
  const { height, width, channels } = plan.image;
  const { batch, labels } = gather(plan.name, X, Y, rows, height * width * channels);
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(batch, [rows.length, height, width, channels]);
    const y = tf.tensor1d(labels, 'int32');
    const f = (...params: tf.Tensor[]): tf.Scalar => cnnLoss(plan.loss, cnnForward(plan, params, x), y, plan.classes);
    return tf.grads(f)(layerTensors(plan, theta));
  });
  const g = new Float32Array(plan.dim);
  try {
    plan.views.forEach((v, i) => {
      g.set(grads[2 * i].dataSync() as Float32Array, v.offset);
      g.set(grads[2 * i + 1].dataSync() as Float32Array, v.biasOffset);
    });
  } finally {
    for (const t of grads) t.dispose();
  }
  return g;
}

/**
 * Per-example gradients, rows.length × dim: one batch-1 backward pass per
 * example (tfjs has no per-example reduction of a convolution's kernel
 * gradient; ≈ 7× one minibatch gradient's time for cnn-lenet at 25 rows).
 */
export function cnnPerExample(plan: CnnPlan, theta: Float32Array, X: Float32Array, Y: Labels, rows: ArrayLike<number>): Float32Array {
  checkTheta(plan, theta);
  const out = new Float32Array(rows.length * plan.dim);
  for (let k = 0; k < rows.length; k++) out.set(cnnGradient(plan, theta, X, Y, [rows[k]]), k * plan.dim);
  return out;
}

/** Test examples per forward pass: bounds the feature maps' memory (cnn-lenet: ≈ 23 MB at 500). */
const EVAL_CHUNK = 500;

/**
 * Accuracy (argmax), mean loss and per-class accuracy on a fixed test set,
 * uploaded once and evaluated in chunks. Call dispose() to free it.
 */
export function cnnEvaluator(plan: CnnPlan, X: Float32Array, Y: Labels): Evaluator {
  const n = Y.length;
  const { height, width, channels } = plan.image;
  const features = height * width * channels;
  if (X.length !== n * features) throw new RangeError(`${plan.name}: X has ${X.length} values, expected ${n}×${features}`);
  if (n === 0) throw new RangeError(`${plan.name}: empty test set`);
  const chunks: { x: tf.Tensor4D; y: tf.Tensor1D }[] = [];
  for (let s = 0; s < n; s += EVAL_CHUNK) {
    const e = Math.min(n, s + EVAL_CHUNK);
    chunks.push({
      x: tf.tensor4d(X.subarray(s * features, e * features), [e - s, height, width, channels]),
      y: tf.tensor1d(Int32Array.from(Y.subarray(s, e)), 'int32'),
    });
  }
  const totals = new Float64Array(plan.classes);
  for (let r = 0; r < n; r++) totals[Y[r]]++;
  return {
    evaluate(theta): Evaluation {
      checkTheta(plan, theta);
      const hits = new Float64Array(plan.classes);
      let correct = 0;
      let loss = 0;
      const p = layerTensors(plan, theta);
      try {
        let s = 0;
        for (const chunk of chunks) {
          const [predicted, sum] = tf.tidy(() => {
            const z = cnnForward(plan, p, chunk.x);
            return [z.argMax(1), exampleLosses(tf.oneHot(chunk.y, plan.classes) as tf.Tensor2D, z, plan.loss).sum()];
          });
          const pred = predicted.dataSync();
          loss += sum.dataSync()[0];
          predicted.dispose();
          sum.dispose();
          for (let k = 0; k < pred.length; k++) {
            const y = Y[s + k];
            if (pred[k] === y) {
              correct++;
              hits[y]++;
            }
          }
          s += pred.length;
        }
      } finally {
        for (const t of p) t.dispose();
      }
      return { accuracy: correct / n, loss: loss / n, perClass: perClassAccuracy(hits, totals) };
    },
    dispose() {
      for (const c of chunks) {
        c.x.dispose();
        c.y.dispose();
      }
    },
  };
}

/** The tfjs kernels of a planned network. */
export function cnnTfjsKernels(plan: CnnPlan): ModelKernels {
  return {
    gradient: (theta, X, Y, rows) => cnnGradient(plan, theta, X, Y, rows),
    perExample: (theta, X, Y, rows) => cnnPerExample(plan, theta, X, Y, rows),
    evaluator: (X, Y) => cnnEvaluator(plan, X, Y),
  };
}
