import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/learning/backend.ts';
import { cnnInit, planCnn, type CnnLayer, type CnnPlan } from '../../src/learning/models/cnn.ts';
import { cnnEvaluator, cnnGradient, cnnPerExample } from '../../src/learning/models/cnn-tfjs.ts';
import { LENET_LAYERS } from '../../src/learning/models/cnn-lenet.ts';
import { MIXTAILOR_LAYERS } from '../../src/learning/models/cnn-mixtailor.ts';
import { models } from '../../src/learning/models/index.ts';
import type { LossName, ModelShape } from '../../src/learning/models/types.ts';
import { createRng } from '../../src/sim/rng.ts';

const MNIST: ModelShape = { features: 784, classes: 10, image: { height: 28, width: 28, channels: 1 } };

function create(name: string, shape: ModelShape, params: Record<string, number> = {}) {
  const { def, params: resolved } = models.resolve({ name, params, options: {} });
  return def.create(resolved, shape);
}

/**
 * The network's loss in float64, written independently of cnn-tfjs.ts from
 * θ's documented layout (HWIO kernels, [in, out] matrices, NHWC maps flattened
 * (h, w, c)): what the finite differences are taken of.
 */
function referenceLoss(plan: CnnPlan, theta: Float64Array, X: Float32Array, Y: ArrayLike<number>, rows: number[], loss: LossName): number {
  const { height, width, channels } = plan.image;
  let total = 0;
  for (const r of rows) {
    let h = height;
    let w = width;
    let c = channels;
    let a: Float64Array = Float64Array.from(X.subarray(r * h * w * c, (r + 1) * h * w * c));
    for (const step of plan.steps) {
      if (step.kind === 'flatten') continue;
      if (step.kind === 'pool') {
        const s = step.size;
        const oh = Math.floor(h / s);
        const ow = Math.floor(w / s);
        const out = new Float64Array(oh * ow * c).fill(-Infinity);
        for (let y = 0; y < oh; y++)
          for (let x = 0; x < ow; x++)
            for (let k = 0; k < c; k++)
              for (let i = 0; i < s; i++)
                for (let j = 0; j < s; j++) out[(y * ow + x) * c + k] = Math.max(out[(y * ow + x) * c + k], a[((y * s + i) * w + x * s + j) * c + k]);
        a = out;
        h = oh;
        w = ow;
        continue;
      }
      const v = plan.views[step.view];
      let out: Float64Array;
      if (v.kind === 'conv') {
        const [kh, kw, , o] = v.shape;
        const oh = h - kh + 1;
        const ow = w - kw + 1;
        out = new Float64Array(oh * ow * o);
        for (let y = 0; y < oh; y++)
          for (let x = 0; x < ow; x++)
            for (let f = 0; f < o; f++) {
              let s = theta[v.biasOffset + f];
              for (let i = 0; i < kh; i++)
                for (let j = 0; j < kw; j++)
                  for (let k = 0; k < c; k++) s += a[((y + i) * w + x + j) * c + k] * theta[v.offset + ((i * kw + j) * c + k) * o + f];
              out[(y * ow + x) * o + f] = s;
            }
        h = oh;
        w = ow;
        c = o;
      } else {
        const [n, m] = v.shape;
        out = new Float64Array(m);
        for (let f = 0; f < m; f++) {
          let s = theta[v.biasOffset + f];
          for (let k = 0; k < n; k++) s += a[k] * theta[v.offset + k * m + f];
          out[f] = s;
        }
      }
      if (v.relu) for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i]);
      a = out;
    }
    const max = Math.max(...a);
    const e = Array.from(a, (z) => Math.exp(z - max));
    const sum = e.reduce((s, x) => s + x, 0);
    const y = Y[r];
    total += loss === 'cross-entropy' ? Math.log(sum) - (a[y] - max) : e.reduce((s, x, k) => s + (x / sum - (k === y ? 1 : 0)) ** 2, 0) / a.length;
  }
  return total / rows.length;
}

/** A tiny network with every kind of step: conv, pool, conv (after a pool), flatten, dense with ReLU, output. */
const TINY_LAYERS: CnnLayer[] = [
  { kind: 'conv', filters: 3, kernel: 3, relu: true },
  { kind: 'pool', size: 2 },
  { kind: 'conv', filters: 4, kernel: 2, relu: true },
  { kind: 'dense', units: 5, relu: true },
  { kind: 'dense', units: 'classes', relu: false },
];
const TINY: ModelShape = { features: 10 * 10 * 2, classes: 3, image: { height: 10, width: 10, channels: 2 } };

function tinyData(n: number) {
  const rng = createRng('cnn-test', 'data');
  const X = Float32Array.from({ length: n * TINY.features }, () => rng.normal());
  const Y = Int32Array.from({ length: n }, () => rng.int(TINY.classes));
  return { X, Y };
}

