/**
 * Gaussian-mixture classification: class means μ_c ~ N(0, separation²·I_d),
 * examples x = μ_y + N(0, I_d). Labels are balanced (example i has label
 * i mod classes), train and test are drawn from the same mixture.
 *
 * All draws come from the given stream (the run's `data` stream), in a fixed
 * order: means, then train examples, then test examples.
 */
import type { Rng } from '../../sim/rng.ts';
import { defineDataset, type Dataset } from './types.ts';

export interface SyntheticOptions {
  classes: number;
  features: number;
  trainSize: number;
  testSize: number;
  /** Standard deviation of the class means; larger is easier. */
  separation: number;
}

export function syntheticDataset(opts: SyntheticOptions, rng: Rng): Dataset {
  const { classes, features, trainSize, testSize, separation } = opts;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`synthetic.classes: must be an integer ≥ 2 (got ${classes})`);
  if (!Number.isInteger(features) || features < 1) throw new RangeError(`synthetic.features: must be a positive integer (got ${features})`);
  if (!Number.isInteger(trainSize) || trainSize < 1) throw new RangeError(`synthetic.trainSize: must be a positive integer (got ${trainSize})`);
  if (!Number.isInteger(testSize) || testSize < 1) throw new RangeError(`synthetic.testSize: must be a positive integer (got ${testSize})`);
  if (!(separation > 0)) throw new RangeError(`synthetic.separation: must be > 0 (got ${separation})`);

  const means = new Float64Array(classes * features);
  for (let i = 0; i < means.length; i++) means[i] = rng.normal(0, separation);

  const draw = (n: number): { X: Float32Array; Y: Int32Array } => {
    const X = new Float32Array(n * features);
    const Y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % classes;
      Y[i] = c;
      const m = c * features;
      const o = i * features;
      for (let j = 0; j < features; j++) X[o + j] = means[m + j] + rng.normal();
    }
    return { X, Y };
  };
  const train = draw(trainSize);
  const test = draw(testSize);
  return {
    name: 'synthetic',
    features,
    classes,
    trainX: train.X,
    trainY: train.Y,
    testX: test.X,
    testY: test.Y,
  };
}

export const synthetic = defineDataset({
  name: 'synthetic',
  summary: 'Seeded Gaussian mixture: class means N(0, separation²·I), examples mean + N(0, I), balanced labels.',
  reference: '—',
  generated: true,
  params: {
    classes: { description: 'classes of the mixture', default: 10, min: 2, integer: true },
    features: { description: 'dimension of each example', default: 20, min: 1, integer: true },
    trainSize: { description: 'training examples', default: 6000, min: 1, integer: true },
    testSize: { description: 'test examples', default: 1000, min: 1, integer: true },
    separation: { description: 'standard deviation of the class means; larger is easier', default: 0.5, min: 0, exclusiveMin: true },
  },
  shape: (p) => ({
    features: p.features,
    classes: p.classes,
    train: p.trainSize,
    test: p.testSize,
    // Example i has label i mod classes.
    counts: Array.from({ length: p.classes }, (_, c) => Math.floor(p.trainSize / p.classes) + (c < p.trainSize % p.classes ? 1 : 0)),
    fields: { features: 'features', classes: 'classes', train: 'trainSize', test: 'testSize' },
  }),
  load: (p, rng) => syntheticDataset(p as unknown as SyntheticOptions, rng),
});
