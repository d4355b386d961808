/**
 * Sweeps on a Redis queue, against a real redis-server (test/helpers/redis-server.ts)
 * and real `byzsim worker` processes: a worker killed mid-run and Redis
 * restarted mid-sweep still end with every run complete once, with the trace
 * hashes and the summary of a local sweep; a run longer than the lock is taken
 * once; deterministic failures fail once; user modules are refused; user
 * mistakes are one line, with no password in it.
 *
 * Short locks (BYZSIM_QUEUE_LOCK_MS, BYZSIM_QUEUE_STALLED_MS) keep the file
 * near a minute and a half; the runs are a few seconds each (200 rounds).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadSweep, type Sweep } from '../../src/sweep/load.ts';
import { runLocal } from '../../src/sweep/local.ts';
import { toJob, type RunRecord } from '../../src/sweep/job.ts';
import { QUEUE_NAME, QUEUE_PREFIX, JOB_OPTIONS } from '../../src/sweep/queue.ts';
import { resultKey } from '../../src/sweep/store.ts';
import { BIN } from '../helpers/cli.ts';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-queue-'));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const BASE = `name: long
seed: 1
rounds: 200
workers: 7
byzantine: { f: 1 }
data: { dataset: synthetic, partition: iid, batchSize: 16 }
optimizer: { lr: 0.1 }
aggregator: cwtm
attack: alie
eval: { every: 50 }
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

write('base.yaml', BASE);
const SWEEP = write('long.yaml', 'name: long-sweep\nbase: base.yaml\ngrid:\n  aggregator: [cwtm, krum]\nseeds: 2\n');

const LOCKS = { BYZSIM_QUEUE_LOCK_MS: '2000', BYZSIM_QUEUE_STALLED_MS: '1000', BYZSIM_QUEUE_POLL_MS: '300' };

interface Proc {
  child: ChildProcess;
  out: string;
  exited: Promise<number>;
}

function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: 'true', ...LOCKS, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { child, out: '', exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))) };
  child.stdout!.on('data', (d: Buffer) => (proc.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (proc.out += d.toString()));
  return proc;
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: 'true', ...LOCKS, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Everything of a summary but wall time. */
function withoutWallTime(summary: unknown): unknown {
  return JSON.parse(JSON.stringify(summary), (k, v) => (k === 'wallSeconds' ? undefined : v));
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

let redis: RedisServer;
let local: Sweep;
const procs: Proc[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  // The reference: the same sweep on this machine.
  local = await loadSweep(SWEEP, { outDir: join(dir, 'local') });
  await runLocal(local, { jobs: 1 });
}, 90_000);

