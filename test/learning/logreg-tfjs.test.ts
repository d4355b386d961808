import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/learning/backend.ts';
import { loadMnist } from '../../src/learning/datasets/mnist.ts';
import { logregDim, logregEvaluate, logregGradient, logregPerExample } from '../../src/learning/models/logreg.ts';
import { logregEvaluatorTfjs, logregGradientTfjs, logregPerExampleTfjs } from '../../src/learning/models/logreg-tfjs.ts';
import { createRng } from '../../src/sim/rng.ts';

function expectClose(actual: Float32Array, expected: Float32Array, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > rel * scale) {
      expect.fail(`coordinate ${i}: tfjs ${actual[i]} vs ts ${expected[i]} (scale ${scale})`);
    }
  }
}

describe('logreg with tfjs (cpu backend)', () => {
  const d = loadMnist({ trainSize: 200, testSize: 300 });
  const { features, classes } = d;
  const rng = createRng('tfjs', 'params');
  const params = Float32Array.from({ length: logregDim(features, classes) }, () => rng.normal(0, 0.05));

  beforeAll(async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
  });

  it('gradient equals the plain TypeScript gradient on an MNIST minibatch', () => {
    const rows = createRng('tfjs', 'worker/0').sample(200, 32);
    expectClose(
      logregGradientTfjs(params, d.trainX, d.trainY, rows, features, classes),
      logregGradient(params, d.trainX, d.trainY, rows, features, classes),
      1e-4,
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('gradient equals the plain TypeScript gradient at θ = 0 and on a random problem', () => {
    const zero = new Float32Array(params.length);
    expectClose(
      logregGradientTfjs(zero, d.trainX, d.trainY, [3, 1, 4, 1, 5], features, classes),
      logregGradient(zero, d.trainX, d.trainY, [3, 1, 4, 1, 5], features, classes),
      1e-4,
    );
    const r = createRng('tiny', 'data');
    const X = Float32Array.from({ length: 6 * 3 }, () => r.normal());
    const Y = Int32Array.from([0, 1, 2, 3, 0, 1]);
    const p = Float32Array.from({ length: logregDim(3, 4) }, () => r.normal());
    expectClose(logregGradientTfjs(p, X, Y, [0, 1, 2, 3, 4, 5], 3, 4), logregGradient(p, X, Y, [0, 1, 2, 3, 4, 5], 3, 4), 1e-4);
  });

  it('evaluation equals the plain TypeScript evaluation and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const evaluator = logregEvaluatorTfjs(d.testX, d.testY, features, classes);
    const tfjs = evaluator.evaluate(params);
    const ts = logregEvaluate(params, d.testX, d.testY, features, classes);
    expect(tfjs.accuracy).toBeCloseTo(ts.accuracy, 10);
    expect(tfjs.loss).toBeCloseTo(ts.loss, 4);
    logregGradientTfjs(params, d.trainX, d.trainY, [0, 1], features, classes);
    evaluator.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const loss of ['cross-entropy', 'mse'] as const) {
    it(`${loss}: per-example gradients equal the plain TypeScript ones (and mse's gradient and evaluation too)`, () => {
      const rows = createRng('tfjs-pe', 'worker/0').sample(200, 6);
      expectClose(
        logregPerExampleTfjs(params, d.trainX, d.trainY, rows, features, classes, loss),
        logregPerExample(params, d.trainX, d.trainY, rows, features, classes, loss),
        1e-4,
      );
      expectClose(
        logregGradientTfjs(params, d.trainX, d.trainY, rows, features, classes, loss),
        logregGradient(params, d.trainX, d.trainY, rows, features, classes, loss),
        1e-4,
      );
      const evaluator = logregEvaluatorTfjs(d.testX, d.testY, features, classes, loss);
      expect(evaluator.evaluate(params).loss).toBeCloseTo(logregEvaluate(params, d.testX, d.testY, features, classes, loss).loss, 4);
      evaluator.dispose();
    });
  }
});
