/**
 * A sweep on many machines: BullMQ on Redis. `byzsim sweep --queue URL`
 * enqueues one job per incomplete run, its job id the run's id, so that
 * submitting again (or another sweep sharing a run) enqueues nothing twice;
 * `byzsim worker`s on any machines take them (src/cli/worker.ts, each run in
 * a sandboxed child process: processor.ts); `--watch` follows them.
 *
 * Delivery is at least once: a worker killed mid-run loses its job's lock,
 * and after `lockDuration` the stalled-job check of any worker puts the job
 * back for another. A second completion is harmless (job.ts, store.ts: the
 * first kept, the second checked equal by trace hash). Completed and failed
 * jobs are kept: with Redis's AOF on, a restart loses no completed result.
 *
 * Settings, from the environment (milliseconds unless said):
 *   BYZSIM_QUEUE_LOCK_MS            a job's lock (BullMQ lockDuration; default 30000), renewed
 *                                   every half of it while the run goes on; a dead worker's job
 *                                   is retried elsewhere once it expires
 *   BYZSIM_QUEUE_STALLED_MS         how often workers look for expired locks (stalledInterval; default 30000)
 *   BYZSIM_QUEUE_CONNECT_TIMEOUT_MS how long the first connection may take (default 5000)
 *   BYZSIM_QUEUE_POLL_MS            how often --watch looks (default 1000)
 *   BYZSIM_QUEUE_TRACE_CAP_MB       the largest gzipped trace kept in Redis (default 64; larger: left out)
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Sweep } from './load.ts';
import { completedRun, toJob } from './job.ts';
import { manifestOf, summarize, summaryLines, writeManifest, writeSummary } from './summary.ts';
import { createSweepProgress } from './progress.ts';
import { connectRedis, envInt, parseRedisUrl, quietReporter, type RedisTarget } from './redis-url.ts';
import { storedIds } from './store.ts';

/** BullMQ's key prefix and queue name: jobs live at byzsim:runs:<id>. */
export const QUEUE_PREFIX = 'byzsim';
export const QUEUE_NAME = 'runs';

/** How many times a job is tried when it fails for a reason that may pass (a lost connection, a crashed child). */
const ATTEMPTS = 3;

export const JOB_OPTIONS: JobsOptions = {
  attempts: ATTEMPTS,
  backoff: { type: 'exponential', delay: 2000 },
  // Kept: the completed set is the queue's record of what is done, the failed set says why.
  removeOnComplete: false,
  removeOnFail: false,
};

/** The lock and stall settings every worker uses (see the header). */
export function lockSettings(): { lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  return {
    lockDuration: envInt('BYZSIM_QUEUE_LOCK_MS', 30_000),
    stalledInterval: envInt('BYZSIM_QUEUE_STALLED_MS', 30_000),
    // A worker killed (or a Redis restart longer than the lock) stalls a job; that is retried, not failed.
    maxStalledCount: 5,
  };
}

export interface Connected {
  target: RedisTarget;
  redis: Redis;
  queue: Queue;
  close(): Promise<void>;
}

/** A queue on `url`, after checking Redis answers (a UserError naming host:port otherwise). */
export async function openQueue(url: string, name = 'byzsim'): Promise<Connected> {
  const target = parseRedisUrl(url);
  const report = quietReporter();
  const redis = await connectRedis(target, { name, onError: report });
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: QUEUE_PREFIX });
  // BullMQ passes on its connection's errors too: the reporter says each once.
  queue.on('error', (err: Error) => report(target.redact(err.message)));
  return {
    target,
    redis,
    queue,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}

export interface JobStates {
  done: Set<string>;
  failed: Set<string>;
  running: Set<string>;
}

/** Which of `ids` are completed, failed and active, from BullMQ's sets (a few commands, however many ids). */
export async function jobStates(redis: Redis, queue: Queue, ids: readonly string[]): Promise<JobStates> {
  const done = new Set<string>();
  const failed = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const batch = ids.slice(i, i + 5000);
    const [completedScores, failedScores] = await Promise.all([redis.zmscore(queue.toKey('completed'), ...batch), redis.zmscore(queue.toKey('failed'), ...batch)]);
    batch.forEach((id, j) => {
      if (completedScores[j] !== null) done.add(id);
      else if (failedScores[j] !== null) failed.add(id);
    });
  }
  const wanted = new Set(ids);
  const active = await redis.lrange(queue.toKey('active'), 0, -1);
  const running = new Set(active.filter((id) => wanted.has(id) && !done.has(id) && !failed.has(id)));
  return { done, failed, running };
}

/** Each failed job's reason, by id. */
export async function failedReasons(queue: Queue, ids: Iterable<string>): Promise<{ id: string; message: string }[]> {
  const out: { id: string; message: string }[] = [];
  for (const id of ids) {
    const job = await queue.getJob(id);
    out.push({ id, message: job?.failedReason ?? 'failed' });
  }
  return out;
}

