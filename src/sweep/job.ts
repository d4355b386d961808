/**
 * One sweep run, executed exactly as `byzsim run` executes a scenario
 * (runToDirectory), written atomically: the outputs go to a temporary
 * directory beside the final one, which is renamed into place once
 * complete. A run directory therefore exists only when every file in it is
 * whole, and a sweep killed at any moment leaves at most temporary
 * directories, which the next start removes.
 *
 * A second completion of the same run (a job taken twice, a resubmission)
 * is harmless: the first result is kept and the second checked equal to it
 * by trace hash; a mismatch is a determinism failure and is reported.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Config, SweepRun } from './load.ts';
import { runToDirectory } from '../run/output.ts';

/** What a sweep keeps of a run besides its outputs: runs/<id>/run.json. */
export interface RunRecord {
  id: string;
  config: Config;
  seed: number;
  traceHash: string;
  finalAccuracy: number;
  wallSeconds: number;
}

/** The data a job carries: a run, which is data only (its scenario normalized, its backend resolved). */
export type RunJob = SweepRun;

export type RunOutcome =
  | { status: 'done'; record: RunRecord; duplicate: boolean }
  | { status: 'failed'; id: string; message: string };

const TEMP_PREFIX = '.tmp-';

/** The run as a job's payload: its fields, nothing else (a SweepRun may carry more in time). */
export function toJob(run: SweepRun): RunJob {
  const { id, config, seed, scenario, backend, modules } = run;
  return { id, config, seed, scenario, backend, modules };
}

/** The run's record when runs/<id> is complete, else undefined. */
export function completedRun(runsDir: string, id: string): RunRecord | undefined {
  const file = join(runsDir, id, 'run.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** This machine's name as a temporary directory carries it (no dots or dashes, which separate the fields). */
function host(): string {
  return hostname().replace(/[^A-Za-z0-9]/g, '_') || 'host';
}

/** runs/.tmp-<id>-<host>-<pid>-<thread>: whose it is, so a start removes only the temporaries of dead processes. */
function temporaryName(id: string): string {
  return `${TEMP_PREFIX}${id}-${host()}-${process.pid}-${threadId}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what killed runs left behind: the temporary directories of this
 * machine's processes that no longer exist. A shared directory's temporaries
 * of live workers, or of other machines, are left to them. Returns how many.
 */
export function removeStaleTemporaries(runsDir: string): number {
  if (!existsSync(runsDir)) return 0;
  let removed = 0;
  const here = host();
  for (const entry of readdirSync(runsDir)) {
    if (!entry.startsWith(TEMP_PREFIX)) continue;
    const [, owner, pid] = /^\.tmp-[0-9a-f]+-([A-Za-z0-9_]+)-(\d+)-\d+$/.exec(entry) ?? [];
    if (owner !== undefined && (owner !== here || alive(Number(pid)))) continue;
    rmSync(join(runsDir, entry), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * Runs `job` into runsDir/<id>. A deterministic failure (an invalid scenario,
 * a thrown error) is an outcome, not an exception, so a queue marks it failed
 * once instead of retrying it.
 */
export async function executeRun(job: RunJob, runsDir: string): Promise<RunOutcome> {
  const final = join(runsDir, job.id);
  const existing = completedRun(runsDir, job.id);
  if (existing) return { status: 'done', record: existing, duplicate: true };
  mkdirSync(runsDir, { recursive: true });
  const temp = join(runsDir, temporaryName(job.id));
  rmSync(temp, { recursive: true, force: true });
  let record: RunRecord;
  try {
    const scenario = { ...job.scenario, output: { ...job.scenario.output, dir: temp } };
    const metrics = await runToDirectory(scenario, job.backend, job.modules, 1);
    record = { id: job.id, config: job.config, seed: job.seed, traceHash: metrics.traceHash, finalAccuracy: metrics.final.accuracy, wallSeconds: metrics.wallSeconds };
    writeFileSync(join(temp, 'run.json'), JSON.stringify(record, null, 2) + '\n');
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    return { status: 'failed', id: job.id, message: err instanceof Error ? err.message : String(err) };
  }
  try {
    renameSync(temp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    // Another worker finished first: keep its result, check ours equals it.
    rmSync(temp, { recursive: true, force: true });
    const first = completedRun(runsDir, job.id);
    if (first && first.traceHash !== record.traceHash) {
      return { status: 'failed', id: job.id, message: `determinism failure: run ${job.id} completed twice with trace hashes ${first.traceHash} and ${record.traceHash}` };
    }
    return { status: 'done', record: first ?? record, duplicate: true };
  }
  return { status: 'done', record, duplicate: false };
}