describe('CNN models: shapes, parameters, refusals', () => {
  it('cnn-lenet has ByzFL cnn_mnist’s 431,080 parameters on MNIST, and the alias cnn_mnist resolves to it', () => {
    expect(create('cnn-lenet', MNIST).dim).toBe(431_080);
    expect(models.get('cnn_mnist')?.name).toBe('cnn-lenet');
    expect(create('cnn-mixtailor', MNIST).dim).toBe(21_840);
    expect(create('cnn-small', MNIST).dim).toBe(11_738);
  });

  it('refuses data without an image shape, or of the wrong size, with the model and what it got', () => {
    const flat: ModelShape = { features: 784, classes: 10 };
    expect(() => create('cnn-lenet', flat)).toThrow(/model cnn-lenet needs image data.*got 784 features with no image shape/);
    expect(() => create('cnn-mixtailor', { features: 3072, classes: 10, image: { height: 32, width: 32, channels: 3 } })).toThrow(
      /model cnn-mixtailor is built for 28×28×1 images.*got 32×32×3/,
    );
    expect(() => create('cnn-small', { features: 16, classes: 2, image: { height: 4, width: 4, channels: 1 } })).toThrow(/model cnn-small, layer 1 \(conv\): 5×5 kernel on a 4×4 feature map/);
    expect(() => create('cnn-small', { features: 10, classes: 2, image: { height: 4, width: 4, channels: 1 } })).toThrow(/cnn-small: image 4×4×1 does not match 10 features/);
    // Any size and channels for cnn-small.
    expect(create('cnn-small', { features: 3072, classes: 10, image: { height: 32, width: 32, channels: 3 } }).dim).toBe(5 * 5 * 3 * 8 + 8 + 14 * 14 * 8 * 10 + 10);
  });

  it('θ_0 is deterministic, within PyTorch’s default bounds ±1/√fan_in per layer, and spread over them', () => {
    const plan = planCnn('cnn-lenet', LENET_LAYERS, MNIST);
    const a = cnnInit(plan);
    const small = planCnn('cnn-mixtailor', MIXTAILOR_LAYERS, MNIST);
    expect(cnnInit(small)).toEqual(cnnInit(small));
    expect(cnnInit(small).subarray(0, 100)).not.toEqual(a.subarray(0, 100));
    for (const v of plan.views) {
      const bound = 1 / Math.sqrt(v.fanIn);
      let max = 0;
      for (let i = v.offset; i < v.biasOffset + v.units; i++) max = Math.max(max, Math.abs(a[i]));
      expect(max).toBeLessThanOrEqual(bound);
      expect(max).toBeGreaterThan(0.9 * bound);
    }
    expect(plan.views.map((v) => v.fanIn)).toEqual([25, 500, 800, 500]);
  });
});

