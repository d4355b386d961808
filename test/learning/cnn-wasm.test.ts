/**
 * The wasm kernels of src/learning/wasm-kernels.ts against the cpu backend's,
 * and the CNNs' gradients on wasm against cpu. Tolerance: 1e-5 of the largest
 * |value| of the cpu result, for sums of ≤ 15,000 float32 products of O(1)
 * terms in a different order (float32 ε = 6e-8; the rounding of such sums
 * grows like √terms·ε ≈ 1e-5 at worst, and is ≈ 1e-6 in practice).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/learning/backend.ts';
import { models } from '../../src/learning/models/index.ts';
import type { ModelShape } from '../../src/learning/models/types.ts';
import '../../src/learning/wasm-kernels.ts';
import { createRng } from '../../src/sim/rng.ts';

function expectClose(actual: Float32Array, expected: Float32Array, rel: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  expect(scale, what).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= rel * scale)) expect.fail(`${what}, coordinate ${i}: wasm ${actual[i]} vs cpu ${expected[i]} (scale ${scale})`);
  }
}

/** The values of f() computed on a backend, read out before switching. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const t = tf.tidy(f);
  try {
    return Float32Array.from(t.dataSync() as Float32Array);
  } finally {
    t.dispose();
  }
}

function random(shape: number[], seed: string): Float32Array {
  const rng = createRng('cnn-wasm', seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

async function both(f: () => tf.Tensor, what: string): Promise<void> {
  const cpu = await on('cpu', f);
  const wasm = await on('wasm', f);
  expectClose(wasm, cpu, 1e-5, what);
}

describe('wasm kernels against the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
    expect((await selectBackend('wasm')).name).toBe('wasm');
  });

  const convCases: { name: string; x: [number, number, number, number]; filter: [number, number, number, number]; stride: number; pad: 'valid' | 'same' }[] = [
    { name: 'cnn-lenet conv2 (valid)', x: [2, 12, 12, 20], filter: [5, 5, 20, 50], stride: 1, pad: 'valid' },
    { name: 'first layer, one channel', x: [3, 28, 28, 1], filter: [5, 5, 1, 8], stride: 1, pad: 'valid' },
    { name: 'same padding, even kernel', x: [2, 7, 9, 3], filter: [4, 2, 3, 5], stride: 1, pad: 'same' },
    { name: 'stride 2 (loop / package paths)', x: [2, 9, 8, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
    { name: 'stride 2, same padding', x: [2, 9, 8, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
  ];

  for (const c of convCases) {
    it(`Conv2DBackpropFilter and Conv2DBackpropInput: ${c.name}`, async () => {
      const x = random(c.x, `${c.name}/x`);
      const w = random(c.filter, `${c.name}/w`);
      const yShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.stride, c.pad).shape);
      const dy = random(yShape, `${c.name}/dy`);
      // Through autodiff, as the models reach them: d/dW and d/dx of Σ conv(x, W) ⊙ dy.
      const f = (xx: tf.Tensor, ww: tf.Tensor): tf.Scalar => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad).mul(tf.tensor(dy, yShape)).sum();
      await both(() => tf.grads(f)([tf.tensor(x, c.x), tf.tensor(w, c.filter)])[1], `${c.name}: filter gradient`);
      await both(() => tf.grads(f)([tf.tensor(x, c.x), tf.tensor(w, c.filter)])[0], `${c.name}: input gradient`);
    });
  }

  it('MaxPoolGrad: non-overlapping windows (with ties and a ragged edge) and overlapping ones (the package path)', async () => {
    const plain = random([2, 9, 8, 3], 'pool/x');
    // Ties (ReLU's zeros are the common case): the first example is constant, so every window is a
    // tie and only the choice of its first maximum (the cpu backend's) gets dY. The package's own
    // kernel, which overlapping windows still use, breaks ties otherwise: tested without.
    const tied = plain.slice().fill(0.5, 0, 9 * 8 * 3);
    for (const [size, stride, x] of [
      [2, 2, tied],
      [3, 3, tied],
      [3, 2, plain],
    ] as const) {
      // A distinct weight per output cell, so that a dY sent to the wrong cell shows.
      const f = (t: tf.Tensor): tf.Scalar => {
        const y = tf.maxPool(t as tf.Tensor4D, size, stride, 'valid');
        return y.mul(tf.range(1, 1 + y.size).reshape(y.shape)).sum();
      };
      await both(() => tf.grad(f)(tf.tensor(x, [2, 9, 8, 3])), `pool ${size}, stride ${stride}`);
    }
  });

  it('BatchMatMul with transposed operands, 2-D and batched', async () => {
    for (const [m, k, n, batch] of [
      [25, 800, 500, 0],
      [7, 13, 5, 0],
      [4, 6, 3, 3],
    ]) {
      const lead = batch ? [batch] : [];
      const a = random([...lead, m, k], `mm/a/${m}`);
      const b = random([...lead, k, n], `mm/b/${m}`);
      const aT = random([...lead, k, m], `mm/aT/${m}`);
      const bT = random([...lead, n, k], `mm/bT/${m}`);
      const A = () => tf.tensor(a, [...lead, m, k]);
      const B = () => tf.tensor(b, [...lead, k, n]);
      const AT = () => tf.tensor(aT, [...lead, k, m]);
      const BT = () => tf.tensor(bT, [...lead, n, k]);
      await both(() => tf.matMul(A(), B()), `${m}×${k}×${n} plain`);
      await both(() => tf.matMul(AT(), B(), true, false), `${m}×${k}×${n} transposeA`);
      await both(() => tf.matMul(A(), BT(), false, true), `${m}×${k}×${n} transposeB`);
      await both(() => tf.matMul(AT(), BT(), true, true), `${m}×${k}×${n} both`);
    }
  });

  it('the kernels free their intermediates (the backend holds no more data after a gradient)', async () => {
    await tf.setBackend('wasm');
    const f = (ww: tf.Tensor): tf.Scalar => tf.conv2d(tf.ones([2, 9, 9, 3]) as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same').reshape([162, 5]).matMul(tf.ones([5, 4]) as tf.Tensor2D).sum();
    const run = () => tf.tidy(() => tf.grad(f)(tf.ones([3, 3, 3, 5]))).dispose();
    run();
    const before = tf.engine().backend.numDataIds();
    run();
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });
});

describe('CNN gradients: wasm equals cpu', () => {
  const MNIST: ModelShape = { features: 784, classes: 10, image: { height: 28, width: 28, channels: 1 } };
  const rng = createRng('cnn-wasm', 'images');
  // MNIST-like: mostly zeros, the rest in (0, 1].
  const X = Float32Array.from({ length: 8 * 784 }, () => (rng.next() < 0.8 ? 0 : rng.next()));
  const Y = Int32Array.from({ length: 8 }, (_, i) => (i * 3) % 10);
  const rows = Int32Array.from([6, 1, 3]);

  for (const name of ['cnn-lenet', 'cnn-mixtailor', 'cnn-small']) {
    it(name, async () => {
      const { def, params } = models.resolve({ name, params: {}, options: {} });
      const model = def.create(params, MNIST);
      const theta = model.init();
      await selectBackend('cpu');
      const cpu = (await model.tfjs!()).gradient(theta, X, Y, rows);
      await selectBackend('wasm');
      const kernels = await model.tfjs!();
      const before = tf.memory().numTensors;
      const wasm = kernels.gradient(theta, X, Y, rows);
      expect(tf.memory().numTensors).toBe(before);
      expectClose(wasm, cpu, 1e-5, `${name} gradient`);
    });
  }
});

describe('CNNs learn (wasm)', () => {
  it('cnn-small: 60 SGD steps (batch 25, lr 0.1) on 1000 MNIST images lift test accuracy from chance to > 60 %', async () => {
    const { loadMnist } = await import('../../src/learning/datasets/mnist.ts');
    await selectBackend('wasm');
    const d = loadMnist({ trainSize: 1000, testSize: 500 });
    const model = models.get('cnn-small')!.create({ filters: 8, kernel: 5 }, { features: 784, classes: 10, image: { height: 28, width: 28, channels: 1 } });
    const kernels = await model.tfjs!();
    const theta = model.init();
    const ev = kernels.evaluator(d.testX, d.testY);
    expect(ev.evaluate(theta).accuracy).toBeLessThan(0.25);
    const rng = createRng('cnn-wasm', 'batches');
    for (let s = 0; s < 60; s++) {
      const g = kernels.gradient(theta, d.trainX, d.trainY, Int32Array.from(rng.sample(1000, 25)));
      for (let i = 0; i < theta.length; i++) theta[i] -= 0.1 * g[i];
    }
    const after = ev.evaluate(theta);
    ev.dispose();
    expect(after.accuracy).toBeGreaterThan(0.6);
    expect(after.loss).toBeLessThan(1.2);
  });
});
