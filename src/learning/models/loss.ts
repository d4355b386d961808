/**
 * The output heads the models share: from an example's logits to its loss and
 * to ∂ℓ/∂(logits), in float64.
 *
 * Softmax head (C ≥ 2 outputs z, probabilities p = softmax(z), label y):
 *
 *   cross-entropy  ℓ = −log p_y                      ∂ℓ/∂z = p − e_y
 *   mse            ℓ = (1/C) Σ_c (p_c − [c = y])²    ∂ℓ/∂z_j = p_j (g_j − Σ_c g_c p_c),  g = (2/C)(p − e_y)
 *
 * Sigmoid head (one output u, p = σ(u), label y ∈ {0, 1}):
 *
 *   cross-entropy  ℓ = −y log p − (1 − y) log(1 − p)   ∂ℓ/∂u = p − y
 *   mse            ℓ = (p − y)²                        ∂ℓ/∂u = 2 (p − y) p (1 − p)
 *
 * mse is the squared error of the predicted probabilities, as in Guerraoui,
 * Gupta, Pinot, Rouault, Stephan, "Differential privacy and Byzantine
 * resilience in SGD: do they add up?", PODC 2021, §5.1 (logistic regression
 * trained on the "mean square error"). The softmax version averages over the
 * C outputs, as torch.nn.MSELoss(softmax(z), one_hot(y)) does, so that a
 * two-class softmax model has exactly the binary model's loss (p₁ = σ(z₁ − z₀)).
 */
import type { LossName } from './types.ts';

/**
 * Overwrites the logits `z` with the softmax probabilities (largest logit
 * subtracted first) and returns −log p_y. These operations, in this order, are
 * what logreg's golden trace hashes were recorded with.
 */
export function softmaxInPlace(z: Float64Array, y: number, classes: number): number {
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

/** The mse of probabilities `p` against the one-hot label y. */
function softmaxMse(p: Float64Array, y: number, classes: number): number {
  let s = 0;
  for (let c = 0; c < classes; c++) {
    const e = p[c] - (c === y ? 1 : 0);
    s += e * e;
  }
  return s / classes;
}

/**
 * Overwrites the logits `z` with the softmax probabilities and returns the
 * example's loss.
 */
export function softmaxLoss(z: Float64Array, y: number, classes: number, loss: LossName): number {
  const ce = softmaxInPlace(z, y, classes);
  return loss === 'cross-entropy' ? ce : softmaxMse(z, y, classes);
}

/** Overwrites the probabilities `p` (from softmaxLoss) with ∂ℓ/∂z. */
export function softmaxDelta(p: Float64Array, y: number, classes: number, loss: LossName): void {
  if (loss === 'cross-entropy') {
    p[y] -= 1;
    return;
  }
  const k = 2 / classes;
  let s = 0;
  for (let c = 0; c < classes; c++) s += k * (p[c] - (c === y ? 1 : 0)) * p[c];
  for (let c = 0; c < classes; c++) p[c] *= k * (p[c] - (c === y ? 1 : 0)) - s;
}

/** σ(u), without overflow for large |u|. */
export function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** The sigmoid head's loss at logit u for label y ∈ {0, 1} (log loss in the form that does not overflow). */
export function sigmoidLoss(u: number, y: number, loss: LossName): number {
  if (loss === 'cross-entropy') return Math.max(u, 0) - u * y + Math.log1p(Math.exp(-Math.abs(u)));
  const e = sigmoid(u) - y;
  return e * e;
}

/** ∂ℓ/∂u of the sigmoid head. */
export function sigmoidDelta(u: number, y: number, loss: LossName): number {
  const p = sigmoid(u);
  return loss === 'cross-entropy' ? p - y : 2 * (p - y) * p * (1 - p);
}

/** The loss a shape asks for, checked (a scenario may spell anything). */
export function lossOf(loss: LossName | undefined, model: string): LossName {
  const l = loss ?? 'cross-entropy';
  if (l !== 'cross-entropy' && l !== 'mse') throw new Error(`model ${model}: unknown loss '${String(l)}' (expected cross-entropy or mse)`);
  return l;
}

/**
 * Accuracy (argmax of `scores` after `row(r)`, ties to the lowest class),
 * mean loss and per-class accuracy over the n rows of Y: `row(r)` computes
 * row r's scores into `scores` and returns its loss (what every TypeScript
 * model's evaluator shares).
 */
export function argmaxEvaluation(Y: ArrayLike<number>, classes: number, scores: ArrayLike<number>, row: (r: number) => number): { accuracy: number; loss: number; perClass: number[] } {
  const n = Y.length;
  const hits = new Float64Array(classes);
  const totals = new Float64Array(classes);
  let total = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const y = Y[r];
    total += row(r);
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[c] > scores[best]) best = c;
    totals[y]++;
    if (best === y) {
      correct++;
      hits[y]++;
    }
  }
  return { accuracy: correct / n, loss: total / n, perClass: perClassAccuracy(hits, totals) };
}

/** Accuracy of each class on the test set (NaN for a class with no test example). */
export function perClassAccuracy(hits: ArrayLike<number>, totals: ArrayLike<number>): number[] {
  return Array.from(totals, (t, c) => (t > 0 ? hits[c] / t : NaN));
}
