/**
 * CIFAR-10 (Krizhevsky 2009): 32×32 colour images of 10 classes (airplane,
 * automobile, bird, cat, deer, dog, frog, horse, ship, truck), 50000 training
 * and 10000 test examples, read from the official "binary version" in the
 * directory `data.cifar10.path`: `data_batch_1.bin` … `data_batch_5.bin` and
 * `test_batch.bin`, each a run of 3073-byte records — one label byte, then
 * 1024 red, 1024 green and 1024 blue bytes, each plane row-major. Rows are
 * converted to channels last (NHWC: pixel (y, x) at features
 * 3(32y + x) … 3(32y + x) + 2, as ImageShape says) and scaled to [0, 1].
 *
 * No npm package ships the data (the `cifar10` and `cifar-10` packages hold
 * code only, a few tens of kB), hence the path, resolved from the working directory when
 * relative. Training examples are the batches' records in order, so the first
 * trainSize come from the fewest batches needed, and only those files are
 * read. Files are cached per process by path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defineDataset, type Dataset, type ImageShape } from './types.ts';

export const IMAGE: ImageShape = { height: 32, width: 32, channels: 3 };
const PIXELS = IMAGE.height * IMAGE.width;
const FEATURES = PIXELS * IMAGE.channels;
const RECORD = 1 + FEATURES;
export const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
export const TEST_FILE = 'test_batch.bin';
const HINT = 'data.cifar10.path must be the directory of the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)';

const cache = new Map<string, Uint8Array>();

function records(path: string): Uint8Array {
  let bytes = cache.get(path);
  if (bytes) return bytes;
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`cifar10: ${path} not found; ${HINT}`);
  bytes = readFileSync(path);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new Error(`cifar10: ${path} is ${bytes.length} bytes, not a whole number of ${RECORD}-byte records (1 label byte + 3072 pixel bytes); the file is truncated or not from the binary version`);
  }
  cache.set(path, bytes);
  return bytes;
}

/** The first `size` records of `files` (in order), channels last in [0, 1]. */
function read(files: string[], size: number, key: string): { X: Float32Array; Y: Uint8Array } {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`cifar10.${key}: must be a positive integer (got ${size})`);
  const X = new Float32Array(size * FEATURES);
  const Y = new Uint8Array(size);
  let i = 0;
  let held = 0;
  for (const path of files) {
    if (i === size) break;
    const bytes = records(path);
    const count = bytes.length / RECORD;
    held += count;
    for (let r = 0; r < count && i < size; r++, i++) {
      const at = r * RECORD;
      const label = bytes[at];
      if (label > 9) throw new Error(`cifar10: ${path} record ${r} has label ${label}, not in 0..9; ${HINT}`);
      Y[i] = label;
      const o = i * FEATURES;
      for (let p = 0; p < PIXELS; p++) {
        X[o + 3 * p] = bytes[at + 1 + p] / 255;
        X[o + 3 * p + 1] = bytes[at + 1 + PIXELS + p] / 255;
        X[o + 3 * p + 2] = bytes[at + 1 + 2 * PIXELS + p] / 255;
      }
    }
  }
  if (i < size) throw new RangeError(`cifar10.${key}: ${size} examples asked for, but ${files.join(', ')} hold ${held}`);
  return { X, Y };
}

export function loadCifar10(path: string, sizes: { trainSize?: number; testSize?: number } = {}): Dataset {
  if (path === '') throw new Error(`cifar10: no data.cifar10.path given; ${HINT}`);
  const train = read(TRAIN_FILES.map((f) => join(path, f)), sizes.trainSize ?? 50000, 'trainSize');
  const test = read([join(path, TEST_FILE)], sizes.testSize ?? 10000, 'testSize');
  return {
    name: 'cifar10',
    image: IMAGE,
    features: FEATURES,
    classes: 10,
    trainX: train.X,
    trainY: train.Y,
    testX: test.X,
    testY: test.Y,
  };
}

export const cifar10 = defineDataset({
  name: 'cifar10',
  aliases: ['cifar-10'],
  summary: 'CIFAR-10 colour images (32×32×3, 10 classes) read from the binary version in data.cifar10.path, channels last, scaled to [0, 1].',
  reference: 'Krizhevsky, Learning Multiple Layers of Features from Tiny Images, tech. report, University of Toronto, 2009',
  params: {
    trainSize: { description: 'the first trainSize training examples (data_batch_1.bin onwards)', default: 50000, min: 1, max: 50000, integer: true },
    testSize: { description: 'the first testSize test examples', default: 10000, min: 1, max: 10000, integer: true },
  },
  options: {
    path: { description: 'directory holding data_batch_1.bin … data_batch_5.bin and test_batch.bin', default: '' },
  },
  shape: (p) => ({ features: FEATURES, image: IMAGE, classes: 10, train: p.trainSize, test: p.testSize, fields: { train: 'trainSize', test: 'testSize' } }),
  check: (_p, options) => {
    const path = options.path ?? '';
    if (path === '') return { field: 'path', message: 'data.cifar10.path is required: the directory holding data_batch_1.bin … data_batch_5.bin and test_batch.bin (the binary version of CIFAR-10)' };
    if (!existsSync(path)) return { field: 'path', message: `${path} does not exist` };
    const missing = [...TRAIN_FILES.slice(0, 1), TEST_FILE].find((f) => !existsSync(join(path, f)));
    return missing ? { field: 'path', message: `${path} holds no ${missing}` } : undefined;
  },
  load: (p, _rng, options) => loadCifar10(options?.path ?? '', p),
});
