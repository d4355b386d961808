/**
 * Honest gradients on threads (`--threads N`): N − 1 gradient threads beside
 * the main thread, fed by speculative prefetch (./prefetch.ts) through a pool
 * a blocked main thread can use (./pool.ts). Threads change when a gradient is
 * computed, never its value or what the run draws: a run's trace is the same
 * at any N.
 *
 * Threads pay only for gradients that cost more than handing them over (a
 * copy of θ, a message, a copy of the result, a thread woken). By default
 * (`threadsFor: 'tfjs'`) only the models that only tfjs computes use them —
 * the CNNs, ≈ 4–36 ms a gradient on wasm, which run faster on two threads —
 * while the models byzsim has TypeScript kernels for (logreg, logistic, mlp:
 * ≤ 1 ms a gradient here, under 4 ms on tfjs; the MNIST MLP ran no faster on
 * two threads) stay on the main thread, whatever backend computes them.
 * The rule reads no clock: the choice is the same on every run and changes
 * speed only.
 */
import type { KernelPath } from '../../kernels/path.ts';
import type { Labels, ModelShape } from '../models/types.ts';
import type { Rng } from '../../sim/rng.ts';
import { createPool } from './pool.ts';
import type { Clipping } from '../dp/clip.ts';
import { createPrefetcher, type Prefetcher } from './prefetch.ts';

export type { Prefetcher } from './prefetch.ts';

/** Which models the threads serve: those only tfjs computes (the default), or every model (tests). */
export type ThreadsFor = 'tfjs' | 'all';

export interface ThreadOptions {
  /** Threads computing gradients, the main thread included (≥ 2). */
  threads: number;
  /** Which models use the threads (default 'tfjs': those only tfjs computes). */
  threadsFor?: ThreadsFor;
  /** Whether the model is one only tfjs computes (it has no TypeScript kernels). */
  tfjsOnly: boolean;
  model: string;
  shape: ModelShape;
  backend: string;
  kernels: KernelPath;
  dim: number;
  trainX: Float32Array;
  trainY: Labels;
  workers: number;
  batchSize: number;
  own: readonly (Int32Array | undefined)[];
  /** DP-SGD's clipping of every honest gradient (../dp/clip.ts), which the threads apply as `gradient` does. */
  clip?: Clipping;
  /** The main thread's kernels' gradient on (X, Y) — the shared copies this returns. */
  gradient(theta: Float32Array, X: Float32Array, Y: Labels, rows: Int32Array): Float32Array;
  sample(out: Int32Array, from: Int32Array, rng: Rng): void;
}

export interface Threads {
  prefetcher: Prefetcher;
  /** The training set in shared memory, for the main thread to use too (one copy for all threads). */
  trainX: Float32Array;
  trainY: Labels;
  close(): Promise<void>;
}

/** The threads, or undefined when they would not pay (one thread, or a model byzsim computes cheaply itself). */
export async function startThreads(o: ThreadOptions): Promise<Threads | undefined> {
  // A batch holds at most one job per other worker: more helpers would only hold memory.
  const helpers = Math.min(o.threads, o.workers) - 1;
  if (helpers < 1 || ((o.threadsFor ?? 'tfjs') === 'tfjs' && !o.tfjsOnly)) return undefined;
  const trainX = shared(o.trainX);
  const trainY = shared(o.trainY);
  const compute = (theta: Float32Array, rows: Int32Array): Float32Array => o.gradient(theta, trainX, trainY, rows);
  const pool = await createPool({
    helpers,
    dim: o.dim,
    setup: { model: o.model, shape: o.shape, backend: o.backend, kernels: o.kernels, trainX, trainY, ...(o.clip ? { clip: o.clip } : {}) },
    compute,
  });
  const prefetcher = createPrefetcher({ workers: o.workers, batchSize: o.batchSize, own: o.own, pool, compute, sample: o.sample });
  return { prefetcher, trainX, trainY, close: () => pool.close() };
}

function shared<T extends Float32Array | Int32Array | Uint8Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a;
  // By element type, not a.constructor: labels read from a file may be a Node Buffer, whose constructor is deprecated.
  const Ctor = (a instanceof Float32Array ? Float32Array : a instanceof Int32Array ? Int32Array : Uint8Array) as unknown as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}
