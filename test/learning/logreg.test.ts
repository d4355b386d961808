import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../src/learning/datasets/synthetic.ts';
import { logreg, logregDim, logregEvaluate, logregGradient, logregInit, logregPerExample } from '../../src/learning/models/logreg.ts';
import { logisticEvaluate } from '../../src/learning/models/logistic.ts';
import type { LossName } from '../../src/learning/models/types.ts';
import { createRng } from '../../src/sim/rng.ts';
import { expectFiniteDifferences, expectMeanOfPerExample } from './fd.ts';

describe('logreg', () => {
  it('gradient matches central finite differences of the mean loss', () => {
    const rng = createRng('fd', 'data');
    const features = 4;
    const classes = 3;
    const n = 7;
    const X = Float32Array.from({ length: n * features }, () => rng.normal());
    X[5] = 0; // exercises the zero-feature skip
    const Y = Int32Array.from({ length: n }, (_, i) => i % classes);
    const params = Float32Array.from({ length: logregDim(features, classes) }, () => rng.normal(0, 0.5));
    const all = Array.from({ length: n }, (_, i) => i);
    const g = logregGradient(params, X, Y, all, features, classes);
    for (let i = 0; i < params.length; i++) {
      const plus = params.slice();
      const minus = params.slice();
      plus[i] += 1e-3;
      minus[i] -= 1e-3;
      const fd =
        (logregEvaluate(plus, X, Y, features, classes).loss - logregEvaluate(minus, X, Y, features, classes).loss) /
        (plus[i] - minus[i]);
      expect(g[i]).toBeCloseTo(fd, 4);
    }
  });

  it('gradient averages over the listed rows only', () => {
    const X = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const Y = Int32Array.from([0, 1, 1]);
    const p = Float32Array.from({ length: logregDim(2, 2) }, (_, i) => 0.1 * i);
    const g02 = logregGradient(p, X, Y, [0, 2], 2, 2);
    const g0 = logregGradient(p, X, Y, [0], 2, 2);
    const g2 = logregGradient(p, X, Y, [2], 2, 2);
    for (let i = 0; i < g02.length; i++) expect(g02[i]).toBeCloseTo((g0[i] + g2[i]) / 2, 6);
  });

  it('stays finite for huge logits (stable softmax)', () => {
    const X = Float32Array.from([1000, -1000]);
    const Y = Int32Array.from([1]);
    const p = Float32Array.from([50, -50, -50, 50, 0, 0]);
    const g = logregGradient(p, X, Y, [0], 2, 2);
    expect(g.every(Number.isFinite)).toBe(true);
    const e = logregEvaluate(p, X, Y, 2, 2);
    expect(e.loss).toBeCloseTo(200000, 0);
    expect(e.accuracy).toBe(0);
  });

  it('zero init predicts uniformly: loss log(classes)', () => {
    const d = syntheticDataset({ classes: 4, features: 3, trainSize: 8, testSize: 8, separation: 1 }, createRng(1, 'data'));
    const e = logregEvaluate(logregInit(3, 4), d.testX, d.testY, 3, 4);
    expect(e.loss).toBeCloseTo(Math.log(4), 10);
  });

  it('a few hundred SGD steps on the synthetic mixture beat chance clearly', () => {
    const opts = { classes: 5, features: 20, trainSize: 2000, testSize: 500, separation: 1 };
    const d = syntheticDataset(opts, createRng('train', 'data'));
    const rng = createRng('train', 'worker/0');
    const theta = logregInit(opts.features, opts.classes);
    const before = logregEvaluate(theta, d.testX, d.testY, opts.features, opts.classes);
    for (let t = 0; t < 300; t++) {
      const g = logregGradient(theta, d.trainX, d.trainY, rng.sample(opts.trainSize, 32), opts.features, opts.classes);
      for (let i = 0; i < theta.length; i++) theta[i] -= 0.1 * g[i];
    }
    const after = logregEvaluate(theta, d.testX, d.testY, opts.features, opts.classes);
    expect(after.accuracy).toBeGreaterThan(0.7);
    expect(after.loss).toBeLessThan(before.loss / 2);
  });
});

