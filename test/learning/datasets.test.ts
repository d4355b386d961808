import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cifar10, loadCifar10, TEST_FILE, TRAIN_FILES } from '../../src/learning/datasets/cifar10.ts';
import { datasets } from '../../src/learning/datasets/index.ts';
import { readIdx } from '../../src/learning/datasets/idx.ts';
import { logisticDataset } from '../../src/learning/datasets/logistic.ts';
import { loadMnist } from '../../src/learning/datasets/mnist.ts';
import { createRng } from '../../src/sim/rng.ts';

const temp = (name: string) => mkdtempSync(join(tmpdir(), `byzsim-${name}-`));

/** IDX bytes of unsigned bytes: magic 0x0000 0x08 <ndims>, big-endian dims, data. */
function idx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  return Uint8Array.from([...header, ...Array.from(data)]);
}

describe('IDX files', () => {
  it('reads a gzipped file as its inflated bytes, and names a corrupt one', () => {
    const dir = temp('idx');
    const bytes = idx([2, 3], [0, 1, 2, 253, 254, 255]);
    writeFileSync(join(dir, 'plain'), bytes);
    writeFileSync(join(dir, 'packed.gz'), gzipSync(bytes));
    expect(readIdx(join(dir, 'packed.gz'))).toEqual(readIdx(join(dir, 'plain')));
    writeFileSync(join(dir, 'broken.gz'), gzipSync(bytes).subarray(0, 12));
    expect(() => readIdx(join(dir, 'broken.gz'))).toThrow(/broken\.gz: corrupt gzip data/);
  });
});

describe('mnist', () => {
  it('declares its image layout, 28×28×1, in shape and data', () => {
    const shape = datasets.get('mnist')!.shape({ trainSize: 100, testSize: 10 });
    expect(shape.image).toEqual({ height: 28, width: 28, channels: 1 });
    expect(loadMnist({ trainSize: 2, testSize: 1 }).image).toEqual({ height: 28, width: 28, channels: 1 });
  });
});

describe('fashion-mnist', () => {
  const def = datasets.get('fashion-mnist')!;

  /** A tiny set in the Fashion-MNIST layout: 3 training and 2 test images, some files gzipped. */
  function fixture(): string {
    const dir = temp('fmnist');
    const image = (k: number) => Array.from({ length: 784 }, (_, p) => (p + 37 * k) % 256);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([3, 28, 28], [0, 1, 2].flatMap(image))));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([3], [9, 0, 3])));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idx([2, 28, 28], [3, 4].flatMap(image)));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx([2], [2, 7]));
    return dir;
  }

  it('reads the four IDX files (plain or .gz) from its path, pixels in [0, 1]', () => {
    const dir = fixture();
    const d = def.load({ trainSize: 3, testSize: 2 }, createRng(0, 'data'), { path: dir });
    expect(d.name).toBe('fashion-mnist');
    expect(d.image).toEqual({ height: 28, width: 28, channels: 1 });
    expect([d.features, d.classes, d.trainX.length, d.testX.length]).toEqual([784, 10, 3 * 784, 2 * 784]);
    expect(Array.from(d.trainY)).toEqual([9, 0, 3]);
    expect(Array.from(d.testY)).toEqual([2, 7]);
    expect(d.trainX[784 + 5]).toBeCloseTo((5 + 37) / 255, 6);
    expect(d.testX[784 + 783]).toBeCloseTo(((783 + 37 * 4) % 256) / 255, 6);
    expect(def.shape({ trainSize: 60000, testSize: 10000 }, { path: dir })).toMatchObject({ features: 784, classes: 10, train: 60000, test: 10000 });
  });

  it('says what is missing: no path, a missing file, a size beyond the files', () => {
    expect(() => def.load({ trainSize: 1, testSize: 1 }, createRng(0, 'data'), { path: '' })).toThrow(/no data\.fashion-mnist\.path given/);
    const empty = temp('fmnist-empty');
    expect(() => def.load({ trainSize: 1, testSize: 1 }, createRng(0, 'data'), { path: empty })).toThrow(
      new RegExp(`fashion-mnist: ${join(empty, 'train-images-idx3-ubyte')} \\(or train-images-idx3-ubyte\\.gz\\) not found`),
    );
    expect(() => def.load({ trainSize: 4, testSize: 1 }, createRng(0, 'data'), { path: fixture() })).toThrow(/fashion-mnist\.trainSize: must be an integer in \[1, 3\]/);
  });
});

