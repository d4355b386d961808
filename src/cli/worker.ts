/**
 * `byzsim worker --queue URL [--concurrency N] [--out DIR] [--allow-modules]`:
 * take sweep runs from a Redis queue and run them, each exactly as
 * `byzsim run` would, in a sandboxed child process (src/sweep/processor.ts),
 * so that this process only keeps the jobs' locks alive. Results go to the
 * shared sweep directory DIR (DIR/runs/<id>), else to Redis (store.ts).
 *
 * `byzsim collect <sweep> --queue URL [--out DIR]`: write a queued sweep's
 * results kept in Redis into its sweep directory, rebuild each run's
 * report.html, and write the summary.
 */
import { resolve } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { QUEUE_NAME, QUEUE_PREFIX, failedReasons, jobStates, lockSettings, openQueue } from '../sweep/queue.ts';
import { connectRedis, parseRedisUrl, quietReporter } from '../sweep/redis-url.ts';
import { fetchResult, writeStoredResult } from '../sweep/store.ts';
import type { JobResult } from '../sweep/processor.ts';
import type { RunJob } from '../sweep/job.ts';
import { completedRun } from '../sweep/job.ts';
import { label, loadSweep, parseSetFlags } from '../sweep/load.ts';
import { prepareSweepDir } from '../sweep/local.ts';
import { manifestOf, summarize, summaryLines, writeSummary } from '../sweep/summary.ts';
import { kernelPath, KERNELS_ENV } from '../kernels/path.ts';
import { reportCommand } from './report.ts';

export interface WorkerCommandOptions {
  queue: string;
  concurrency?: number;
  out?: string;
  allowModules?: boolean;
}

/** The processor module: the compiled .js from dist/; in a clone, the .ts source, through tsx's loader in the child. */
function processorModule(): { url: URL; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(ts ? '../sweep/processor.ts' : '../sweep/processor.js', import.meta.url);
  return { url, execArgv: ts ? [...process.execArgv, '--import', 'tsx'] : [...process.execArgv] };
}

export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  const target = parseRedisUrl(opts.queue);
  const out = opts.out ? resolve(opts.out) : '';
  const concurrency = opts.concurrency ?? 1;
  const reportError = quietReporter();
  const redis = await connectRedis(target, { name: 'byzsim-worker', onError: reportError });
  const { url, execArgv } = processorModule();
  const worker = new Worker<RunJob, JobResult>(QUEUE_NAME, url, {
    connection: redis,
    prefix: QUEUE_PREFIX,
    concurrency,
    ...lockSettings(),
    autorun: false,
    workerForkOptions: {
      execArgv,
      env: {
        ...process.env,
        BYZSIM_QUEUE_URL: opts.queue,
        BYZSIM_WORKER_OUT: out,
        BYZSIM_WORKER_ALLOW_MODULES: opts.allowModules ? '1' : '',
        // The kernel path this worker resolved (--kernels, BYZSIM_KERNELS or auto): the child computes run ids with it.
        [KERNELS_ENV]: kernelPath(),
      },
    },
  });
  // BullMQ passes on its connections' errors too: the reporter says each once.
  worker.on('error', (err: Error) => reportError(target.redact(err.message)));
  const what = (job: Job<RunJob>) => `${job.id} (${label(job.data.config, job.data.seed)})`;
  worker.on('active', (job) => console.log(`worker ${process.pid}: started ${what(job)}`));
  worker.on('completed', (job, result) => {
    const dup = result.duplicate ? ', a duplicate: the first result is kept' : '';
    console.log(`worker ${process.pid}: done ${job.id} in ${result.wallSeconds.toFixed(2)} s, trace ${result.traceHash}${dup}`);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    console.log(`worker ${process.pid}: ${final ? 'failed' : 'will retry'} ${job.id}: ${target.redact(err.message)}`);
  });
  console.error(
    `worker ${process.pid}: taking runs from ${target.display}, ${concurrency} at a time, results to ${out ? resolve(out, 'runs') : 'Redis'}` +
      `${opts.allowModules ? ', user modules allowed' : ''}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.error(`worker ${process.pid}: ${signal}: finishing the runs in progress (again to stop now)`);
    void worker.close();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await worker.run();
  } finally {
    await worker.close();
    redis.disconnect();
  }
  return 0;
}

export interface CollectCommandOptions {
  queue: string;
  quick?: boolean;
  set?: string[];
  out?: string;
  backend?: string;
}

export async function collectCommand(file: string, opts: CollectCommandOptions): Promise<number> {
  const sweep = await loadSweep(file, { quick: opts.quick, set: parseSetFlags(opts.set ?? []), outDir: opts.out, backend: opts.backend });
  const q = await openQueue(opts.queue, 'byzsim-collect');
  try {
    const { runsDir } = prepareSweepDir(sweep);
    let collected = 0;
    let present = 0;
    let withoutTrace = 0;
    const mismatches: string[] = [];
    const written: string[] = [];
    for (const run of sweep.runs) {
      const local = completedRun(runsDir, run.id);
      const stored = await fetchResult(q.redis, run.id);
      if (local) {
        present++;
        if (stored && stored.record.traceHash !== local.traceHash) {
          mismatches.push(`determinism failure: run ${run.id} has trace hash ${local.traceHash} in ${runsDir} and ${stored.record.traceHash} in Redis`);
        }
        continue;
      }
      if (!stored) continue;
      written.push(writeStoredResult(runsDir, stored));
      collected++;
      if (!stored.traceGz) withoutTrace++;
    }
    for (const dir of written) {
      try {
        await reportCommand(dir, {});
      } catch (err) {
        console.error(`  no report.html for ${dir}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const summary = summarize(sweep.dir, manifestOf(sweep));
    writeSummary(sweep.dir, summary);
    console.log(summaryLines(sweep.name, summary).join('\n'));
    const states = await jobStates(q.redis, q.queue, sweep.runs.map((r) => r.id));
    const failed = await failedReasons(q.queue, states.failed);
    for (const f of failed) console.error(`  failed ${f.id}: ${q.target.redact(f.message)}`);
    for (const m of mismatches) console.error(`  ${m}`);
    const missing = sweep.runs.length - summary.complete;
    console.log(
      `  collected ${collected} runs from ${q.target.display} (${present} were in ${runsDir} already` +
        `${withoutTrace ? `, ${withoutTrace} without their trace: it passed BYZSIM_QUEUE_TRACE_CAP_MB` : ''}); ` +
        `${missing} missing (${failed.length} failed, ${states.running.size} running); wrote ${resolve(sweep.dir, 'summary.csv')}, ${resolve(sweep.dir, 'summary.json')}`,
    );
    return failed.length > 0 || mismatches.length > 0 ? 1 : 0;
  } finally {
    await q.close();
  }
}

