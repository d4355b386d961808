/**
 * A pool of gradient threads that a blocked main thread can use: the main
 * thread posts a batch straight to every thread's port (delivered by the
 * threads' own event loops, not the main one) and, when it needs a job's
 * gradient, waits on the job's status word with Atomics.wait. While it waits
 * for a job a thread is computing, it computes another job of the batch no
 * one has claimed; a job no one has claimed when it is needed, it computes
 * itself. So N threads in all compute: the main thread and N − 1 helpers.
 *
 * A thread's result is only ever a copy of what the main thread would have
 * computed (the same kernels on the same θ and rows): a thread that fails on
 * a job, or does not answer within `patience` ms, leaves the job to the main
 * thread, and the result is the same.
 *
 * Why not piscina: its `run()` stamps each task with performance.now() (which
 * the determinism guard forbids inside a run), returns a promise the blocked
 * main thread cannot await, and queues tasks beyond a thread's concurrency on
 * the main thread, dispatching them from the main event loop — which never
 * turns while the simulation waits.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { CANCELLED, CLAIMED, DONE, FAILED, MAIN, PENDING, tagOf, type Batch, type BatchJob, type ThreadReport, type ThreadSetup } from './protocol.ts';

/** A job posted to the pool: its rows and its slot in a batch. */
export interface Job {
  readonly rows: Int32Array;
  readonly theta: Float32Array;
}

export interface GradientPool {
  /** Posts one batch: θ (copied to shared memory) and one job per minibatch. */
  post(theta: Float32Array, rows: readonly Int32Array[]): Job[];
  /** The job's gradient: the thread's, or computed here (blocks until it is ready). */
  take(job: Job): Float32Array;
  /** Withdraws a job whose gradient will not be used. */
  cancel(job: Job): void;
  close(): Promise<void>;
}

interface Slot {
  status: Int32Array;
  out: Float32Array;
  /** How many jobs the slot has held. */
  uses: number;
}

interface PostedJob extends Job {
  slot: Slot;
  /** The slot's tag for this job. */
  tag: number;
  batch: PostedJob[];
}

export interface PoolOptions {
  /** Gradient threads besides the main thread (≥ 1). */
  helpers: number;
  dim: number;
  setup: ThreadSetup;
  /** The main thread's own computation: kernels.gradient(θ, X, Y, rows). */
  compute(theta: Float32Array, rows: Int32Array): Float32Array;
  /** How long to wait for a thread before computing a job here (ms). */
  patience?: number;
}

/** Starts the helper threads and waits until each has built its kernels. */
export async function createPool(opts: PoolOptions): Promise<GradientPool> {
  const { dim, compute } = opts;
  const patience = opts.patience ?? 60_000;
  const threads = Array.from({ length: opts.helpers }, () => startThread(opts.setup));
  try {
    await Promise.all(threads.map(({ ready }) => ready));
  } catch (err) {
    await Promise.all(threads.map(({ worker }) => worker.terminate()));
    throw err;
  }

  const free: Slot[] = [];
  // Jobs withdrawn while a thread computed them: their slots are free once it is done.
  let draining: PostedJob[] = [];
  const allocate = (): Slot => {
    if (draining.length > 0) {
      const still: PostedJob[] = [];
      for (const job of draining) {
        if (Atomics.load(job.slot.status, 0) === job.tag + CLAIMED) still.push(job);
        else free.push(job.slot);
      }
      draining = still;
    }
    return free.pop() ?? { status: new Int32Array(new SharedArrayBuffer(4)), out: new Float32Array(new SharedArrayBuffer(4 * dim)), uses: 0 };
  };
  // Claims a pending job for the main thread.
  const claim = (job: PostedJob): boolean => Atomics.compareExchange(job.slot.status, 0, job.tag + PENDING, job.tag + MAIN) === job.tag + PENDING;

  return {
    post(theta, rows) {
      const shared = new Float32Array(new SharedArrayBuffer(4 * theta.length));
      shared.set(theta);
      const batch: PostedJob[] = [];
      for (const r of rows) {
        const slot = allocate();
        const tag = tagOf(++slot.uses);
        Atomics.store(slot.status, 0, tag + PENDING);
        batch.push({ rows: r, theta: shared, slot, tag, batch });
      }
      const message: Batch = { theta: shared, jobs: batch.map((j): BatchJob => ({ status: j.slot.status, tag: j.tag, out: j.slot.out, rows: j.rows })) };
      for (const { worker } of threads) worker.postMessage(message);
      return batch;
    },
    take(job) {
      const posted = job as PostedJob;
      const { slot, tag, batch, theta, rows } = posted;
      for (;;) {
        const state = Atomics.load(slot.status, 0) - tag;
        if (state === DONE) {
          const g = slot.out.slice();
          free.push(slot);
          return g;
        }
        if (state === FAILED || (state === PENDING && claim(posted))) {
          free.push(slot);
          return compute(theta, rows);
        }
        // A thread claimed it between the load and the claim: look again.
        if (state === PENDING) continue;
        if (state !== CLAIMED) throw new Error(`gradient pool: a job taken in state ${state}`);
        // A thread is computing it: compute another unclaimed job of the batch meanwhile.
        const other = batch.find((j) => j !== posted && claim(j));
        if (other) {
          other.slot.out.set(compute(other.theta, other.rows));
          Atomics.store(other.slot.status, 0, other.tag + DONE);
          continue;
        }
        // Atomics.wait's timeout is no clock the simulation reads: on expiry the job is computed here, with the same result.
        if (Atomics.wait(slot.status, 0, tag + CLAIMED, patience) === 'timed-out' && Atomics.load(slot.status, 0) === tag + CLAIMED) {
          // The slot stays with the silent thread.
          return compute(theta, rows);
        }
      }
    },
    cancel(job) {
      const posted = job as PostedJob;
      const { slot, tag } = posted;
      if (Atomics.compareExchange(slot.status, 0, tag + PENDING, tag + CANCELLED) === tag + PENDING || Atomics.load(slot.status, 0) !== tag + CLAIMED) free.push(slot);
      else draining.push(posted);
    },
    async close() {
      await Promise.all(threads.map(({ worker }) => worker.terminate()));
    },
  };
}

/**
 * The thread's module: the compiled .js when byzsim runs from dist/; in a clone, the .ts source,
 * through tsx's loader registered in the thread first (as bin/byzsim.js does: Node 20 does not
 * apply a loader given in a worker's execArgv to the worker's own entry module).
 */
function threadEntry(): { code: string; eval: boolean } | { code: URL; eval: false } {
  if (!import.meta.url.endsWith('.ts')) return { code: new URL('./thread.js', import.meta.url), eval: false };
  // The ESM entry of tsx/esm/api (require.resolve would give its CommonJS one).
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  const api = new URL(exports['./esm/api'].import.default, pathToFileURL(manifest)).href;
  const entry = new URL('./thread.ts', import.meta.url).href;
  return { code: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, eval: true };
}

function startThread(setup: ThreadSetup): { worker: Worker; ready: Promise<void> } {
  const entry = threadEntry();
  const worker = new Worker(entry.code, { workerData: setup, eval: entry.eval });
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (report: ThreadReport) => (report.ready ? resolve() : reject(new Error(`gradient thread: ${report.error}`))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`gradient thread exited (code ${code}) before it was ready`)));
  });
  return { worker, ready };
}
