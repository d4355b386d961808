/**
 * Honest gradients on threads, by speculative prefetch, without changing
 * what happens. An honest gradient is a pure function of θ and the rows of
 * the minibatch, and the rows are a pure function of the worker's shard and
 * the state of its stream. So when a worker computes on a θ no prefetch was
 * made for, the others' next minibatches are drawn from clones of their
 * streams (the real streams do not move) and their gradients on that θ
 * posted to the pool. When worker w then computes, it draws its minibatch
 * from its own stream, exactly as without threads; if it computes on the
 * same θ (the same object, and the same bits as the copy the threads used)
 * and drew the same rows, the thread's gradient is its gradient. Otherwise —
 * another θ, another draw before (a computation for the adversary, a stale
 * θ computed late), mapped labels — it computes here and the prefetch is
 * withdrawn. A prediction is never drawn from a real stream, so a
 * computation a newer θ abandons still never draws.
 */
import type { Rng } from '../../sim/rng.ts';
import type { GradientPool, Job } from './pool.ts';

export interface PrefetchOptions {
  workers: number;
  batchSize: number;
  /** Worker i's examples when honest (undefined: it holds nothing). */
  own: readonly (Int32Array | undefined)[];
  pool: GradientPool;
  /** The gradient on the rows, computed here. */
  compute(theta: Float32Array, rows: Int32Array): Float32Array;
  /** Fills `out` with a minibatch of `from` drawn with `rng` (build.ts sampleInto). */
  sample(out: Int32Array, from: Int32Array, rng: Rng): void;
}

interface Prefetched {
  theta: Float32Array;
  job: Job;
}

export interface Prefetcher {
  /** Worker `worker`'s honest gradient at θ, its minibatch drawn from `rng` now. */
  gradient(theta: Float32Array, worker: number, rng: Rng): Float32Array;
  /** What the prefetches did: gradients taken from a prefetch, and prefetches withdrawn. */
  readonly counts: { taken: number; withdrawn: number };
}

export function createPrefetcher(opts: PrefetchOptions): Prefetcher {
  const { workers, batchSize, own, pool, compute, sample } = opts;
  // The stream each worker last drew with (a worker's stream is one object for the run).
  const streams: (Rng | undefined)[] = new Array(workers).fill(undefined);
  // The θ each worker last computed an honest gradient on.
  const computedOn: (Float32Array | undefined)[] = new Array(workers).fill(undefined);
  const pending: (Prefetched | undefined)[] = new Array(workers).fill(undefined);
  let prefetchedFor: Float32Array | undefined;
  const counts = { taken: 0, withdrawn: 0 };

  const withdraw = (w: number): void => {
    const p = pending[w];
    if (!p) return;
    pending[w] = undefined;
    pool.cancel(p.job);
    counts.withdrawn++;
  };

  const prefetch = (theta: Float32Array, caller: number): void => {
    prefetchedFor = theta;
    const who: number[] = [];
    const rows: Int32Array[] = [];
    for (let k = 1; k < workers; k++) {
      const w = (caller + k) % workers;
      const stream = streams[w];
      const shard = own[w];
      if (!stream || !shard || computedOn[w] === theta) continue;
      withdraw(w);
      const r = new Int32Array(batchSize);
      sample(r, shard, stream.clone());
      who.push(w);
      rows.push(r);
    }
    if (who.length === 0) return;
    const jobs = pool.post(theta, rows);
    who.forEach((w, k) => (pending[w] = { theta, job: jobs[k] }));
  };

  return {
    counts,
    gradient(theta, worker, rng) {
      streams[worker] = rng;
      const rows = new Int32Array(batchSize);
      sample(rows, own[worker]!, rng);
      computedOn[worker] = theta;
      const p = pending[worker];
      if (p && p.theta === theta && sameBits(p.job.theta, theta) && sameRows(p.job.rows, rows)) {
        pending[worker] = undefined;
        counts.taken++;
        return pool.take(p.job);
      }
      withdraw(worker);
      if (theta !== prefetchedFor) prefetch(theta, worker);
      return compute(theta, rows);
    },
  };
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bitwise equality (NaN and −0 included). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
