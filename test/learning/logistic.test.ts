import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../src/learning/datasets/synthetic.ts';
import { models } from '../../src/learning/models/index.ts';
import { logistic, logisticDim, logisticEvaluate, logisticGradient, logisticPerExample } from '../../src/learning/models/logistic.ts';
import type { LossName } from '../../src/learning/models/types.ts';
import { createRng } from '../../src/sim/rng.ts';
import { expectFiniteDifferences, expectMeanOfPerExample } from './fd.ts';

const features = 5;
const n = 9;

function problem(seed: string) {
  const rng = createRng(seed, 'data');
  const X = Float32Array.from({ length: n * features }, (_, i) => (i % 4 === 3 ? 0 : rng.normal()));
  const Y = Int32Array.from({ length: n }, (_, i) => (i * 5) % 2);
  const theta = Float32Array.from({ length: logisticDim(features) }, () => rng.normal(0, 0.8));
  return { X, Y, theta };
}
const all = Array.from({ length: n }, (_, i) => i);

describe('logistic (binary)', () => {
  it('has d = features + 1 (the DP paper’s 69 for 68 phishing features) and θ_0 = 0', () => {
    const m = models.resolveSpec('logistic').def.create({}, { features: 68, classes: 2 });
    expect(m.dim).toBe(69);
    expect(m.init()).toEqual(new Float32Array(69));
  });

  it('refuses data whose classes are not 2, and labels other than 0 and 1', () => {
    expect(() => logistic.create({}, { features: 3, classes: 10 })).toThrow(/needs 2 classes \(the data has 10\)/);
    const { X, theta } = problem('labels');
    expect(() => logisticGradient(theta, X, Int32Array.from({ length: n }, () => 2), [0], features)).toThrow(/label 2 of row 0/);
  });

  for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
    it(`${loss}: gradient matches central finite differences of the mean loss`, () => {
      const { X, Y, theta } = problem(`fd-${loss}`);
      expectFiniteDifferences(theta, logisticGradient(theta, X, Y, all, features, loss), (t) => logisticEvaluate(t, X, Y, features, loss).loss);
    });

    it(`${loss}: per-example gradients are each row's, and average to the gradient`, () => {
      const { X, Y, theta } = problem(`pe-${loss}`);
      const rows = [8, 2, 2, 0, 5];
      const per = logisticPerExample(theta, X, Y, rows, features, loss);
      expectMeanOfPerExample(per, logisticGradient(theta, X, Y, rows, features, loss), rows.length);
      expect(per.subarray(0, features + 1)).toEqual(logisticGradient(theta, X, Y, [8], features, loss));
    });
  }

  it('losses are the log loss and (σ(u) − y)², and stay finite for huge logits', () => {
    const X = Float32Array.of(1, -1);
    const Y = Int32Array.of(1, 0);
    // u = ±2 on the two rows, both correct.
    const theta = Float32Array.of(2, 0);
    const s = 1 / (1 + Math.exp(-2));
    expect(logisticEvaluate(theta, X, Y, 1).loss).toBeCloseTo(-Math.log(s), 12);
    expect(logisticEvaluate(theta, X, Y, 1, 'mse').loss).toBeCloseTo((1 - s) ** 2, 12);
    expect(logisticEvaluate(theta, X, Y, 1).accuracy).toBe(1);
    const huge = Float32Array.of(-1000, 0);
    const e = logisticEvaluate(huge, X, Y, 1);
    expect(e.loss).toBeCloseTo(1000, 6);
    expect(logisticGradient(huge, X, Y, [0, 1], 1).every(Number.isFinite)).toBe(true);
    expect(logisticGradient(huge, X, Y, [0, 1], 1, 'mse').every(Number.isFinite)).toBe(true);
  });

  for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
    it(`${loss}: SGD on a separable two-class mixture learns it`, () => {
      const opts = { classes: 2, features: 20, trainSize: 1000, testSize: 400, separation: 1 };
      const d = syntheticDataset(opts, createRng('logistic', 'data'));
      const rng = createRng('logistic', 'worker/0');
      const theta = new Float32Array(logisticDim(opts.features));
      const before = logisticEvaluate(theta, d.testX, d.testY, opts.features, loss);
      for (let t = 0; t < 300; t++) {
        const g = logisticGradient(theta, d.trainX, d.trainY, rng.sample(opts.trainSize, 32), opts.features, loss);
        for (let i = 0; i < theta.length; i++) theta[i] -= 0.5 * g[i];
      }
      const after = logisticEvaluate(theta, d.testX, d.testY, opts.features, loss);
      expect(after.accuracy).toBeGreaterThan(0.85);
      expect(after.loss).toBeLessThan(before.loss / 2);
    });
  }
});
