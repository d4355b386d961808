/**
 * Binary logistic regression, for two-class data (labels 0 and 1):
 *
 *   p(y = 1 | x) = σ(wᵀx + b)
 *   cross-entropy (default, the log loss)  ℓ = −y log p − (1 − y) log(1 − p)
 *   mse                                    ℓ = (p − y)²
 *   ∇_w ℓ = (∂ℓ/∂u) x,  ∇_b ℓ = ∂ℓ/∂u,  u = wᵀx + b   (∂ℓ/∂u in loss.ts)
 *
 * d = features + 1 parameters: w[j] at j, then b at `features` — the model of
 * Guerraoui et al., "Differential privacy and Byzantine resilience in SGD: do
 * they add up?", PODC 2021, §5.1 (phishing, 68 features, d = 69, trained on
 * the mean square error). θ_0 = 0 (p = ½ everywhere). The prediction is 1
 * when u > 0 (ties to the lower class, as logreg's argmax). logistic-tfjs.ts
 * is the same model in tfjs ops.
 *
 * A two-class softmax logreg has twice the parameters and, at W = [0, w],
 * b = [0, b], the same predictions and losses (loss.ts averages its mse over
 * the outputs for that reason).
 */
import type { Evaluation } from '../task.ts';
import { lossOf, sigmoidDelta, sigmoidLoss } from './loss.ts';
import { perClassAccuracy } from './logreg.ts';
import { clipFactor } from '../dp/clip.ts';
import { defineModel, type Labels, type LossName } from './types.ts';

export function logisticDim(features: number): number {
  return features + 1;
}

function logit(theta: Float32Array, X: Float32Array, r: number, features: number): number {
  let u = theta[features];
  const o = r * features;
  for (let j = 0; j < features; j++) u += X[o + j] * theta[j];
  return u;
}

function check(theta: Float32Array, features: number, rows?: ArrayLike<number>): void {
  if (theta.length !== features + 1) throw new RangeError(`logistic: expected ${features + 1} parameters, got ${theta.length}`);
  if (rows && rows.length === 0) throw new RangeError('logistic: empty minibatch');
}

function label(Y: Labels, r: number): number {
  const y = Y[r];
  if (y !== 0 && y !== 1) throw new RangeError(`logistic: label ${y} of row ${r} is not 0 or 1`);
  return y;
}

/** acc[at …] += ∇ℓ of row r. */
function accumulate(theta: Float32Array, X: Float32Array, r: number, y: number, features: number, loss: LossName, acc: Float64Array, at: number): void {
  const delta = sigmoidDelta(logit(theta, X, r, features), y, loss);
  const o = r * features;
  for (let j = 0; j < features; j++) acc[at + j] += delta * X[o + j];
  acc[at + features] += delta;
}

/** Mean loss gradient over the rows `rows` of (X, Y). */
export function logisticGradient(
  theta: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  loss: LossName = 'cross-entropy',
): Float32Array {
  check(theta, features, rows);
  const acc = new Float64Array(features + 1);
  for (let k = 0; k < rows.length; k++) accumulate(theta, X, rows[k], label(Y, rows[k]), features, loss, acc, 0);
  const g = new Float32Array(features + 1);
  const scale = 1 / rows.length;
  for (let i = 0; i <= features; i++) g[i] = acc[i] * scale;
  return g;
}

/** The per-example gradients of the rows `rows`: row k's at [k·d, (k+1)·d). */
export function logisticPerExample(
  theta: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  loss: LossName = 'cross-entropy',
): Float32Array {
  check(theta, features, rows);
  const d = features + 1;
  const acc = new Float64Array(rows.length * d);
  for (let k = 0; k < rows.length; k++) accumulate(theta, X, rows[k], label(Y, rows[k]), features, loss, acc, k * d);
  return Float32Array.from(acc);
}

/**
 * DP-SGD's clipped mean without the per-example gradients: row k's gradient
 * is δ_k·(x_k, 1), so its norm is |δ_k|·√(‖x_k‖² + 1), summed in the pass
 * that computes the logit.
 */
export function logisticClippedGradient(
  theta: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  loss: LossName,
  norm: number,
): Float32Array {
  check(theta, features, rows);
  const acc = new Float64Array(features + 1);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const o = r * features;
    let u = theta[features];
    let xx = 1;
    for (let j = 0; j < features; j++) {
      const x = X[o + j];
      u += x * theta[j];
      xx += x * x;
    }
    const delta = sigmoidDelta(u, label(Y, r), loss);
    const c = delta * clipFactor(delta * delta * xx, norm);
    if (c === 0) continue;
    for (let j = 0; j < features; j++) acc[j] += c * X[o + j];
    acc[features] += c;
  }
  const g = new Float32Array(features + 1);
  const scale = 1 / rows.length;
  for (let i = 0; i <= features; i++) g[i] = acc[i] * scale;
  return g;
}

/** Accuracy, mean loss and per-class accuracy over all rows of (X, Y). */
export function logisticEvaluate(theta: Float32Array, X: Float32Array, Y: Labels, features: number, loss: LossName = 'cross-entropy'): Evaluation {
  check(theta, features);
  const n = Y.length;
  const hits = [0, 0];
  const totals = [0, 0];
  let total = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const y = label(Y, r);
    const u = logit(theta, X, r, features);
    total += sigmoidLoss(u, y, loss);
    totals[y]++;
    if ((u > 0 ? 1 : 0) === y) {
      correct++;
      hits[y]++;
    }
  }
  return { accuracy: correct / n, loss: total / n, perClass: perClassAccuracy(hits, totals) };
}

export const logistic = defineModel({
  name: 'logistic',
  summary: 'Binary logistic regression σ(wᵀx + b) for two-class data, log loss or mse, θ_0 = 0.',
  reference: 'Guerraoui, Gupta, Pinot, Rouault, Stephan, "Differential privacy and Byzantine resilience in SGD: do they add up?", PODC 2021 (§5.1)',
  params: {},
  create: (_p, shape) => {
    const { features, classes } = shape;
    if (classes !== 2) throw new Error(`model logistic: binary logistic regression needs 2 classes (the data has ${classes}); use logreg for ${classes} classes`);
    const loss = lossOf(shape.loss, 'logistic');
    return {
      dim: logisticDim(features),
      init: () => new Float32Array(logisticDim(features)),
      ts: {
        gradient: (theta, X, Y, rows) => logisticGradient(theta, X, Y, rows, features, loss),
        perExample: (theta, X, Y, rows) => logisticPerExample(theta, X, Y, rows, features, loss),
        clippedGradient: (theta, X, Y, rows, norm) => logisticClippedGradient(theta, X, Y, rows, features, loss, norm),
        evaluator: (X, Y) => ({ evaluate: (theta) => logisticEvaluate(theta, X, Y, features, loss), dispose: () => {} }),
      },
      async tfjs() {
        const { logisticGradientTfjs, logisticPerExampleTfjs, logisticEvaluatorTfjs } = await import('./logistic-tfjs.ts');
        return {
          gradient: (theta, X, Y, rows) => logisticGradientTfjs(theta, X, Y, rows, features, loss),
          perExample: (theta, X, Y, rows) => logisticPerExampleTfjs(theta, X, Y, rows, features, loss),
          evaluator: (X, Y) => logisticEvaluatorTfjs(X, Y, features, loss),
        };
      },
    };
  },
});
