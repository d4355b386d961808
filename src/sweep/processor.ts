/**
 * The sandboxed processor of `byzsim worker`: BullMQ runs this module in a
 * child process and hands it one job at a time, while the worker process,
 * whose event loop nothing blocks, keeps the job's lock alive however long
 * the run computes without yielding.
 *
 * A job's payload is data: a normalized scenario, checked here as a scenario
 * file is (the schema, then its plan id against the job's id, which also
 * catches a worker of another byzsim version), never code; a scenario that
 * names user modules is refused unless the worker was started with
 * --allow-modules. What fails deterministically — a refused or invalid
 * payload, a run that throws (executeRun's 'failed'), a determinism failure —
 * fails the job once (UnrecoverableError); anything else (Redis gone while
 * storing, the child killed) is retried.
 *
 * The worker passes its settings in the environment: BYZSIM_QUEUE_URL,
 * BYZSIM_WORKER_OUT (a shared sweep directory; empty: results go to Redis)
 * and BYZSIM_WORKER_ALLOW_MODULES.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { executeRun, type RunJob } from './job.ts';
import { envInt, parseRedisUrl, patientRedis } from './redis-url.ts';
import { storedRecord, storeResult } from './store.ts';
import { parseScenarioText } from '../scenario/load.ts';
import { createPlan } from '../run/plan.ts';
import { kernelPath } from '../kernels/path.ts';
import { VERSION } from '../version.ts';

/** What a completed job returns (its BullMQ return value). */
export interface JobResult {
  traceHash: string;
  /** The run was complete already (a job taken twice, a resubmission): the first result is kept. */
  duplicate: boolean;
  /** Where the result is: a shared directory's runs/ (absolute), or `redis`. */
  store: string;
  wallSeconds: number;
}

// The worker killed (kill -9): nothing will take this child's result, so it stops too — also when that
// happened while this module was still loading, before the handler was there to hear it.
process.on('disconnect', () => process.exit(1));
if (process.send !== undefined && !process.connected) process.exit(1);

const settings = {
  url: process.env.BYZSIM_QUEUE_URL ?? '',
  out: process.env.BYZSIM_WORKER_OUT ?? '',
  allowModules: process.env.BYZSIM_WORKER_ALLOW_MODULES === '1',
};
const target = settings.url ? parseRedisUrl(settings.url) : undefined;
const traceCapBytes = envInt('BYZSIM_QUEUE_TRACE_CAP_MB', 64) * 1024 * 1024;
let redis: Redis | undefined;

export default async function processRun(job: SandboxedJob<RunJob, JobResult>): Promise<JobResult> {
  const run = checkedJob(job.data, job.id ?? '');
  if (settings.out) {
    const runsDir = join(settings.out, 'runs');
    const outcome = await executeRun(run, runsDir);
    if (outcome.status === 'failed') throw new UnrecoverableError(outcome.message);
    const { record, duplicate } = outcome;
    return { traceHash: record.traceHash, duplicate, store: runsDir, wallSeconds: record.wallSeconds };
  }
  if (!target) throw new Error('the worker gave its child no queue URL (BYZSIM_QUEUE_URL)');
  const client = (redis ??= patientRedis(target, 'byzsim-worker-run'));
  const existing = await storedRecord(client, run.id);
  if (existing) return { traceHash: existing.traceHash, duplicate: true, store: 'redis', wallSeconds: existing.wallSeconds };
  const scratch = mkdtempSync(join(tmpdir(), 'byzsim-worker-'));
  try {
    const outcome = await executeRun(run, scratch);
    if (outcome.status === 'failed') throw new UnrecoverableError(outcome.message);
    const { record } = outcome;
    const stored = await storeResult(client, join(scratch, run.id), record, traceCapBytes);
    if (stored.duplicate && stored.first.traceHash !== record.traceHash) {
      throw new UnrecoverableError(`determinism failure: run ${run.id} completed twice with trace hashes ${stored.first.traceHash} and ${record.traceHash}`);
    }
    return { traceHash: record.traceHash, duplicate: stored.duplicate, store: 'redis', wallSeconds: record.wallSeconds };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The job's payload as a run this worker may execute, or an UnrecoverableError saying why not. */
export function checkedJob(data: unknown, jobId: string): RunJob {
  const refuse = (why: string): never => {
    throw new UnrecoverableError(`job ${jobId}: ${why}`);
  };
  if (!isObject(data)) return refuse('the payload is not a run');
  const { id, config, seed, scenario, backend, modules } = data;
  if (typeof id !== 'string' || !/^[0-9a-f]{16}$/.test(id) || id !== jobId) return refuse('the payload has no run id, or not the job id');
  if (!isObject(config) || typeof seed !== 'number' || !isObject(scenario) || typeof backend !== 'string' || !Array.isArray(modules)) {
    return refuse('the payload is not a run (id, config, seed, scenario, backend, modules)');
  }
  if (modules.length > 0 && !settings.allowModules) {
    const specs = modules.map((m) => (isObject(m) ? String(m.spec) : '?')).join(', ');
    return refuse(`the scenario names user modules (${specs}), which are code from the submitter; this worker runs none: start it with --allow-modules to run them`);
  }
  const run = data as unknown as RunJob;
  let checked = run.scenario;
  if (modules.length === 0) {
    // Checked as a scenario file is (JSON is YAML); a module's rule names need its registries, so those are checked by plan id alone.
    try {
      checked = { ...parseScenarioText(JSON.stringify(scenario), `job ${id}`), name: run.scenario.name, output: { ...run.scenario.output } };
    } catch (err) {
      return refuse(`the scenario is invalid: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const mine = createPlan(checked, { backend, kernels: kernelPath(), modules: run.modules }).id.slice(0, 16);
  if (mine !== id) {
    return refuse(
      `this worker computes the run id ${mine} for the job's scenario: the worker and the submitter differ ` +
        `(this worker: byzsim ${VERSION}, kernels ${kernelPath()}); run the same byzsim on both`,
    );
  }
  return { ...run, scenario: checked };
}
