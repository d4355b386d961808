/**
 * Gradient checks shared by the model tests: central finite differences of a
 * model's mean loss (its evaluator, in float64) against its gradient.
 *
 * Tolerance: the step is h = 2⁻¹⁰ on θ (the actual step, after θ ± h is
 * rounded to float32, is the denominator), so the central difference's
 * truncation error is h²/6·|ℓ‴| ≈ 2·10⁻⁷·|ℓ‴|, and its rounding error
 * ≈ 10⁻¹⁶/h ≈ 10⁻¹³; the gradient itself is rounded to float32 (relative
 * 6·10⁻⁸). On these tiny O(1) problems |ℓ‴| is O(1), so 2·10⁻⁵·max(1, |fd|)
 * leaves two orders of margin — and catches any missing factor or term.
 */
import { expect } from 'vitest';

export const STEP = 2 ** -10;

export function expectFiniteDifferences(theta: Float32Array, gradient: Float32Array, loss: (theta: Float32Array) => number, tol = 2e-5): void {
  expect(gradient.length).toBe(theta.length);
  for (let i = 0; i < theta.length; i++) {
    const plus = theta.slice();
    const minus = theta.slice();
    plus[i] += STEP;
    minus[i] -= STEP;
    const fd = (loss(plus) - loss(minus)) / (plus[i] - minus[i]);
    if (!(Math.abs(gradient[i] - fd) <= tol * Math.max(1, Math.abs(fd)))) {
      expect.fail(`coordinate ${i}: gradient ${gradient[i]} vs finite difference ${fd}`);
    }
  }
}

/** The mean of the per-example gradients (rows.length × dim) equals the gradient, to float32 rounding. */
export function expectMeanOfPerExample(perExample: Float32Array, gradient: Float32Array, rows: number): void {
  const dim = gradient.length;
  expect(perExample.length).toBe(rows * dim);
  let scale = 0;
  for (const g of perExample) scale = Math.max(scale, Math.abs(g));
  for (let i = 0; i < dim; i++) {
    let s = 0;
    for (let k = 0; k < rows; k++) s += perExample[k * dim + i];
    // Each per-example value is rounded to float32 (2⁻²⁴ relative) before the sum; the mean differs by at most that of the largest.
    if (Math.abs(s / rows - gradient[i]) > 1e-6 * scale + 1e-12) expect.fail(`coordinate ${i}: mean ${s / rows} vs gradient ${gradient[i]}`);
  }
}

/** Coordinate-wise |actual − expected| ≤ rel · max |expected| (float32 kernels against float64 ones). */
export function expectClose(actual: Float32Array, expected: Float32Array, rel: number, what = 'tfjs'): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= rel * scale)) expect.fail(`coordinate ${i}: ${what} ${actual[i]} vs ts ${expected[i]} (scale ${scale})`);
  }
}
