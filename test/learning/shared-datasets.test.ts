/**
 * One copy of an IDX dataset per sweep: the scaled examples live in shared
 * memory, a process loads them once, and a thread that adopts the main
 * thread's splits reads the same memory instead of making its own copy.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/learning/datasets/mnist.ts';
import { sharedSplits } from '../../src/learning/datasets/idx-images.ts';

describe('shared datasets', () => {
  it('are loaded once per process, in shared memory', () => {
    const a = loadMnist({ trainSize: 300, testSize: 40 });
    const b = loadMnist({ trainSize: 300, testSize: 40 });
    expect(b.trainX).toBe(a.trainX);
    expect(a.trainX.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.trainY.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sharedSplits().some((s) => s.X === a.trainX)).toBe(true);
    // Another size is another split.
    expect(loadMnist({ trainSize: 200, testSize: 40 }).trainX).not.toBe(a.trainX);
  });

  it('are read by an adopting thread from the same memory, not a copy', async () => {
    const a = loadMnist({ trainSize: 300, testSize: 40 });
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('tsx/package.json');
    const api = new URL((require(manifest) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'].import.default, pathToFileURL(manifest)).href;
    const idx = new URL('../../src/learning/datasets/idx-images.ts', import.meta.url).href;
    const mnist = new URL('../../src/learning/datasets/mnist.ts', import.meta.url).href;
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(${JSON.stringify(api)}).then(async (tsx) => {
        tsx.register();
        const { adoptSharedSplits } = await import(${JSON.stringify(idx)});
        const { loadMnist } = await import(${JSON.stringify(mnist)});
        adoptSharedSplits(workerData.splits);
        const d = loadMnist({ trainSize: 300, testSize: 40 });
        parentPort.postMessage('adopted');
        parentPort.once('message', () => parentPort.postMessage({ first: d.trainX[0], shared: d.trainX.buffer instanceof SharedArrayBuffer }));
      });`;
    const worker = new Worker(code, { eval: true, workerData: { splits: sharedSplits() } });
    const next = () => new Promise<unknown>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    expect(await next()).toBe('adopted');
    // A write here after the thread loaded its dataset is seen there: one memory.
    const before = a.trainX[0];
    a.trainX[0] = 42.5;
    worker.postMessage('read');
    const seen = (await next()) as { first: number; shared: boolean };
    a.trainX[0] = before;
    await worker.terminate();
    expect(seen).toEqual({ first: 42.5, shared: true });
  });
});