describe('CNN gradients with tfjs (cpu backend)', () => {
  beforeAll(async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
  });

  for (const loss of ['cross-entropy', 'mse'] as const) {
    it(`${loss}: the loss matches a float64 reference and the gradient its central finite differences, every coordinate`, () => {
      const plan = planCnn('tiny', TINY_LAYERS, { ...TINY, loss });
      expect(plan.dim).toBe(57 + 52 + 185 + 18);
      const rng = createRng('cnn-test', 'theta');
      const theta = Float32Array.from({ length: plan.dim }, () => rng.normal(0, 0.5));
      const { X, Y } = tinyData(6);
      const rows = [0, 2, 3, 5];
      const g = cnnGradient(plan, theta, X, Y, Int32Array.from(rows));
      const t64 = Float64Array.from(theta);
      // float64 differences with h = 1e-6: truncation O(h²) and rounding O(1e-16/h) are both ≪ the
      // float32 gradient's own rounding, ≈ 1e-6 relative to the largest coordinate.
      const h = 1e-6;
      let scale = 0;
      const fd = new Float64Array(plan.dim);
      for (let i = 0; i < plan.dim; i++) {
        const keep = t64[i];
        t64[i] = keep + h;
        const up = referenceLoss(plan, t64, X, Y, rows, loss);
        t64[i] = keep - h;
        const down = referenceLoss(plan, t64, X, Y, rows, loss);
        t64[i] = keep;
        fd[i] = (up - down) / (2 * h);
        scale = Math.max(scale, Math.abs(fd[i]));
      }
      expect(scale).toBeGreaterThan(1e-3);
      for (let i = 0; i < plan.dim; i++) {
        if (Math.abs(g[i] - fd[i]) > 1e-4 * scale) expect.fail(`coordinate ${i}: autodiff ${g[i]} vs finite differences ${fd[i]} (scale ${scale})`);
      }
      // And the forward pass itself: tfjs' mean loss (via the evaluator) equals the reference.
      const sub = new Float32Array(rows.length * TINY.features);
      rows.forEach((r, k) => sub.set(X.subarray(r * TINY.features, (r + 1) * TINY.features), k * TINY.features));
      const ev = cnnEvaluator(plan, sub, Int32Array.from(rows, (r) => Y[r]));
      expect(ev.evaluate(theta).loss).toBeCloseTo(referenceLoss(plan, t64, X, Y, rows, loss), 5);
      ev.dispose();
    });
  }

  it('per-example gradients are each the gradient of one row, and their mean is the minibatch gradient', () => {
    const plan = planCnn('tiny', TINY_LAYERS, TINY);
    const rng = createRng('cnn-test', 'theta');
    const theta = Float32Array.from({ length: plan.dim }, () => rng.normal(0, 0.5));
    const { X, Y } = tinyData(6);
    const rows = Int32Array.from([4, 1, 1, 3]);
    const per = cnnPerExample(plan, theta, X, Y, rows);
    expect(per.length).toBe(rows.length * plan.dim);
    const g = cnnGradient(plan, theta, X, Y, rows);
    expect(per.subarray(plan.dim, 2 * plan.dim)).toEqual(cnnGradient(plan, theta, X, Y, [1]));
    let scale = 0;
    for (const v of g) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < plan.dim; i++) {
      let mean = 0;
      for (let k = 0; k < rows.length; k++) mean += per[k * plan.dim + i] / rows.length;
      if (Math.abs(mean - g[i]) > 1e-5 * scale) expect.fail(`coordinate ${i}: mean of per-example ${mean} vs gradient ${g[i]}`);
    }
  });

  it('the evaluator counts accuracy, mean loss and per-class accuracy on a hand-made case, across evaluation chunks', () => {
    // 1×1 convolution with weight 1 (identity on non-negative pixels), then dense: class c's logit = 2·pixel c.
    const shape: ModelShape = { features: 4, classes: 3, image: { height: 2, width: 2, channels: 1 } };
    const plan = planCnn('hand', [{ kind: 'conv', filters: 1, kernel: 1, relu: true }, { kind: 'dense', units: 'classes', relu: false }], shape);
    expect(plan.dim).toBe(2 + 4 * 3 + 3);
    const theta = new Float32Array(plan.dim);
    theta[0] = 1;
    const W = plan.views[1].offset;
    for (let c = 0; c < 3; c++) theta[W + c * 3 + c] = 2;
    // Pattern of 4 examples, repeated 300 times (1200 rows: three chunks of the evaluator):
    // pixel 0 lit, label 0 (right); pixel 1 lit, label 1 (right); pixel 2 lit, label 1 (wrong); pixel 3 lit, label 2 (wrong: all logits 0, argmax 0).
    const n = 1200;
    const X = new Float32Array(n * 4);
    const Y = new Int32Array(n);
    const labels = [0, 1, 1, 2];
    for (let r = 0; r < n; r++) {
      X[r * 4 + (r % 4)] = 1;
      Y[r] = labels[r % 4];
    }
    const before = tf.memory().numTensors;
    const ev = cnnEvaluator(plan, X, Y);
    const e = ev.evaluate(theta);
    ev.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(e.accuracy).toBeCloseTo(0.5, 12);
    const right = Math.log(1 + 2 * Math.exp(-2)); // z_y = 2, the others 0
    const wrong = Math.log(Math.exp(2) + 2); // z = (0, 0, 2), y = 1
    const uniform = Math.log(3); // z = 0
    expect(e.loss).toBeCloseTo((2 * right + wrong + uniform) / 4, 5);
    expect(e.perClass?.[0]).toBe(1);
    expect(e.perClass?.[1]).toBe(0.5);
    expect(e.perClass?.[2]).toBe(0);
  });

  it('leaks no tensor: gradient, per-example gradients, evaluator', async () => {
    const model = create('cnn-small', { features: 100, classes: 3, image: { height: 10, width: 10, channels: 1 } }, { filters: 2, kernel: 3 });
    const kernels = await model.tfjs!();
    const theta = model.init();
    const rng = createRng('cnn-test', 'leak');
    const X = Float32Array.from({ length: 5 * 100 }, () => rng.next());
    const Y = Int32Array.from([0, 1, 2, 0, 1]);
    kernels.gradient(theta, X, Y, Int32Array.from([0, 1]));
    const before = tf.memory().numTensors;
    kernels.gradient(theta, X, Y, Int32Array.from([0, 1, 2]));
    kernels.perExample(theta, X, Y, Int32Array.from([3, 4]));
    const ev = kernels.evaluator(X, Y);
    ev.evaluate(theta);
    ev.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => kernels.gradient(theta.subarray(1), X, Y, Int32Array.from([0]))).toThrow(/cnn-small: expected 119 parameters, got 118/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
