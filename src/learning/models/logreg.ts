/**
 * Multiclass (softmax) logistic regression in plain TypeScript.
 *
 *   p(y = c | x) = softmax(Wᵀx + b)_c,   ℓ(θ; x, y) = −log p(y | x)
 *   ∇_W ℓ = x (p − e_y)ᵀ,   ∇_b ℓ = p − e_y
 *
 * Parameter layout (length (features + 1)·classes): W row-major features ×
 * classes, i.e. W[j, c] at j·classes + c, followed by the bias b[c] at
 * features·classes + c. The tfjs version (logreg-tfjs.ts) uses the same layout.
 *
 * Sums run in float64; the softmax subtracts the largest logit first. Zero
 * features are skipped, which makes MNIST (≈80 % zero pixels) several times faster.
 */
import type { Evaluation } from '../task.ts';
import { defineModel, type Labels } from './types.ts';

export type { Labels } from './types.ts';

export function logregDim(features: number, classes: number): number {
  return (features + 1) * classes;
}

/** θ_0 = 0: every class equally likely. */
export function logregInit(features: number, classes: number): Float32Array {
  return new Float32Array(logregDim(features, classes));
}

/**
 * Writes the logits of row `r` into `z` and returns −log p(Y[r] | X[r]); on
 * return `z` holds the softmax probabilities.
 */
function softmaxRow(params: Float32Array, X: Float32Array, r: number, y: number, features: number, classes: number, z: Float64Array): number {
  const bias = features * classes;
  for (let c = 0; c < classes; c++) z[c] = params[bias + c];
  const o = r * features;
  for (let j = 0; j < features; j++) {
    const x = X[o + j];
    if (x === 0) continue;
    const w = j * classes;
    for (let c = 0; c < classes; c++) z[c] += x * params[w + c];
  }
  let max = z[0];
  for (let c = 1; c < classes; c++) if (z[c] > max) max = z[c];
  const zy = z[y] - max;
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    z[c] = Math.exp(z[c] - max);
    sum += z[c];
  }
  const loss = Math.log(sum) - zy;
  for (let c = 0; c < classes; c++) z[c] /= sum;
  return loss;
}

/** Mean cross-entropy gradient over the rows `rows` of (X, Y). */
export function logregGradient(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  classes: number,
): Float32Array {
  const dim = logregDim(features, classes);
  if (params.length !== dim) throw new RangeError(`logreg: expected ${dim} parameters, got ${params.length}`);
  if (rows.length === 0) throw new RangeError('logreg: empty minibatch');
  const acc = new Float64Array(dim);
  const z = new Float64Array(classes);
  const bias = features * classes;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const y = Y[r];
    softmaxRow(params, X, r, y, features, classes, z);
    z[y] -= 1;
    const o = r * features;
    for (let j = 0; j < features; j++) {
      const x = X[o + j];
      if (x === 0) continue;
      const w = j * classes;
      for (let c = 0; c < classes; c++) acc[w + c] += x * z[c];
    }
    for (let c = 0; c < classes; c++) acc[bias + c] += z[c];
  }
  const g = new Float32Array(dim);
  const scale = 1 / rows.length;
  for (let i = 0; i < dim; i++) g[i] = acc[i] * scale;
  return g;
}

/** Accuracy of each class on the test set (NaN for a class with no test example). */
export function perClassAccuracy(hits: ArrayLike<number>, totals: ArrayLike<number>): number[] {
  return Array.from(totals, (t, c) => (t > 0 ? hits[c] / t : NaN));
}

/**
 * Accuracy (argmax, ties to the lowest class), mean cross-entropy and
 * per-class accuracy over all rows of (X, Y).
 */
export function logregEvaluate(params: Float32Array, X: Float32Array, Y: Labels, features: number, classes: number): Evaluation {
  const dim = logregDim(features, classes);
  if (params.length !== dim) throw new RangeError(`logreg: expected ${dim} parameters, got ${params.length}`);
  const n = Y.length;
  const z = new Float64Array(classes);
  const hits = new Float64Array(classes);
  const totals = new Float64Array(classes);
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const y = Y[r];
    loss += softmaxRow(params, X, r, y, features, classes, z);
    let best = 0;
    for (let c = 1; c < classes; c++) if (z[c] > z[best]) best = c;
    totals[y]++;
    if (best === y) {
      correct++;
      hits[y]++;
    }
  }
  return { accuracy: correct / n, loss: loss / n, perClass: perClassAccuracy(hits, totals) };
}

export const logreg = defineModel({
  name: 'logreg',
  summary: 'Multinomial (softmax) logistic regression, cross-entropy loss, θ_0 = 0.',
  reference: '—',
  params: {},
  create: (_p, { features, classes }) => ({
    dim: logregDim(features, classes),
    init: () => logregInit(features, classes),
    ts: {
      gradient: (theta, X, Y, rows) => logregGradient(theta, X, Y, rows, features, classes),
      evaluator: (X, Y) => ({ evaluate: (theta) => logregEvaluate(theta, X, Y, features, classes), dispose: () => {} }),
    },
    async tfjs() {
      const { logregGradientTfjs, logregEvaluatorTfjs } = await import('./logreg-tfjs.ts');
      return {
        gradient: (theta, X, Y, rows) => logregGradientTfjs(theta, X, Y, rows, features, classes),
        evaluator: (X, Y) => logregEvaluatorTfjs(X, Y, features, classes),
      };
    },
  }),
});