export async function submitCommand(sweep: Sweep, url: string, { watch }: { watch: boolean }): Promise<number> {
  const q = await openQueue(url, 'byzsim-submit');
  try {
    const runsDir = join(sweep.dir, 'runs');
    mkdirSync(runsDir, { recursive: true });
    // Only the manifest: the sweep directory may be the workers' shared one, whose temporaries are live.
    writeManifest(sweep.dir, manifestOf(sweep));
    const ids = sweep.runs.map((r) => r.id);
    const inRedis = await storedIds(q.redis, ids);
    const pending = sweep.runs.filter((r) => !inRedis.has(r.id) && completedRun(runsDir, r.id) === undefined);
    const before = await jobStates(q.redis, q.queue, pending.map((r) => r.id));
    const known = await existingJobs(q.redis, q.queue, pending.map((r) => r.id));
    const fresh = pending.filter((r) => !known.has(r.id));
    for (let i = 0; i < fresh.length; i += 500) {
      await q.queue.addBulk(fresh.slice(i, i + 500).map((r) => ({ name: sweep.name, data: toJob(r), opts: { ...JOB_OPTIONS, jobId: r.id } })));
    }
    // A failed run is tried again when its sweep is submitted again (its cause fixed, say): once more, not for ever.
    for (const id of before.failed) await (await q.queue.getJob(id))?.retry('failed');
    console.error(
      `queued ${fresh.length} runs on ${q.target.display}: ${pending.length - fresh.length} were queued already, ` +
        `${before.failed.size} failed ones retried, ${sweep.runs.length - pending.length} complete (in ${runsDir} or Redis)`,
    );
    if (!watch) {
      console.error(`  follow them with: byzsim sweep ${sweep.file}${sweep.quick ? ' --quick' : ''} --out ${sweep.dir} --queue ${q.target.display} --watch`);
      return 0;
    }
    return await watchSweep(sweep, q, new Set(sweep.runs.filter((r) => !pending.includes(r)).map((r) => r.id)));
  } finally {
    await q.close();
  }
}

/** Which of `ids` have a job, in any state. */
async function existingJobs(redis: Redis, queue: Queue, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000);
    const pipeline = redis.pipeline();
    for (const id of batch) pipeline.exists(queue.toKey(id));
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([err, n], j) => {
      if (err) throw err;
      if (n === 1) found.add(batch[j]);
    });
  }
  return found;
}

/**
 * Follows the sweep's jobs until each is done or failed: a bar on a TTY, a
 * line per change otherwise. Then, when every result is in this machine's
 * sweep directory (the workers' shared one), writes the summary; else says
 * how to collect them.
 */
async function watchSweep(sweep: Sweep, q: Connected, completeBefore: Set<string>): Promise<number> {
  const ids = sweep.runs.map((r) => r.id);
  const total = ids.length;
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  const progress = createSweepProgress(total, completeBefore.size, tty);
  const poll = envInt('BYZSIM_QUEUE_POLL_MS', 1000);
  let last = '';
  let states: JobStates;
  try {
    for (;;) {
      states = await jobStates(q.redis, q.queue, ids);
      for (const id of completeBefore) states.done.add(id);
      const line = `done ${states.done.size}/${total}, running ${states.running.size}, failed ${states.failed.size}`;
      if (line !== last) {
        if (tty) progress.set(states.done.size, states.running.size, states.failed.size);
        else console.error(`sweep ${sweep.name}: ${line}`);
        last = line;
      }
      if (states.done.size + states.failed.size >= total) break;
      await new Promise((r) => setTimeout(r, poll));
    }
  } finally {
    progress.stop();
  }
  const failed = await failedReasons(q.queue, states.failed);
  for (const f of failed) console.error(`  failed ${f.id}: ${q.target.redact(f.message)}`);
  const runsDir = join(sweep.dir, 'runs');
  const here = ids.filter((id) => completedRun(runsDir, id) !== undefined).length;
  if (here === states.done.size) {
    const summary = summarize(sweep.dir, manifestOf(sweep));
    writeSummary(sweep.dir, summary);
    console.log(summaryLines(sweep.name, summary).join('\n'));
    console.log(`  wrote ${join(sweep.dir, 'summary.csv')}, ${join(sweep.dir, 'summary.json')}`);
  } else {
    console.log(
      `${sweep.name}: ${states.done.size}/${total} runs done, ${states.done.size - here} of them not in ${resolve(sweep.dir)}: ` +
        `gather them with byzsim collect ${sweep.file} --queue ${q.target.display}${sweep.quick ? ' --quick' : ''} --out ${sweep.dir}`,
    );
  }
  return failed.length > 0 ? 1 : 0;
}
