/**
 * A gradient thread: it builds the model's kernels as the main thread does
 * (same model spec, backend and kernel path; the training set is the main
 * thread's, shared), then, for each batch posted to it, claims the jobs no
 * one has claimed — from the last, while the main thread helps from the
 * first — and writes each gradient into its slot.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { models } from '../models/index.ts';
import type { ModelKernels } from '../models/types.ts';
import { isTfjsBackend, selectBackend } from '../backend.ts';
import { setKernelPath } from '../../kernels/path.ts';
import { clippedGradient } from '../dp/clip.ts';
import { CLAIMED, DONE, FAILED, PENDING, type Batch, type ThreadReport, type ThreadSetup } from './protocol.ts';

const port = parentPort!;
const setup = workerData as ThreadSetup;

async function build(): Promise<ModelKernels> {
  setKernelPath(setup.kernels);
  const chosen = models.resolveSpec(setup.model);
  const model = chosen.def.create(chosen.params, setup.shape);
  if (isTfjsBackend(setup.backend)) {
    await selectBackend(setup.backend);
    return model.tfjs!();
  }
  return model.ts!;
}

try {
  const kernels = await build();
  const gradient = setup.clip ? clippedGradient(kernels, setup.clip) : kernels.gradient.bind(kernels);
  port.on('message', (batch: Batch) => {
    for (let k = batch.jobs.length - 1; k >= 0; k--) {
      const job = batch.jobs[k];
      const { tag } = job;
      if (Atomics.compareExchange(job.status, 0, tag + PENDING, tag + CLAIMED) !== tag + PENDING) continue;
      let state = DONE;
      try {
        job.out.set(gradient(batch.theta, setup.trainX, setup.trainY, job.rows));
      } catch {
        state = FAILED;
      }
      Atomics.store(job.status, 0, tag + state);
      Atomics.notify(job.status, 0);
    }
  });
  port.postMessage({ ready: true } satisfies ThreadReport);
} catch (err) {
  port.postMessage({ ready: false, error: (err as Error).message } satisfies ThreadReport);
}
