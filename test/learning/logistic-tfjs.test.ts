import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/learning/backend.ts';
import { syntheticDataset } from '../../src/learning/datasets/synthetic.ts';
import { logistic, logisticDim, logisticEvaluate, logisticGradient, logisticPerExample } from '../../src/learning/models/logistic.ts';
import { logisticEvaluatorTfjs, logisticGradientTfjs, logisticPerExampleTfjs } from '../../src/learning/models/logistic-tfjs.ts';
import type { LossName } from '../../src/learning/models/types.ts';
import { createRng } from '../../src/sim/rng.ts';
import { expectClose } from './fd.ts';

describe('logistic with tfjs (cpu backend): the same model as the TypeScript kernels', () => {
  const features = 68;
  const d = syntheticDataset({ classes: 2, features, trainSize: 200, testSize: 300, separation: 1 }, createRng('logistic-tfjs', 'data'));
  const rng = createRng('logistic-tfjs', 'params');
  const theta = Float32Array.from({ length: logisticDim(features) }, () => rng.normal(0, 0.2));

  beforeAll(async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
  });

  for (const loss of ['cross-entropy', 'mse'] as LossName[]) {
    it(`${loss}: gradient, per-example gradients and evaluation agree within float32 tolerance`, () => {
      const rows = createRng('logistic-tfjs', `worker/${loss}`).sample(200, 25);
      expectClose(logisticGradientTfjs(theta, d.trainX, d.trainY, rows, features, loss), logisticGradient(theta, d.trainX, d.trainY, rows, features, loss), 1e-5);
      expectClose(logisticPerExampleTfjs(theta, d.trainX, d.trainY, rows, features, loss), logisticPerExample(theta, d.trainX, d.trainY, rows, features, loss), 1e-5);
      const before = tf.memory().numTensors;
      const evaluator = logisticEvaluatorTfjs(d.testX, d.testY, features, loss);
      const a = evaluator.evaluate(theta);
      const b = logisticEvaluate(theta, d.testX, d.testY, features, loss);
      expect(a.accuracy).toBeCloseTo(b.accuracy, 10);
      expect(a.loss).toBeCloseTo(b.loss, 5);
      evaluator.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('the registered model loads these kernels', async () => {
    const k = await logistic.create({}, { features, classes: 2 }).tfjs!();
    expectClose(k.gradient(theta, d.trainX, d.trainY, Int32Array.of(1, 2)), logisticGradient(theta, d.trainX, d.trainY, [1, 2], features), 1e-5);
  });
});
