import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clipFactor, clipVector, clippedGradient, clippedMean } from '../../../src/learning/dp/clip.ts';
import { addGaussianNoise } from '../../../src/learning/dp/gaussian.ts';
import { models } from '../../../src/learning/models/index.ts';
import { logisticDataset } from '../../../src/learning/datasets/logistic.ts';
import { createRng } from '../../../src/sim/rng.ts';

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

describe('DP-SGD clipping', () => {
  it('bounds every per-example gradient: each clipped one has norm ≤ G_max, so the mean moves ≤ 2·G_max/b when one example is replaced', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 48, maxLength: 48 }),
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (b, dim, G, raw, other) => {
          const per = Float32Array.from(raw.slice(0, b * dim));
          const mean = clippedMean(per, dim, G);
          // Each clipped example is on its own: clip it alone and compare.
          for (let k = 0; k < b; k++) expect(norm(clipVector(per.subarray(k * dim, (k + 1) * dim), G))).toBeLessThanOrEqual(G * (1 + 1e-6));
          expect(norm(mean)).toBeLessThanOrEqual(G * (1 + 1e-6));
          // Replace example 0 by anything: the clipped mean moves by at most 2G/b.
          const swapped = per.slice();
          swapped.set(Float32Array.from(other.slice(0, dim)), 0);
          const moved = clippedMean(swapped, dim, G);
          const diff = Array.from(mean, (x, j) => x - moved[j]);
          expect(norm(diff)).toBeLessThanOrEqual((2 * G) / b * (1 + 1e-5) + 1e-12);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('leaves a gradient inside the ball as it is, scales one outside onto the sphere, and zeroes a non-finite one', () => {
    expect(Array.from(clipVector(Float32Array.from([0.3, 0.4]), 1))).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    const out = clipVector(Float32Array.from([3, 4]), 1);
    expect(norm(out)).toBeCloseTo(1, 6);
    expect(out[0] / out[1]).toBeCloseTo(0.75, 6);
    expect(Array.from(clipVector(Float32Array.from([NaN, 1]), 1))).toEqual([0, 0]);
    expect(clipFactor(0, 1)).toBe(1);
    expect(clipFactor(Infinity, 1)).toBe(0);
  });

  it('per example on the logistic model: the mean of the clipped per-example gradients, with no clipping the plain gradient', () => {
    const data = logisticDataset({ features: 68, trainSize: 200, testSize: 10, noise: 0.05 }, createRng(1, 'data'));
    const model = models.resolveSpec('logistic').def.create({}, { features: 68, classes: 2, loss: 'mse' });
    const k = model.ts!;
    const theta = Float32Array.from({ length: 69 }, (_, j) => Math.sin(j) * 0.3);
    const rows = Int32Array.from({ length: 50 }, (_, i) => i * 3);
    const loose = clippedGradient(k, { norm: 1e9, scope: 'example' })(theta, data.trainX, data.trainY, rows);
    const plain = k.gradient(theta, data.trainX, data.trainY, rows);
    loose.forEach((x, j) => expect(x).toBeCloseTo(plain[j], 6));
    const per = k.perExample(theta, data.trainX, data.trainY, rows);
    const G = 0.01;
    const tight = clippedGradient(k, { norm: G, scope: 'example' })(theta, data.trainX, data.trainY, rows);
    // By hand: each row's gradient scaled to ≤ G, then averaged.
    const expected = new Float64Array(69);
    for (let r = 0; r < 50; r++) {
      const g = per.subarray(r * 69, (r + 1) * 69);
      const c = Math.min(1, G / norm(g));
      for (let j = 0; j < 69; j++) expected[j] += (c * g[j]) / 50;
    }
    tight.forEach((x, j) => expect(x).toBeCloseTo(expected[j], 7));
    const batch = clippedGradient(k, { norm: G, scope: 'batch' })(theta, data.trainX, data.trainY, rows);
    expect(norm(batch)).toBeCloseTo(Math.min(G, norm(plain)), 7);
  });

  it('refuses a clipping norm that is not a positive number', () => {
    const k = models.resolveSpec('logistic').def.create({}, { features: 2, classes: 2 }).ts!;
    expect(() => clippedGradient(k, { norm: 0, scope: 'example' })).toThrow(/dp.clip: must be a positive number/);
    expect(() => clippedGradient(k, { norm: NaN, scope: 'batch' })).toThrow(/dp.clip/);
  });
});

describe('Gaussian noise', () => {
  it('has mean 0 and the calibrated variance s² per coordinate (χ² and z tests at fixed seeds)', () => {
    const d = 20_000;
    const zero = new Float32Array(d);
    for (const [seed, s] of [[1, 0.01], [2, 0.5], [3, 3]] as const) {
      const o = addGaussianNoise(zero, s, createRng(seed, 'worker/0/dp'));
      let sum = 0;
      let sq = 0;
      for (const x of o) {
        sum += x;
        sq += x * x;
      }
      const mean = sum / d;
      // The mean of d draws has std s/√d: within 4 of those.
      expect(Math.abs(mean)).toBeLessThan((4 * s) / Math.sqrt(d));
      // Σ x²/s² is χ²_d: mean d, std √(2d); within 4 std.
      expect(Math.abs(sq / (s * s) - d)).toBeLessThan(4 * Math.sqrt(2 * d));
    }
  });

  it('adds to the gradient without touching it, the same noise from the same stream state', () => {
    const g = Float32Array.from([1, 2, 3]);
    const a = addGaussianNoise(g, 0.1, createRng(7, 'worker/1/dp'));
    const b = addGaussianNoise(g, 0.1, createRng(7, 'worker/1/dp'));
    expect(Array.from(g)).toEqual([1, 2, 3]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(g);
  });
});
