/**
 * What the main thread and the gradient threads share: the thread's setup
 * (the model, the backend, the training set in shared memory) and one batch
 * of jobs. A job's slot is shared memory: a status word that both sides
 * change only by compare-and-swap, then the gradient. A slot is reused by
 * later batches, so its status word is the job's tag (the slot's use count
 * × 8) plus its state: a thread still going through an older batch cannot
 * claim the slot's new job.
 */
import type { KernelPath } from '../../kernels/path.ts';
import type { Labels, ModelShape } from '../models/types.ts';
import type { Clipping } from '../dp/clip.ts';

/** Slot status: posted, waiting for whoever claims it first. */
export const PENDING = 0;
/** Claimed by a gradient thread. */
export const CLAIMED = 1;
/** The thread wrote the gradient. */
export const DONE = 2;
/** The thread failed on it (the main thread computes it itself). */
export const FAILED = 3;
/** Claimed by the main thread, which computes it itself. */
export const MAIN = 4;
/** Withdrawn before anyone claimed it. */
export const CANCELLED = 5;

export interface ThreadSetup {
  /** Model spec (`mlp(hidden=100)`). */
  model: string;
  shape: ModelShape;
  /** `ts` or a tfjs backend. */
  backend: string;
  kernels: KernelPath;
  /** The training set, on SharedArrayBuffers. */
  trainX: Float32Array;
  trainY: Labels;
  /** DP-SGD's clipping of every gradient (../dp/clip.ts). */
  clip?: Clipping;
}

/** The tag of a slot's n-th use. */
export const tagOf = (use: number): number => (use & 0x0fffffff) * 8;

export interface BatchJob {
  /** One Int32 on a SharedArrayBuffer: tag + state. */
  status: Int32Array;
  tag: number;
  /** dim floats on a SharedArrayBuffer. */
  out: Float32Array;
  rows: Int32Array;
}

export interface Batch {
  /** θ, copied to a SharedArrayBuffer. */
  theta: Float32Array;
  jobs: BatchJob[];
}

/** `ready`, or why the thread could not build its kernels. */
export type ThreadReport = { ready: true } | { ready: false; error: string };
