import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/learning/backend.ts';
import { loadMnist } from '../../src/learning/datasets/mnist.ts';
import { mlp, mlpEvaluate, mlpGradient, mlpInit, mlpPerExample } from '../../src/learning/models/mlp.ts';
import { mlpEvaluatorTfjs, mlpGradientTfjs, mlpPerExampleTfjs } from '../../src/learning/models/mlp-tfjs.ts';
import type { LossName } from '../../src/learning/models/types.ts';
import { createRng } from '../../src/sim/rng.ts';
import { expectClose } from './fd.ts';

describe('mlp with tfjs (cpu backend): the same model as the TypeScript kernels', () => {
  const d = loadMnist({ trainSize: 300, testSize: 300 });
  const shape = { features: 784, hidden: 100, classes: 10 };
  const rng = createRng('mlp-tfjs', 'params');
  // Off θ_0, so that the output layer's gradient is not dominated by one class.
  const theta = Float32Array.from(mlpInit(shape), (v) => v + rng.normal(0, 0.02));

  beforeAll(async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
  });

  // Both compute in float32 on tfjs and float64 here: relative 1e-4 of the largest coordinate
  // is ~10³ float32 ulps, far below any structural error (a wrong layer or sign is O(1)).
  for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
    it(`${loss}: gradient, per-example gradients and evaluation agree within float32 tolerance`, () => {
      const rows = createRng('mlp-tfjs', `worker/${loss}`).sample(300, 25);
      expectClose(mlpGradientTfjs(theta, d.trainX, d.trainY, rows, shape, loss), mlpGradient(theta, d.trainX, d.trainY, rows, shape, loss), 1e-4);
      const few = rows.slice(0, 4);
      expectClose(mlpPerExampleTfjs(theta, d.trainX, d.trainY, few, shape, loss), mlpPerExample(theta, d.trainX, d.trainY, few, shape, loss), 1e-4);
      const before = tf.memory().numTensors;
      const evaluator = mlpEvaluatorTfjs(d.testX, d.testY, shape, loss);
      const a = evaluator.evaluate(theta);
      const b = mlpEvaluate(theta, d.testX, d.testY, shape, loss);
      expect(a.accuracy).toBeCloseTo(b.accuracy, 10);
      expect(a.loss).toBeCloseTo(b.loss, 4);
      evaluator.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the registered model loads these kernels', async () => {
    const m = mlp.create({ hidden: 100 }, { features: 784, classes: 10 });
    const k = await m.tfjs!();
    const rows = Int32Array.of(3, 1, 4);
    expectClose(k.gradient(theta, d.trainX, d.trainY, rows), mlpGradient(theta, d.trainX, d.trainY, rows, shape), 1e-4);
    expect(k.perExample(theta, d.trainX, d.trainY, rows)).toHaveLength(3 * m.dim);
  });
});
