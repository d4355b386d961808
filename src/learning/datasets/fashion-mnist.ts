/**
 * Fashion-MNIST: Zalando's article images (28×28 grey levels, 10 classes:
 * T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag,
 * ankle boot; 60000 training and 10000 test examples), a drop-in for MNIST in
 * the same IDX format and file names. Pixels scaled to [0, 1].
 *
 * No npm package ships the original IDX files (the `fashion-mnist` package
 * ships per-class JSON without the train/test split, and 7002 images in its
 * class 0 instead of 7000), so the files are read from the directory given as
 * `data.fashion-mnist.path`: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`, each as distributed (`.gz`) or inflated. A
 * relative path is resolved from the working directory. Parsed files are
 * cached per process.
 */
import { FEATURES, IMAGE, PIXELS_OPTION, checkIdxDirectory, loadIdxImages } from './idx-images.ts';
import { defineDataset, type Dataset } from './types.ts';

const HINT =
  'data.fashion-mnist.path must be a directory holding the four Fashion-MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz)';

/** Fashion-MNIST's training-set pixel mean and standard deviation. */
const SCALING = { mean: 0.286, std: 0.353 };

export function loadFashionMnist(path: string, sizes: { trainSize?: number; testSize?: number } = {}, standardized = false): Dataset {
  if (path === '') throw new Error(`fashion-mnist: no data.fashion-mnist.path given; ${HINT}`);
  return loadIdxImages('fashion-mnist', path, { trainSize: sizes.trainSize ?? 60000, testSize: sizes.testSize ?? 10000 }, HINT, standardized ? SCALING : undefined);
}

export const fashionMnist = defineDataset({
  name: 'fashion-mnist',
  summary: 'Fashion-MNIST article images (28×28, 10 classes) read from the IDX files in data.fashion-mnist.path, pixels scaled to [0, 1].',
  reference: 'Xiao, Rasul, Vollgraf, Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms, arXiv 1708.07747, 2017',
  params: {
    trainSize: { description: 'the first trainSize training examples', default: 60000, min: 1, max: 60000, integer: true },
    testSize: { description: 'the first testSize test examples', default: 10000, min: 1, max: 10000, integer: true },
  },
  options: {
    path: { description: 'directory holding the four IDX files (plain or .gz)', default: '' },
    pixels: PIXELS_OPTION,
  },
  shape: (p) => ({ features: FEATURES, image: IMAGE, classes: 10, train: p.trainSize, test: p.testSize, fields: { train: 'trainSize', test: 'testSize' } }),
  check: (_p, options) => {
    const message = checkIdxDirectory('fashion-mnist', options.path ?? '');
    return message ? { field: 'path', message } : undefined;
  },
  load: (p, _rng, options) => loadFashionMnist(options?.path ?? '', p, options?.pixels === 'standardized'),
});