describe('cifar10', () => {
  /** One record: label, then R, G, B planes of 1024 bytes; pixel p of channel c holds (p + 50c + 7·label) mod 256. */
  const record = (label: number) => {
    const r = new Uint8Array(3073);
    r[0] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) r[1 + c * 1024 + p] = (p + 50 * c + 7 * label) % 256;
    return r;
  };
  const batch = (labels: number[]) => Buffer.concat(labels.map(record));

  function fixture(files = TRAIN_FILES): string {
    const dir = temp('cifar');
    files.forEach((f, b) => writeFileSync(join(dir, f), batch([b, b + 1])));
    writeFileSync(join(dir, TEST_FILE), batch([9, 8, 7]));
    return dir;
  }

  it('reads the binary batches in order, converting to channels last in [0, 1]', () => {
    const dir = fixture();
    const d = cifar10.load({ trainSize: 10, testSize: 3 }, createRng(0, 'data'), { path: dir });
    expect(d.image).toEqual({ height: 32, width: 32, channels: 3 });
    expect([d.features, d.classes, d.trainX.length, d.testX.length]).toEqual([3072, 10, 10 * 3072, 3 * 3072]);
    expect(Array.from(d.trainY)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect(Array.from(d.testY)).toEqual([9, 8, 7]);
    // Example 3 (label 2), pixel (y=1, x=2) = plane index 34: features 3·34 + c.
    for (let c = 0; c < 3; c++) expect(d.trainX[3 * 3072 + 3 * 34 + c]).toBeCloseTo(((34 + 50 * c + 14) % 256) / 255, 6);
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.trainX) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(cifar10.shape({ trainSize: 50000, testSize: 10000 })).toMatchObject({ features: 3072, image: { height: 32, width: 32, channels: 3 }, train: 50000, test: 10000 });
  });

  it('reads only the batches the training size needs', () => {
    const dir = fixture(TRAIN_FILES.slice(0, 2));
    expect(Array.from(loadCifar10(dir, { trainSize: 3, testSize: 1 }).trainY)).toEqual([0, 1, 1]);
  });

  it('names the path and the expected file when one is missing, and a file that is not whole records', () => {
    expect(() => loadCifar10('', { trainSize: 1, testSize: 1 })).toThrow(/no data\.cifar10\.path given/);
    const partial = fixture(TRAIN_FILES.slice(0, 2));
    expect(() => loadCifar10(partial, { trainSize: 5, testSize: 1 })).toThrow(
      new RegExp(`cifar10: ${join(partial, 'data_batch_3.bin')} not found; data.cifar10.path must be the directory of the CIFAR-10 binary version`),
    );
    const corrupt = temp('cifar-corrupt');
    writeFileSync(join(corrupt, 'data_batch_1.bin'), Buffer.concat([batch([1, 2]), Buffer.alloc(5)]));
    expect(() => loadCifar10(corrupt, { trainSize: 1, testSize: 1 })).toThrow(
      new RegExp(`cifar10: ${join(corrupt, 'data_batch_1.bin')} is 6151 bytes, not a whole number of 3073-byte records`),
    );
    const bad = temp('cifar-dir');
    mkdirSync(join(bad, 'data_batch_1.bin'));
    expect(() => loadCifar10(bad, { trainSize: 1, testSize: 1 })).toThrow(/data_batch_1\.bin not found/);
    expect(() => loadCifar10(fixture(), { trainSize: 11, testSize: 1 })).toThrow(/cifar10\.trainSize: 11 examples asked for, but .* hold 10/);
  });
});

