/**
 * Multiclass (softmax) logistic regression in plain TypeScript.
 *
 *   p(y = c | x) = softmax(Wᵀx + b)_c
 *   cross-entropy (default)  ℓ = −log p_y                    ∂ℓ/∂z = p − e_y
 *   mse                      ℓ = (1/C) Σ_c (p_c − [c = y])²  (see loss.ts)
 *   ∇_W ℓ = x (∂ℓ/∂z)ᵀ,   ∇_b ℓ = ∂ℓ/∂z
 *
 * Parameter layout (length (features + 1)·classes): W row-major features ×
 * classes, i.e. W[j, c] at j·classes + c, followed by the bias b[c] at
 * features·classes + c. The tfjs version (logreg-tfjs.ts) uses the same layout.
 *
 * Sums run in float64; the softmax subtracts the largest logit first. Zero
 * features are skipped, which makes MNIST (≈80 % zero pixels) several times faster.
 */
import type { Evaluation } from '../task.ts';
import { argmaxEvaluation, lossOf, softmaxDelta, softmaxLoss } from './loss.ts';
import { defineModel, type Labels, type LossName } from './types.ts';

export type { Labels } from './types.ts';

export function logregDim(features: number, classes: number): number {
  return (features + 1) * classes;
}

/** θ_0 = 0: every class equally likely. */
export function logregInit(features: number, classes: number): Float32Array {
  return new Float32Array(logregDim(features, classes));
}

/**
 * Writes the logits of row `r` into `z` and returns the row's loss; on
 * return `z` holds the softmax probabilities.
 */
function forwardRow(params: Float32Array, X: Float32Array, r: number, y: number, features: number, classes: number, z: Float64Array, loss: LossName): number {
  const bias = features * classes;
  for (let c = 0; c < classes; c++) z[c] = params[bias + c];
  const o = r * features;
  for (let j = 0; j < features; j++) {
    const x = X[o + j];
    if (x === 0) continue;
    const w = j * classes;
    for (let c = 0; c < classes; c++) z[c] += x * params[w + c];
  }
  return softmaxLoss(z, y, classes, loss);
}

/** acc += ∇ℓ of row r (float64). */
function accumulateRow(
  params: Float32Array,
  X: Float32Array,
  r: number,
  y: number,
  features: number,
  classes: number,
  z: Float64Array,
  loss: LossName,
  acc: Float64Array,
  at: number,
): void {
  forwardRow(params, X, r, y, features, classes, z, loss);
  softmaxDelta(z, y, classes, loss);
  const o = r * features;
  for (let j = 0; j < features; j++) {
    const x = X[o + j];
    if (x === 0) continue;
    const w = at + j * classes;
    for (let c = 0; c < classes; c++) acc[w + c] += x * z[c];
  }
  const bias = at + features * classes;
  for (let c = 0; c < classes; c++) acc[bias + c] += z[c];
}

function check(params: Float32Array, rows: ArrayLike<number>, features: number, classes: number): number {
  const dim = logregDim(features, classes);
  if (params.length !== dim) throw new RangeError(`logreg: expected ${dim} parameters, got ${params.length}`);
  if (rows.length === 0) throw new RangeError('logreg: empty minibatch');
  return dim;
}

/** Mean loss gradient over the rows `rows` of (X, Y). */
export function logregGradient(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  classes: number,
  loss: LossName = 'cross-entropy',
): Float32Array {
  const dim = check(params, rows, features, classes);
  const acc = new Float64Array(dim);
  const z = new Float64Array(classes);
  for (let k = 0; k < rows.length; k++) accumulateRow(params, X, rows[k], Y[rows[k]], features, classes, z, loss, acc, 0);
  const g = new Float32Array(dim);
  const scale = 1 / rows.length;
  for (let i = 0; i < dim; i++) g[i] = acc[i] * scale;
  return g;
}

/** The per-example gradients of the rows `rows`: row k's at [k·dim, (k+1)·dim). */
export function logregPerExample(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  features: number,
  classes: number,
  loss: LossName = 'cross-entropy',
): Float32Array {
  const dim = check(params, rows, features, classes);
  const acc = new Float64Array(rows.length * dim);
  const z = new Float64Array(classes);
  for (let k = 0; k < rows.length; k++) accumulateRow(params, X, rows[k], Y[rows[k]], features, classes, z, loss, acc, k * dim);
  return Float32Array.from(acc);
}

export { perClassAccuracy } from './loss.ts';

/**
 * Accuracy (argmax, ties to the lowest class), mean loss and per-class
 * accuracy over all rows of (X, Y).
 */
export function logregEvaluate(
  params: Float32Array,
  X: Float32Array,
  Y: Labels,
  features: number,
  classes: number,
  loss: LossName = 'cross-entropy',
): Evaluation {
  const dim = logregDim(features, classes);
  if (params.length !== dim) throw new RangeError(`logreg: expected ${dim} parameters, got ${params.length}`);
  const z = new Float64Array(classes);
  return argmaxEvaluation(Y, classes, z, (r) => forwardRow(params, X, r, Y[r], features, classes, z, loss));
}

export const logreg = defineModel({
  name: 'logreg',
  summary: 'Multinomial (softmax) logistic regression, cross-entropy or mse loss, θ_0 = 0.',
  reference: '—',
  params: {},
  create: (_p, shape) => {
    const { features, classes } = shape;
    const loss = lossOf(shape.loss, 'logreg');
    return {
      dim: logregDim(features, classes),
      init: () => logregInit(features, classes),
      ts: {
        gradient: (theta, X, Y, rows) => logregGradient(theta, X, Y, rows, features, classes, loss),
        perExample: (theta, X, Y, rows) => logregPerExample(theta, X, Y, rows, features, classes, loss),
        evaluator: (X, Y) => ({ evaluate: (theta) => logregEvaluate(theta, X, Y, features, classes, loss), dispose: () => {} }),
      },
      async tfjs() {
        const { logregGradientTfjs, logregPerExampleTfjs, logregEvaluatorTfjs } = await import('./logreg-tfjs.ts');
        return {
          gradient: (theta, X, Y, rows) => logregGradientTfjs(theta, X, Y, rows, features, classes, loss),
          perExample: (theta, X, Y, rows) => logregPerExampleTfjs(theta, X, Y, rows, features, classes, loss),
          evaluator: (X, Y) => logregEvaluatorTfjs(X, Y, features, classes, loss),
        };
      },
    };
  },
});