afterAll(async () => {
  if (process.env.QUEUE_TEST_LOG) writeFileSync(process.env.QUEUE_TEST_LOG, procs.map((p, i) => `--- ${i}: ${p.child.spawnargs.slice(2).join(' ')}\n${p.out}`).join('\n'));
  for (const p of procs) p.child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const localRecord = (id: string): RunRecord => readJson(join(dir, 'local', 'runs', id, 'run.json')) as RunRecord;

describe('a sweep on two workers, one killed mid-run, Redis restarted mid-sweep', () => {
  it('completes every run once, with the hashes and the summary of a local sweep', async () => {
    const url = redis.url(1);
    const out = join(dir, 'queued');
    const submitted = await run(['sweep', SWEEP, '--queue', url, '--out', out]);
    expect(submitted.out).toContain('queued 4 runs');
    const watch = start(['sweep', SWEEP, '--queue', url, '--out', out, '--watch']);
    const first = start(['worker', '--queue', url]);
    const second = start(['worker', '--queue', url]);
    procs.push(watch, first, second);
    await until('the first worker to start a run', () => /started ([0-9a-f]{16})/.test(first.out), 30_000);
    const killedJob = /started ([0-9a-f]{16})/.exec(first.out)![1];
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    await first.exited;
    const third = start(['worker', '--queue', url]);
    procs.push(third);

    const client = new Redis({ port: redis.port, db: 1, maxRetriesPerRequest: null, lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
    const completed = () => client.zcard(`${QUEUE_PREFIX}:${QUEUE_NAME}:completed`);
    await until('two runs done', async () => (await completed()) >= 2, 60_000);
    await redis.restart(800);
    expect(await watch.exited).toBe(0);
    // --watch submits again, idempotently.
    expect(watch.out).toContain('queued 0 runs on redis://127.0.0.1');
    expect(watch.out).toContain('4 were queued already');
    expect(watch.out).toContain('done 4/4, running 0, failed 0');
    expect(watch.out).toContain('byzsim collect');

    // The killed worker's job was taken again by another once its lock expired.
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: QUEUE_PREFIX });
    const retried = await queue.getJob(killedJob);
    expect(retried!.finishedOn).toBeDefined();
    expect(retried!.stalledCounter + retried!.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(second.out + third.out).toContain(`started ${killedJob}`);

    for (const r of local.runs) {
      // One result per run in Redis, its trace hash the local run's.
      const stored = JSON.parse((await client.hget(resultKey(r.id), 'run.json'))!) as RunRecord;
      expect(stored.traceHash).toBe(localRecord(r.id).traceHash);
    }
    expect(second.out + third.out).not.toMatch(/determinism failure|failed [0-9a-f]{16}/);

    const collected = await run(['collect', SWEEP, '--queue', url, '--out', out]);
    expect(collected.code, collected.out).toBe(0);
    expect(collected.out).toContain('collected 4 runs');
    expect(withoutWallTime(readJson(join(out, 'summary.json')))).toEqual(withoutWallTime(readJson(join(dir, 'local', 'summary.json'))));
    for (const r of local.runs) {
      expect(readFileSync(join(out, 'runs', r.id, 'trace.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'local', 'runs', r.id, 'trace.jsonl'), 'utf8'));
      expect(existsSync(join(out, 'runs', r.id, 'report.html'))).toBe(true);
    }
    await queue.close();
    client.disconnect();
    second.child.kill('SIGTERM');
    third.child.kill('SIGTERM');
    await Promise.all([second.exited, third.exited]);
  }, 120_000);
});

describe('a run longer than the lock', () => {
  it('keeps its lock (the run is in a child process): taken once, into the shared directory, and --watch writes the summary', async () => {
    const url = redis.url(2);
    const shared = join(dir, 'shared');
    const env = { BYZSIM_QUEUE_LOCK_MS: '1000', BYZSIM_QUEUE_STALLED_MS: '500' };
    const file = write('two.yaml', 'name: two\nbase: base.yaml\ngrid:\n  aggregator: [cwtm]\nseeds: 2\n');
    const worker = start(['worker', '--queue', url, '--concurrency', '2', '--out', shared], env);
    procs.push(worker);
    const watched = await run(['sweep', file, '--queue', url, '--out', shared, '--watch'], env);
    expect(watched.code, watched.out).toBe(0);
    expect(watched.out).toContain('2/2 runs complete');
    const two = await loadSweep(file, { outDir: shared });
    const client = new Redis({ port: redis.port, db: 2, lazyConnect: true });
    await client.connect();
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: QUEUE_PREFIX });
    for (const r of two.runs) {
      const job = (await queue.getJob(r.id))!;
      expect(job.attemptsStarted).toBe(1);
      expect(job.stalledCounter).toBe(0);
      expect(job.finishedOn! - job.processedOn!).toBeGreaterThan(1000);
      expect(worker.out.match(new RegExp(`started ${r.id}`, 'g'))).toHaveLength(1);
      expect((readJson(join(shared, 'runs', r.id, 'run.json')) as RunRecord).traceHash).toBe(localRecord(r.id).traceHash);
    }
    expect(existsSync(join(shared, 'summary.json'))).toBe(true);
    await queue.close();
    client.disconnect();
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 90_000);
});

describe('failures', () => {
  it('fails a deterministic failure once, refuses user modules without --allow-modules, and checks a payload as data', async () => {
    const url = redis.url(3);
    const client = new Redis({ port: redis.port, db: 3, lazyConnect: true });
    await client.connect();
    const queue = new Queue(QUEUE_NAME, { connection: client, prefix: QUEUE_PREFIX });
    const [a, b] = local.runs.map(toJob);
    // A forged payload (not a normalized scenario), and a run naming a user module.
    await queue.add('forged', { ...a, scenario: { ...a.scenario, rounds: -3 } }, { ...JOB_OPTIONS, jobId: a.id });
    await queue.add('module', { ...b, modules: [{ spec: './rule.ts', sha256: '0'.repeat(64), path: join(dir, 'rule.ts') }] }, { ...JOB_OPTIONS, jobId: b.id });
    const worker = start(['worker', '--queue', url]);
    procs.push(worker);
    await until('both jobs to fail', async () => (await queue.getJobState(a.id)) === 'failed' && (await queue.getJobState(b.id)) === 'failed', 30_000);
    const forged = (await queue.getJob(a.id))!;
    expect(forged.attemptsMade).toBe(1);
    expect(forged.failedReason).toMatch(/scenario is invalid.*rounds/);
    const refused = (await queue.getJob(b.id))!;
    expect(refused.attemptsMade).toBe(1);
    expect(refused.failedReason).toMatch(/names user modules \(\.\/rule\.ts\).*--allow-modules/);
    expect(worker.out).toContain(`failed ${a.id}`);
    await queue.close();
    client.disconnect();
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 60_000);
});

describe('mistakes', () => {
  it('a bad URL or an unreachable Redis is one line naming host:port, never the password', async () => {
    const [bad, closed] = await Promise.all([
      run(['worker', '--queue', 'http://u:hunter2@127.0.0.1:1']),
      run(['sweep', SWEEP, '--queue', 'redis://u:hunter2@127.0.0.1:1/0', '--out', join(dir, 'nowhere')], { BYZSIM_QUEUE_CONNECT_TIMEOUT_MS: '2000' }),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('the scheme must be redis:// or rediss://');
    expect(closed.code).toBe(2);
    expect(closed.out).toContain('cannot reach Redis at 127.0.0.1:1');
    for (const r of [bad, closed]) {
      expect(r.out).not.toContain('hunter2');
      expect(r.out).not.toMatch(/\n\s+at /);
    }
  }, 30_000);
});
