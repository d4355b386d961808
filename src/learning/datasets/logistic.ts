/**
 * logistic — a seeded binary task standing in for the *phishing* set (LIBSVM)
 * of Guerraoui, Gupta, Pinot, Rouault, Stephan, "Differential Privacy and
 * Byzantine Resilience in SGD: Do They Add Up?", PODC 2021, §5.1: 68 features
 * (d = 69 with the bias of a logistic model), 2 classes, 8400 training and
 * 2655 test examples, as the paper's split of phishing's 11055.
 *
 * Bounded features like phishing's (LIBSVM's phishing is one-hot encoded,
 * every feature 0 or 1): x ∈ {0, 1}^d with independent fair bits. A true
 * direction θ* ~ N(0, I_d) labels each example by the sign of its centred
 * score, y = 1[θ*·(2x − 1) > 0], and a fraction `noise` of the labels is
 * flipped, each independently: the classes are linearly separable up to the
 * noise, so the best accuracy is 1 − noise. No bias in the truth: the
 * classes are balanced in expectation.
 *
 * All draws come from the given stream (the run's `data` stream) in a fixed
 * order: θ*, then per training example its d bits and its flip draw, then the
 * test examples the same way.
 */
import type { Rng } from '../../sim/rng.ts';
import { defineDataset, type Dataset } from './types.ts';

export interface LogisticOptions {
  features: number;
  trainSize: number;
  testSize: number;
  /** Probability that a label is flipped. */
  noise: number;
}

export function logisticDataset(opts: LogisticOptions, rng: Rng): Dataset {
  const { features, trainSize, testSize, noise } = opts;
  if (!Number.isInteger(features) || features < 1) throw new RangeError(`logistic.features: must be a positive integer (got ${features})`);
  if (!Number.isInteger(trainSize) || trainSize < 1) throw new RangeError(`logistic.trainSize: must be a positive integer (got ${trainSize})`);
  if (!Number.isInteger(testSize) || testSize < 1) throw new RangeError(`logistic.testSize: must be a positive integer (got ${testSize})`);
  if (!(noise >= 0 && noise <= 0.5)) throw new RangeError(`logistic.noise: must be in [0, 0.5] (got ${noise})`);

  const theta = new Float64Array(features);
  for (let j = 0; j < features; j++) theta[j] = rng.normal();

  const draw = (n: number): { X: Float32Array; Y: Int32Array } => {
    const X = new Float32Array(n * features);
    const Y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * features;
      let score = 0;
      for (let j = 0; j < features; j++) {
        const bit = rng.next() < 0.5 ? 1 : 0;
        X[o + j] = bit;
        score += theta[j] * (2 * bit - 1);
      }
      const y = score > 0 ? 1 : 0;
      Y[i] = rng.next() < noise ? 1 - y : y;
    }
    return { X, Y };
  };
  const train = draw(trainSize);
  const test = draw(testSize);
  return { name: 'logistic', features, classes: 2, trainX: train.X, trainY: train.Y, testX: test.X, testY: test.Y };
}

export const logistic = defineDataset({
  name: 'logistic',
  summary: 'Seeded binary task shaped like the DP paper\'s phishing set: 68 fair-bit features, labels by a random linear rule, a noise fraction flipped.',
  reference: 'Guerraoui, Gupta, Pinot, Rouault, Stephan, Differential Privacy and Byzantine Resilience in SGD: Do They Add Up?, PODC 2021, §5.1 (its phishing set)',
  generated: true,
  params: {
    features: { description: 'features per example, each 0 or 1', default: 68, min: 1, integer: true },
    trainSize: { description: 'training examples', default: 8400, min: 1, integer: true },
    testSize: { description: 'test examples', default: 2655, min: 1, integer: true },
    noise: { description: 'probability that a label is flipped', default: 0.05, min: 0, max: 0.5 },
  },
  shape: (p) => ({
    features: p.features,
    classes: 2,
    train: p.trainSize,
    test: p.testSize,
    fields: { features: 'features', train: 'trainSize', test: 'testSize' },
  }),
  load: (p, rng) => logisticDataset(p as unknown as LogisticOptions, rng),
});