describe('logreg: losses and per-example gradients', () => {
  const features = 4;
  const classes = 3;
  const n = 7;
  const problem = (seed: string) => {
    const rng = createRng(seed, 'data');
    const X = Float32Array.from({ length: n * features }, (_, i) => (i % 5 === 2 ? 0 : rng.normal()));
    const Y = Int32Array.from({ length: n }, (_, i) => (i * 2) % classes);
    const theta = Float32Array.from({ length: logregDim(features, classes) }, () => rng.normal(0, 0.7));
    return { X, Y, theta };
  };
  const all = Array.from({ length: n }, (_, i) => i);

  for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
    it(`${loss}: gradient matches central finite differences of the mean loss`, () => {
      const { X, Y, theta } = problem(`fd-${loss}`);
      expectFiniteDifferences(theta, logregGradient(theta, X, Y, all, features, classes, loss), (t) => logregEvaluate(t, X, Y, features, classes, loss).loss);
    });

    it(`${loss}: per-example gradients are each row's, and average to the gradient`, () => {
      const { X, Y, theta } = problem(`pe-${loss}`);
      const rows = [6, 1, 1, 4];
      const per = logregPerExample(theta, X, Y, rows, features, classes, loss);
      expectMeanOfPerExample(per, logregGradient(theta, X, Y, rows, features, classes, loss), rows.length);
      const dim = logregDim(features, classes);
      expect(per.subarray(3 * dim)).toEqual(logregGradient(theta, X, Y, [4], features, classes, loss));
    });
  }

  it('mse is the squared error of the probabilities averaged over the classes: two classes give the binary model’s loss', () => {
    const { X } = problem('binary');
    const Y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const rng = createRng('binary', 'params');
    const w = Float32Array.from({ length: features + 1 }, () => rng.normal());
    // Softmax over (0, u) is (1 − σ(u), σ(u)): W[:, 0] = 0, W[:, 1] = w, b = (0, b).
    const theta = new Float32Array(logregDim(features, 2));
    for (let j = 0; j < features; j++) theta[j * 2 + 1] = w[j];
    theta[features * 2 + 1] = w[features];
    for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
      expect(logregEvaluate(theta, X, Y, features, 2, loss).loss).toBeCloseTo(logisticEvaluate(w, X, Y, features, loss).loss, 12);
    }
    // At θ = 0 every p is 1/C: mse = ((1 − 1/C)² + (C − 1)/C²)/C = (C − 1)/C².
    expect(logregEvaluate(logregInit(features, classes), X, problem('binary').Y, features, classes, 'mse').loss).toBeCloseTo(2 / 9, 12);
  });

  it('the model takes its loss from the shape (cross-entropy by default) and refuses an unknown one', () => {
    const { X, Y, theta } = problem('shape');
    const ce = logreg.create({}, { features, classes });
    const mse = logreg.create({}, { features, classes, loss: 'mse' });
    expect(ce.ts!.gradient(theta, X, Y, Int32Array.from(all))).toEqual(logregGradient(theta, X, Y, all, features, classes));
    expect(mse.ts!.gradient(theta, X, Y, Int32Array.from(all))).toEqual(logregGradient(theta, X, Y, all, features, classes, 'mse'));
    expect(mse.ts!.evaluator(X, Y).evaluate(theta).loss).toBe(logregEvaluate(theta, X, Y, features, classes, 'mse').loss);
    expect(() => logreg.create({}, { features, classes, loss: 'hinge' as LossName })).toThrow(/unknown loss 'hinge'/);
  });
});

describe('syntheticDataset', () => {
  it('has balanced labels, the requested shapes, and depends only on the seed', () => {
    const opts = { classes: 3, features: 5, trainSize: 30, testSize: 9, separation: 2 };
    const a = syntheticDataset(opts, createRng('x', 'data'));
    const b = syntheticDataset(opts, createRng('x', 'data'));
    expect(a).toEqual(b);
    expect(a.trainX.length).toBe(150);
    expect(a.testX.length).toBe(45);
    const counts = [0, 0, 0];
    for (const y of a.trainY) counts[y]++;
    expect(counts).toEqual([10, 10, 10]);
    expect(() => syntheticDataset({ ...opts, classes: 1 }, createRng('x', 'data'))).toThrow(/synthetic\.classes/);
  });
});
