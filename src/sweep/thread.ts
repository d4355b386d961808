/**
 * A sweep thread (piscina task module): adopts the main thread's datasets
 * (shared memory, no copy) and kernel path, then runs one job per task exactly as
 * `byzsim run` would (job.ts). The wall-clock and randomness guards of a run
 * apply inside runToDirectory as they do in the main thread.
 */
import { workerData } from 'node:worker_threads';
import { adoptSharedSplits, type SharedSplit } from '../learning/datasets/idx-images.ts';
import { executeRun, type RunJob, type RunOutcome } from './job.ts';
import { setKernelPath, type KernelPath } from '../kernels/path.ts';

const data = workerData as { splits?: SharedSplit[]; kernels?: KernelPath } | undefined;
if (data?.splits) adoptSharedSplits(data.splits);
// The main thread's kernel path (--kernels), which a thread would otherwise take from the environment.
if (data?.kernels) setKernelPath(data.kernels);

export default async function runTask({ job, runsDir }: { job: RunJob; runsDir: string }): Promise<RunOutcome> {
  return executeRun(job, runsDir);
}
