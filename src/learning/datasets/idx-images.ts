/**
 * What MNIST and Fashion-MNIST share: four IDX files (train and test images
 * N×28×28 unsigned bytes, labels N unsigned bytes, each plain or gzipped),
 * read once per process and cached by path, the first trainSize / testSize
 * examples taken with pixels scaled to [0, 1].
 *
 * The scaled examples are cached too, in shared memory: the runs of a sweep
 * in one process use one copy, and its threads adopt the main thread's
 * (sharedSplits / adoptSharedSplits) instead of each making its own (MNIST's
 * training set is 188 MB as float32). The arrays are read-only by contract.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readIdx, type IdxFile } from './idx.ts';
import type { Dataset, ImageShape } from './types.ts';

export const IMAGE: ImageShape = { height: 28, width: 28, channels: 1 };
export const FEATURES = IMAGE.height * IMAGE.width * IMAGE.channels;

/** The four files' names as distributed (both MNIST and Fashion-MNIST use them), each possibly with `.gz`. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const cache = new Map<string, IdxFile>();

/** `dir/file`, or `dir/file.gz` when only that exists; an Error naming both otherwise. */
function locate(dataset: string, dir: string, file: string, hint: string): string {
  const plain = join(dir, file);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new Error(`${dataset}: ${plain} (or ${file}.gz) not found; ${hint}`);
}

function cachedIdx(path: string): IdxFile {
  let idx = cache.get(path);
  if (!idx) {
    idx = readIdx(path);
    cache.set(path, idx);
  }
  return idx;
}

/** How pixels are scaled: to [0, 1], or then standardized by the training set's mean and standard deviation (torchvision's Normalize, as ByzFL and the papers' code load MNIST). */
export interface PixelScaling {
  mean: number;
  std: number;
}

/** Scaled examples in shared memory, by images path, size and scaling. */
export interface SharedSplit {
  key: string;
  X: Float32Array;
  Y: Uint8Array;
}

const splits = new Map<string, SharedSplit>();

/** Every split this thread holds, to hand to other threads (their buffers are shared, not copied). */
export function sharedSplits(): SharedSplit[] {
  return [...splits.values()];
}

/** Takes another thread's splits as this thread's cache. */
export function adoptSharedSplits(entries: readonly SharedSplit[]): void {
  for (const entry of entries) if (!splits.has(entry.key)) splits.set(entry.key, entry);
}

function split(dataset: string, imagesPath: string, labelsPath: string, size: number, key: string, scaling?: PixelScaling): { X: Float32Array; Y: Uint8Array } {
  const id = [imagesPath, labelsPath, size, scaling ? `${scaling.mean}/${scaling.std}` : 'unit'].join('\0');
  let cached = splits.get(id);
  if (!cached) {
    const { X, Y } = scaledSplit(dataset, imagesPath, labelsPath, size, key, scaling);
    cached = { key: id, X, Y };
    splits.set(id, cached);
  }
  return { X: cached.X, Y: cached.Y };
}

function scaledSplit(dataset: string, imagesPath: string, labelsPath: string, size: number, key: string, scaling?: PixelScaling): { X: Float32Array; Y: Uint8Array } {
  const images = cachedIdx(imagesPath);
  const labels = cachedIdx(labelsPath);
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || h !== IMAGE.height || w !== IMAGE.width) {
    throw new Error(`${imagesPath}: expected dims [N, 28, 28], got [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== n) throw new Error(`${labelsPath}: expected dims [${n}], got [${labels.dims.join(', ')}]`);
  if (!Number.isInteger(size) || size < 1 || size > n) throw new RangeError(`${dataset}.${key}: must be an integer in [1, ${n}] (got ${size})`);
  for (let i = 0; i < size; i++) {
    if (labels.data[i] > 9) throw new Error(`${labelsPath}: label ${labels.data[i]} at index ${i} is not in 0..9`);
  }
  const X = new Float32Array(new SharedArrayBuffer(size * FEATURES * 4));
  const pixels = images.data;
  if (scaling) for (let i = 0; i < X.length; i++) X[i] = (pixels[i] / 255 - scaling.mean) / scaling.std;
  else for (let i = 0; i < X.length; i++) X[i] = pixels[i] / 255;
  const Y = new Uint8Array(new SharedArrayBuffer(size));
  Y.set(labels.data.subarray(0, size));
  return { X, Y };
}

/**
 * The first trainSize training and testSize test examples of the IDX set in
 * `dir`; `hint` ends the message for a missing file (where the files come from).
 */
export function loadIdxImages(dataset: string, dir: string, sizes: { trainSize: number; testSize: number }, hint: string, scaling?: PixelScaling): Dataset {
  const at = (file: string) => locate(dataset, dir, file, hint);
  const train = split(dataset, at(IDX_FILES.trainImages), at(IDX_FILES.trainLabels), sizes.trainSize, 'trainSize', scaling);
  const test = split(dataset, at(IDX_FILES.testImages), at(IDX_FILES.testLabels), sizes.testSize, 'testSize', scaling);
  return {
    name: dataset,
    image: IMAGE,
    features: FEATURES,
    classes: 10,
    trainX: train.X,
    trainY: train.Y,
    testX: test.X,
    testY: test.Y,
  };
}

/** Examples per label among the first trainSize training examples of the IDX set in `dir` (reads the small label file only). */
export function idxTrainCounts(dataset: string, dir: string, trainSize: number, hint: string): number[] {
  const labels = cachedIdx(locate(dataset, dir, IDX_FILES.trainLabels, hint));
  const counts = new Array<number>(10).fill(0);
  const size = Math.min(trainSize, labels.data.length);
  for (let i = 0; i < size; i++) if (labels.data[i] < 10) counts[labels.data[i]]++;
  return counts;
}

/** A data.<dataset>.path problem, checked without reading: empty, not a directory, or a file missing. */
export function checkIdxDirectory(dataset: string, dir: string): string | undefined {
  if (dir === '') return `data.${dataset}.path is required: the directory holding the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz)`;
  if (!existsSync(dir)) return `${dir} does not exist`;
  for (const file of Object.values(IDX_FILES)) {
    if (!existsSync(join(dir, file)) && !existsSync(join(dir, `${file}.gz`))) return `${dir} holds no ${file} (or ${file}.gz)`;
  }
  return undefined;
}

/** The `pixels` option of the IDX image datasets. */
export const PIXELS_OPTION = {
  description: 'unit: pixels scaled to [0, 1] (most zero, which the MLP kernels exploit); standardized: then (x − mean)/std of the training set (torchvision Normalize, as ByzFL loads it)',
  default: 'unit',
  choices: ['unit', 'standardized'],
} as const;
