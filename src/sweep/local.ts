/**
 * A sweep on this machine: the runs not yet complete, on a pool of worker
 * threads (piscina), one run per task, each exactly as `byzsim run` runs it
 * (job.ts; the same trace hash, tested). The datasets the runs read from
 * files are loaded once, in shared memory, and adopted by every thread.
 *
 * Resuming is skipping: a run whose directory is complete is not run again,
 * so a sweep stopped at any point (Ctrl-C, kill -9) and started again ends
 * with the same summary as one never stopped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { Sweep, SweepRun } from './load.ts';
import { completedRun, executeRun, removeStaleTemporaries, toJob, type RunOutcome } from './job.ts';
import { manifestOf, summarize, writeManifest, writeSummary, type Summary } from './summary.ts';
import { createSweepProgress } from './progress.ts';
import { datasets } from '../learning/datasets/index.ts';
import { datasetOptions, datasetParams } from '../scenario/schema.ts';
import { sharedSplits } from '../learning/datasets/idx-images.ts';
import { kernelPath } from '../kernels/path.ts';

export interface LocalOptions {
  /** Runs at a time (threads); 1 runs them in this thread. */
  jobs: number;
  /** Show the progress bar (a TTY's stderr). */
  progress?: boolean;
  /** Called as each run ends. */
  onOutcome?: (outcome: RunOutcome, run: SweepRun) => void;
}

export interface SweepResult {
  summary: Summary;
  /** Runs complete before this start. */
  resumed: number;
  ran: number;
  failed: { id: string; message: string }[];
}

/** Prepares the sweep directory: the manifest, runs/, and no temporaries of a killed start. */
export function prepareSweepDir(sweep: Sweep): { runsDir: string; pending: SweepRun[] } {
  const runsDir = join(sweep.dir, 'runs');
  mkdirSync(runsDir, { recursive: true });
  removeStaleTemporaries(runsDir);
  writeManifest(sweep.dir, manifestOf(sweep));
  return { runsDir, pending: sweep.runs.filter((r) => completedRun(runsDir, r.id) === undefined) };
}

export async function runLocal(sweep: Sweep, options: LocalOptions): Promise<SweepResult> {
  const { runsDir, pending } = prepareSweepDir(sweep);
  const resumed = sweep.runs.length - pending.length;
  const failed: { id: string; message: string }[] = [];
  const progress = createSweepProgress(sweep.runs.length, resumed, options.progress === true);
  const finish = (outcome: RunOutcome, run: SweepRun) => {
    if (outcome.status === 'failed') failed.push({ id: outcome.id, message: outcome.message });
    progress.ended(outcome.status === 'done');
    options.onOutcome?.(outcome, run);
  };
  try {
    if (options.jobs <= 1 || pending.length <= 1) {
      for (const run of pending) {
        progress.started();
        finish(await executeRun(toJob(run), runsDir), run);
      }
    } else {
      preloadDatasets(pending);
      const pool = new Piscina({
        ...threadModule(),
        minThreads: Math.min(options.jobs, pending.length),
        maxThreads: Math.min(options.jobs, pending.length),
        // Each thread holds one run; the queue is ours.
        concurrentTasksPerWorker: 1,
        idleTimeout: 1000,
        workerData: { splits: sharedSplits(), kernels: kernelPath() },
      });
      // Our own lanes, one per thread, so the bar knows what is running.
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < pending.length) {
          const run = pending[next++];
          progress.started();
          let outcome: RunOutcome;
          try {
            outcome = (await pool.run({ job: toJob(run), runsDir })) as RunOutcome;
          } catch (err) {
            // The thread itself died (out of memory, a native crash): the run failed, the sweep goes on.
            outcome = { status: 'failed', id: run.id, message: `the thread running it died: ${err instanceof Error ? err.message : String(err)}` };
          }
          finish(outcome, run);
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(options.jobs, pending.length) }, lane));
      } finally {
        await pool.destroy();
      }
    }
  } finally {
    progress.stop();
  }
  const summary = summarize(sweep.dir, manifestOf(sweep));
  writeSummary(sweep.dir, summary);
  writeFileSync(join(sweep.dir, 'failed.json'), JSON.stringify(failed, null, 2) + '\n');
  return { summary, resumed, ran: pending.length, failed };
}

/** Loads, once and in shared memory, every file-backed dataset the runs read (the threads adopt them). */
function preloadDatasets(runs: readonly SweepRun[]): void {
  const seen = new Set<string>();
  for (const { scenario } of runs) {
    const def = datasets.resolveSpec(scenario.data.dataset).def;
    if (def.generated) continue;
    const params = datasetParams(scenario.data)[def.name] ?? {};
    const options = datasetOptions(scenario.data)[def.name] ?? {};
    const key = JSON.stringify([def.name, params, options]);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      def.load(datasets.resolve({ name: def.name, params, options: {} }).params, undefined as never, options);
    } catch {
      // The run reports it, with the run's own message.
    }
  }
}

/** The thread's module: the compiled .js from dist/; in a clone, a bootstrap that registers tsx, then the .ts source. */
function threadModule(): { filename: string } {
  const clone = import.meta.url.endsWith('.ts');
  return { filename: new URL(clone ? './thread-clone.mjs' : './thread.js', import.meta.url).href };
}