describe('logistic', () => {
  const opts = { features: 68, trainSize: 4000, testSize: 500, noise: 0.05 };

  it('has the shape it declares: 68 bits per example, 2 classes, 8400/2655 by default', () => {
    const def = datasets.get('logistic')!;
    const params = datasets.resolve({ name: 'logistic', params: {}, options: {} }).params;
    expect(def.shape(params)).toMatchObject({ features: 68, classes: 2, train: 8400, test: 2655 });
    const d = def.load(params, createRng(1, 'data'));
    expect([d.features, d.classes, d.trainY.length, d.testY.length, d.trainX.length]).toEqual([68, 2, 8400, 2655, 8400 * 68]);
    expect(d.trainX.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Array.from(d.trainY).every((y) => y === 0 || y === 1)).toBe(true);
  });

  it('is a function of the seed', () => {
    expect(logisticDataset(opts, createRng(7, 'data'))).toEqual(logisticDataset(opts, createRng(7, 'data')));
    expect(logisticDataset(opts, createRng(8, 'data')).trainY).not.toEqual(logisticDataset(opts, createRng(7, 'data')).trainY);
  });

  it('labels by the sign of a random linear rule, balanced, a `noise` fraction flipped', () => {
    const clean = logisticDataset({ ...opts, noise: 0 }, createRng(3, 'data'));
    const noisy = logisticDataset({ ...opts, noise: 0.2 }, createRng(3, 'data'));
    // Same draws in the same order: the same examples, labels differing where a flip happened.
    expect(noisy.trainX).toEqual(clean.trainX);
    const N = opts.trainSize;
    let flipped = 0;
    let ones = 0;
    for (let i = 0; i < N; i++) {
      flipped += clean.trainY[i] !== noisy.trainY[i] ? 1 : 0;
      ones += clean.trainY[i];
    }
    expect(Math.abs(flipped / N - 0.2)).toBeLessThan(5 * Math.sqrt((0.2 * 0.8) / N));
    // P(y = 1 | θ*) = 1/2 by the symmetry x ↦ 1 − x.
    expect(Math.abs(ones / N - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / N));
    // Without noise, each label is the sign of θ*·(2x − 1), θ* being the stream's first 68 normal draws.
    const rng = createRng(3, 'data');
    const theta = Array.from({ length: 68 }, () => rng.normal());
    for (let i = 0; i < N; i++) {
      let score = 0;
      for (let j = 0; j < 68; j++) score += theta[j] * (2 * clean.trainX[i * 68 + j] - 1);
      expect(clean.trainY[i]).toBe(score > 0 ? 1 : 0);
    }
  });

  it('rejects a noise above 1/2', () => {
    expect(() => logisticDataset({ ...opts, noise: 0.6 }, createRng(0, 'data'))).toThrow(/logistic\.noise: must be in \[0, 0\.5\]/);
  });
});

describe('mnist pixels: standardized', () => {
  it('is (x − 0.1307)/0.3081 of the [0, 1] pixels: mean ≈ 0 and standard deviation ≈ 1 over the training images', async () => {
    const { loadMnist } = await import('../../src/learning/datasets/mnist.ts');
    const unit = loadMnist({ trainSize: 20000, testSize: 10 });
    const std = loadMnist({ trainSize: 20000, testSize: 10, standardized: true });
    let s = 0;
    let ss = 0;
    for (let i = 0; i < std.trainX.length; i++) {
      s += std.trainX[i];
      ss += std.trainX[i] ** 2;
      if (i < 1000) expect(std.trainX[i]).toBeCloseTo((unit.trainX[i] - 0.1307) / 0.3081, 5);
    }
    const mean = s / std.trainX.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.sqrt(ss / std.trainX.length - mean ** 2)).toBeCloseTo(1, 1);
  });
});
