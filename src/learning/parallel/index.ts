/**
 * Honest gradients on threads (`--threads N`): N − 1 gradient threads beside
 * the main thread, fed by speculative prefetch (./prefetch.ts) through a pool
 * a blocked main thread can use (./pool.ts). Threads change when a gradient is
 * computed, never its value or what the run draws: a run's trace is the same
 * at any N.
 *
 * Threads pay only for gradients that cost more than handing them over (a
 * copy of θ, a message, a copy of the result, a thread woken): before the
 * run, a few gradients are timed (on zeros, with the first rows of the first
 * shard: no stream is drawn), and when one takes less than MIN_GRADIENT_MS
 * the task stays on the main thread. The MNIST MLP (≈ 0.6–1 ms a gradient,
 * most of its round in aggregation) ran no faster on two threads; LeNet on
 * tfjs wasm (≈ 36 ms) does. The choice changes speed only.
 */
import type { KernelPath } from '../../kernels/path.ts';
import type { Labels, ModelShape } from '../models/types.ts';
import type { Rng } from '../../sim/rng.ts';
import { createPool } from './pool.ts';
import { createPrefetcher, type Prefetcher } from './prefetch.ts';

export type { Prefetcher } from './prefetch.ts';

/** Below this time for one gradient (ms), threads do not pay. */
export const MIN_GRADIENT_MS = 5;

export interface ThreadOptions {
  /** Threads computing gradients, the main thread included (≥ 2). */
  threads: number;
  /** Stay on the main thread when one gradient takes less (ms; default MIN_GRADIENT_MS, 0: always use threads). */
  minGradientMs?: number;
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

/** The threads, or undefined when a gradient is too cheap for them to pay. */
export async function startThreads(o: ThreadOptions): Promise<Threads | undefined> {
  // A batch holds at most one job per other worker: more helpers would only hold memory.
  const helpers = Math.min(o.threads, o.workers) - 1;
  const threshold = o.minGradientMs ?? MIN_GRADIENT_MS;
  if (helpers < 1 || (threshold > 0 && !costly(o, threshold))) return undefined;
  const trainX = shared(o.trainX);
  const trainY = shared(o.trainY);
  const compute = (theta: Float32Array, rows: Int32Array): Float32Array => o.gradient(theta, trainX, trainY, rows);
  const pool = await createPool({
    helpers,
    dim: o.dim,
    setup: { model: o.model, shape: o.shape, backend: o.backend, kernels: o.kernels, trainX, trainY },
    compute,
  });
  const prefetcher = createPrefetcher({ workers: o.workers, batchSize: o.batchSize, own: o.own, pool, compute, sample: o.sample });
  return { prefetcher, trainX, trainY, close: () => pool.close() };
}

/**
 * Whether a gradient on the main thread takes at least `threshold` ms: each of five does (the
 * first ones run before the JIT has warmed up, so the least of them is the one that counts).
 */
function costly(o: ThreadOptions, threshold: number): boolean {
  const shard = o.own.find((s) => s !== undefined && s.length >= o.batchSize);
  if (!shard) return false;
  const theta = new Float32Array(o.dim);
  const rows = shard.slice(0, o.batchSize);
  for (let k = 0; k < 5; k++) {
    const start = performance.now();
    o.gradient(theta, o.trainX, o.trainY, rows);
    if (performance.now() - start < threshold) return false;
  }
  return true;
}

function shared<T extends Float32Array | Int32Array | Uint8Array>(a: T): T {
  // By element type, not a.constructor: labels read from a file may be a Node Buffer, whose constructor is deprecated.
  const Ctor = (a instanceof Float32Array ? Float32Array : a instanceof Int32Array ? Int32Array : Uint8Array) as unknown as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}
