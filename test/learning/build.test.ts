import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTask, sampleInto, type BuildTaskOptions } from '../../src/learning/build.ts';
import { createStreams } from '../../src/sim/rng.ts';

function options(seed: string | number, overrides: Partial<BuildTaskOptions> = {}): BuildTaskOptions {
  return {
    dataset: 'synthetic',
    datasetParams: {
      synthetic: { classes: 4, features: 8, trainSize: 500, testSize: 200, separation: 1.5 },
      mnist: { trainSize: 1000, testSize: 500 },
    },
    partition: 'iid',
    model: 'logreg',
    batchSize: 16,
    workers: 5,
    backend: 'ts',
    dataRng: createStreams(seed).get('data'),
    ...overrides,
  };
}

/** Gradients of every worker at a few points, each worker drawing from its own stream. */
async function trace(seed: string | number, overrides: Partial<BuildTaskOptions> = {}): Promise<Float32Array[]> {
  const task = await buildTask(options(seed, overrides));
  const streams = createStreams(seed);
  const out: Float32Array[] = [];
  let theta = task.init();
  for (let step = 0; step < 3; step++) {
    for (let i = 0; i < task.workers; i++) out.push(task.gradient(theta, i, streams.get(`worker/${i}`)));
    theta = theta.map((v, k) => v - 0.1 * out[out.length - 1][k]);
  }
  task.dispose();
  return out;
}

describe('buildTask', () => {
  it('describes a logreg task with (features+1)·classes parameters and zero init', async () => {
    const task = await buildTask(options(1));
    expect(task.dim).toBe(9 * 4);
    expect(task.workers).toBe(5);
    expect(task.description).toMatch(/logreg on synthetic \(36 parameters/);
    expect(task.init()).toEqual(new Float32Array(36));
    expect(task.evaluate(task.init()).loss).toBeCloseTo(Math.log(4), 6);
  });

  it('is deterministic: the same seed gives identical gradients', async () => {
    const a = await trace('same');
    const b = await trace('same');
    expect(a).toEqual(b);
    const c = await trace('other');
    expect(c).not.toEqual(a);
  });

  it('is deterministic on MNIST with the plain TS kernels, and workers differ under extreme partition', async () => {
    const overrides = { dataset: 'mnist', partition: 'extreme', workers: 10 } as const;
    const a = await trace(7, overrides);
    expect(a).toEqual(await trace(7, overrides));
    // Under `extreme`, worker 0 holds only zeros: its gradient pushes class 0 up (negative bias gradient).
    expect(a[0][784 * 10]).toBeLessThan(0);
    for (let c = 1; c < 10; c++) expect(a[0][784 * 10 + c]).toBeGreaterThan(0);
  });

  it('tfjs (cpu) and plain TS tasks compute the same gradients and evaluations on MNIST', async () => {
    const overrides = { dataset: 'mnist', workers: 4 } as const;
    const ts = await trace(3, overrides);
    const tfjs = await trace(3, { ...overrides, backend: 'cpu' });
    for (let k = 0; k < ts.length; k++) {
      const scale = Math.max(...ts[k].map(Math.abs));
      for (let i = 0; i < ts[k].length; i++) expect(Math.abs(tfjs[k][i] - ts[k][i])).toBeLessThan(1e-4 * scale);
    }
    const task = await buildTask(options(3, { ...overrides, backend: 'cpu' }));
    expect(task.description).toMatch(/tfjs cpu/);
    const e = task.evaluate(task.init());
    expect(e.loss).toBeCloseTo(Math.log(10), 4);
    task.dispose();
  });

  it('rejects unknown backends, oversized batches and bad worker indices', async () => {
    await expect(buildTask(options(1, { backend: 'gpu' }))).rejects.toThrow(/unknown backend 'gpu'/);
    await expect(buildTask(options(1, { batchSize: 101 }))).rejects.toThrow(/data\.batchSize: 101 exceeds the smallest worker shard \(100/);
    const task = await buildTask(options(1));
    expect(() => task.gradient(task.init(), 5, createStreams(1).get('worker/5'))).toThrow(/worker 5 out of range/);
  });

  it('trains: averaged worker gradients reach well-above-chance accuracy on synthetic data', async () => {
    const task = await buildTask(options('train', { workers: 4, batchSize: 32 }));
    const streams = createStreams('train');
    const theta = task.init();
    for (let t = 0; t < 200; t++) {
      const gs = Array.from({ length: task.workers }, (_, i) => task.gradient(theta, i, streams.get(`worker/${i}`)));
      for (let k = 0; k < theta.length; k++) theta[k] -= (0.2 * gs.reduce((s, g) => s + g[k], 0)) / gs.length;
    }
    expect(task.evaluate(theta).accuracy).toBeGreaterThan(0.6);
  });
});

describe('sampleInto', () => {
  it('draws exactly what Rng.sample draws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.nat(), fc.string(), (n, kRaw, seed) => {
        const k = 1 + (kRaw % n);
        const from = Int32Array.from({ length: n }, (_, i) => 1000 + i);
        const out = new Int32Array(k);
        const a = createStreams(seed).get('worker/0');
        const b = createStreams(seed).get('worker/0');
        sampleInto(out, from, a);
        expect(Array.from(out)).toEqual(b.sample(n, k).map((i) => 1000 + i));
        expect(a.next()).toBe(b.next());
      }),
    );
  });
});
