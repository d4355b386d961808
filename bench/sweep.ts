/**
 * `npm run bench:sweep [-- --quick]`: a small synthetic sweep's throughput, in runs per minute,
 * on this machine's threads (`byzsim sweep --jobs N`) and on a Redis queue with N `byzsim worker`
 * processes (submit, workers, `--watch` until done; results kept in Redis), for N = 1, 2, 4, with
 * their ratio; each timed from the command's start to its end, start-up included, on a fresh
 * redis-server (Debian's). Then the peak RSS of a local `--jobs 2` sweep on MNIST (logistic
 * regression, a few rounds: the threads share one copy of the dataset), read from /proc (VmHWM).
 * Prints markdown tables. --quick: fewer runs and rounds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '../test/helpers/redis-server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'byzsim.js');
const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'byzsim-bench-sweep-'));
const env = { ...process.env, CI: 'true', BYZSIM_QUEUE_POLL_MS: '200' };

const rounds = quick ? 30 : 400;
const seeds = quick ? 2 : 4;
writeFileSync(
  join(dir, 'base.yaml'),
  `name: bench\nseed: 1\nrounds: ${rounds}\nworkers: 7\nbyzantine: { f: 1 }\ndata: { dataset: synthetic, partition: iid, batchSize: 16 }\n` +
    `optimizer: { lr: 0.1 }\naggregator: cwtm\nattack: alie\neval: { every: 10 }\n`,
);
const sweepFile = join(dir, 'bench.yaml');
writeFileSync(sweepFile, `name: bench-sweep\nbase: base.yaml\ngrid:\n  aggregator: [cwtm, krum, cwmed]\n  attack: [none, alie]\nseeds: ${seeds}\n`);
const runs = 6 * seeds;

interface Exited {
  code: number;
  seconds: number;
  peakKiB: number;
  out: string;
}

/** Runs the CLI; its peak RSS is VmHWM from /proc, sampled until it exits (threads share the process). */
function cli(args: string[]): Promise<Exited> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  let peakKiB = 0;
  const sample = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // gone
    }
  }, 50);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearInterval(sample);
      resolve({ code: code ?? 1, seconds: (performance.now() - started) / 1000, peakKiB, out });
    });
  });
}

function check(r: Exited, what: string): Exited {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.out}`);
  return r;
}

async function local(jobs: number): Promise<number> {
  const out = join(dir, `local-${jobs}`);
  return check(await cli(['sweep', sweepFile, '--out', out, '--jobs', String(jobs)]), `sweep --jobs ${jobs}`).seconds;
}

async function queued(workers: number, url: string): Promise<number> {
  const started = performance.now();
  const procs = Array.from({ length: workers }, () => spawn(process.execPath, [bin, 'worker', '--queue', url], { cwd: root, env, stdio: 'ignore' }));
  try {
    check(await cli(['sweep', sweepFile, '--queue', url, '--out', join(dir, `queued-${workers}`), '--watch']), `sweep --queue --watch (${workers} workers)`);
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => (p.exitCode !== null ? resolve() : (p.once('exit', () => resolve()), p.kill('SIGTERM'))))));
  }
}

const redis = await startRedisServer();
try {
  console.log(`sweep: ${runs} synthetic runs of ${rounds} rounds; ${availableParallelism()} cores${quick ? ' (--quick)' : ''}\n`);
  console.log('| processes | local --jobs N, runs/min | queue, N workers, runs/min | queue / local |\n|---:|---:|---:|---:|');
  for (const [i, n] of [1, 2, 4].entries()) {
    const l = await local(n);
    const q = await queued(n, redis.url(i + 1));
    const perMin = (s: number) => (runs / s) * 60;
    console.log(`| ${n} | ${perMin(l).toFixed(1)} | ${perMin(q).toFixed(1)} | ${(perMin(q) / perMin(l)).toFixed(2)} |`);
  }

  const mnistRounds = quick ? 2 : 5;
  writeFileSync(
    join(dir, 'mnist-base.yaml'),
    `name: mnist\nseed: 1\nrounds: ${mnistRounds}\nworkers: 10\nbyzantine: { f: 2 }\ndata: { dataset: mnist, partition: iid, batchSize: 32 }\n` +
      `optimizer: { lr: 0.5 }\nmodel: logreg\naggregator: cwmed\nattack: signflip\neval: { every: ${mnistRounds} }\n`,
  );
  const mnistFile = join(dir, 'mnist.yaml');
  writeFileSync(mnistFile, `name: mnist-sweep\nbase: mnist-base.yaml\ngrid:\n  aggregator: [cwmed, cwtm]\nseeds: 2\n`);
  const one = check(await cli(['run', join(dir, 'mnist-base.yaml'), '--out', join(dir, 'mnist-one'), '--force']), 'run mnist');
  const sweep = check(await cli(['sweep', mnistFile, '--out', join(dir, 'mnist-out'), '--jobs', '2']), 'sweep mnist --jobs 2');
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  console.log(`\n| MNIST logreg, ${mnistRounds} rounds | peak RSS (MiB) | wall s |\n|---|---:|---:|`);
  console.log(`| byzsim run (one run) | ${mib(one.peakKiB)} | ${one.seconds.toFixed(1)} |`);
  console.log(`| byzsim sweep --jobs 2 (4 runs) | ${mib(sweep.peakKiB)} | ${sweep.seconds.toFixed(1)} |`);
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
