import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/learning/backend.ts';

/**
 * @tensorflow/tfjs-node is an optional dependency: its install downloads a
 * native library and fails without internet access. Whether it loads here is
 * found out once, by importing it, and each test states what must hold then.
 */
let tfjsNodeLoads = false;
beforeAll(async () => {
  const specifier = '@tensorflow/tfjs-node';
  tfjsNodeLoads = await import(specifier).then(
    () => true,
    () => false,
  );
});

describe('selectBackend', () => {
  it("'ts' needs no tfjs", async () => {
    expect(await selectBackend('ts')).toEqual({ name: 'ts', note: expect.stringContaining('TypeScript') });
  });

  it("'tfjs-node' runs native TensorFlow where it loads, and otherwise throws an error naming it", async () => {
    const outcome = await selectBackend('tfjs-node').catch((e: unknown) => e);
    if (tfjsNodeLoads) {
      expect(outcome).toEqual({ name: 'tfjs-node', note: expect.stringContaining('native TensorFlow') });
      expect(tf.getBackend()).toBe('tensorflow');
    } else {
      expect(outcome).toBeInstanceOf(Error);
      expect((outcome as Error).message).toMatch(/^backend 'tfjs-node' requested but @tensorflow\/tfjs-node could not be loaded: /);
    }
  });

  it('an unknown backend is an error naming it and the known ones', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(/unknown backend 'gpu' \(expected one of auto, tfjs-node, wasm, cpu, ts\)/);
  });

  it("'wasm' loads the WebAssembly binary from the package in Node", async () => {
    const choice = await selectBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(tf.tensor1d([1, 2, 3]).mul(2).dataSync())).toEqual([2, 4, 6]);
  });

  it("'auto' takes tfjs-node where it loads, and otherwise falls back to wasm saying why", async () => {
    const choice = await selectBackend('auto');
    if (tfjsNodeLoads) {
      expect(choice).toEqual({ name: 'tfjs-node', note: expect.stringMatching(/^auto: native TensorFlow/) });
    } else {
      expect(choice.name).toBe('wasm');
      expect(choice.note).toMatch(/^auto: tfjs-node unavailable \(.+\); using the tfjs WebAssembly backend/);
    }
  });

  it("'cpu' switches tfjs to its JavaScript kernels", async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
