import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { smallScenario, traceOf } from '../run/fixtures.ts';
import { createRng } from '../../src/sim/rng.ts';
import { ScenarioSchema, type ScenarioInput } from '../../src/scenario/schema.ts';
import type { LearningTask } from '../../src/learning/task.ts';
import type { RunOptions } from '../../src/run/run.ts';
import { goldenTable } from '../golden/golden.ts';
import { computeEntry } from '../golden/compute.ts';
import { cli } from '../helpers/cli.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

type Prefetches = { taken: number; withdrawn: number } | undefined;

/** The run's trace with `threads`, and what the task's prefetches did. */
async function traced(scenario: ReturnType<typeof smallScenario>, options: Partial<RunOptions>) {
  let task: (LearningTask & { prefetches?: Prefetches }) | undefined;
  const run = await traceOf(scenario, { ...options, instrument: { task: (t) => (task = t) } });
  return { ...run, prefetches: task!.prefetches };
}

/** Honest computations a newer θ abandoned: a worker took θ_r, honest in round r, and θ_r′ (r′ > r) reached it before it sent. */
function abandoned(events: { kind: string; from?: string; to?: string; round?: number; msg?: string }[]): number {
  const corrupted = new Set(events.filter((e) => e.kind === 'corrupt').map((e) => `${e.to}@${e.round}`));
  const computing = new Map<string, number>();
  const latest = new Map<string, number>();
  let count = 0;
  for (const e of events) {
    if (e.kind === 'deliver' && e.msg === 'model') {
      const w = e.to!;
      if (e.round! <= (latest.get(w) ?? 0)) continue;
      latest.set(w, e.round!);
      if (computing.has(w)) count++;
      computing.delete(w);
      if (!corrupted.has(`${w}@${e.round}`)) computing.set(w, e.round!);
    } else if (e.kind === 'send' && e.msg === 'gradient' && computing.get(e.from!) === e.round) computing.delete(e.from!);
  }
  return count;
}

const unreliable: Partial<ScenarioInput> = {
  rounds: 24,
  workers: 9,
  byzantine: { f: 2, schedule: 'random' },
  worker: { computeTime: { kind: 'lognormal', mu: 3, sigma: 1 } },
  network: { delay: { kind: 'lognormal', mu: 1, sigma: 0.5 }, drop: 0.05, duplicate: 0.1, ordering: 'random' },
  server: { quorum: 'n-f', timeout: 60, missing: 'drop' },
} as Partial<ScenarioInput>;

describe('honest gradients on threads (--threads)', () => {
  it("a stream's clone draws what the stream would draw next, and leaves it where it was", () => {
    const a = createRng(7, 'worker/3');
    a.next();
    const b = createRng(7, 'worker/3');
    b.next();
    const c = a.clone();
    const fromClone = Array.from({ length: 50 }, () => c.next());
    expect(Array.from({ length: 50 }, () => a.next())).toEqual(fromClone);
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(fromClone);
    expect(c.name).toBe('worker/3');
  });

  it('drops, duplicates, random ordering, a moving Byzantine set and abandoned computations: the same trace on 1 and 2 threads', async () => {
    const s = smallScenario(unreliable);
    const one = await traced(s, { threads: 1 });
    const two = await traced(s, { threads: 2, threadsFor: 'all' });
    expect(one.prefetches).toBeUndefined();
    expect(abandoned(one.events)).toBeGreaterThan(0);
    expect(two.lines).toEqual(one.lines);
    expect(two.result.traceHash).toBe(one.result.traceHash);
    // Both paths of the prefetch were taken: gradients from a thread, and predictions a run did not use.
    expect(two.prefetches!.taken).toBeGreaterThan(20);
    expect(two.prefetches!.withdrawn).toBeGreaterThan(0);
  });

  it.each([
    ['labelflip', { attack: 'labelflip', data: { dataset: 'synthetic', byzantine: 'shards', synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } } }],
    ['bitflip', { attack: 'bitflip', data: { dataset: 'synthetic', byzantine: 'all', synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } } }],
  ])('%s (workers computing for the adversary from their streams) with worker momentum: the same trace on 1 and 3 threads', async (_, over) => {
    const s = smallScenario({ ...unreliable, optimizer: { lr: 0.1, workerMomentum: 0.9 }, ...over } as Partial<ScenarioInput>);
    const one = await traced(s, { threads: 1 });
    const three = await traced(s, { threads: 3, threadsFor: 'all' });
    expect(three.lines).toEqual(one.lines);
    expect(three.prefetches!.taken).toBeGreaterThan(0);
  });

  it('DP-SGD (per-example clipping on the threads, noise on the main thread) with a moving Byzantine set: the same trace on 1 and 2 threads', async () => {
    const dp = { clip: 0.05, epsilon: 0.8, delta: 1e-5 };
    const s = smallScenario({ ...unreliable, dp } as Partial<ScenarioInput>);
    const one = await traced(s, { threads: 1 });
    const two = await traced(s, { threads: 2, threadsFor: 'all' });
    expect(two.lines).toEqual(one.lines);
    expect(two.prefetches!.taken).toBeGreaterThan(20);
    // Only some workers clip: a thread would compute every gradient alike, so none is used.
    const some = smallScenario({ ...unreliable, dp: { ...dp, workers: [0, 3] } } as Partial<ScenarioInput>);
    const subset = await traced(some, { threads: 2, threadsFor: 'all' });
    expect(subset.prefetches).toBeUndefined();
    expect(subset.result.traceHash).toBe((await traced(some, { threads: 1 })).result.traceHash);
  });

  it('an MLP on MNIST: the same trace on 1 and 2 threads', async () => {
    const s = ScenarioSchema.parse({
      name: 'mlp-threads',
      seed: 4,
      rounds: 5,
      workers: 7,
      byzantine: { f: 2, schedule: 'random' },
      data: { dataset: 'mnist', partition: 'dirichlet(alpha=0.5)', batchSize: 16, mnist: { trainSize: 2000, testSize: 200 } },
      model: 'mlp',
      optimizer: { lr: 0.1, workerMomentum: 0.9, weightDecay: 1e-4 },
      aggregator: 'nnm > cwtm',
      attack: 'alie',
      network: { delay: { kind: 'lognormal', mu: 0.5, sigma: 0.5 }, ordering: 'random' },
      worker: { computeTime: { kind: 'uniform', min: 5, max: 15 } },
      eval: { every: 5 },
    });
    const one = await traced(s, { threads: 1 });
    const two = await traced(s, { threads: 2, threadsFor: 'all' });
    expect(two.lines).toEqual(one.lines);
    expect(two.prefetches!.taken).toBeGreaterThan(0);
  });

  it('LeNet on tfjs wasm (the threads build the same tfjs kernels): the same trace on 1 and 2 threads', async () => {
    const { selectBackend } = await import('../../src/learning/backend.ts');
    await selectBackend('wasm');
    const s = ScenarioSchema.parse({
      name: 'cnn-threads',
      seed: 5,
      rounds: 2,
      workers: 5,
      byzantine: { f: 1, schedule: 'random' },
      data: { dataset: 'mnist', batchSize: 8, mnist: { trainSize: 500, testSize: 50 } },
      model: 'cnn-lenet',
      optimizer: { lr: 0.05, workerMomentum: 0.9 },
      aggregator: 'cwtm',
      attack: 'alie',
      network: { delay: { kind: 'lognormal', mu: 0.5, sigma: 0.5 }, ordering: 'random' },
      eval: { every: 2 },
    });
    const one = await traced(s, { backend: 'wasm', threads: 1 });
    // By default: a model only tfjs computes is the one the threads serve.
    const two = await traced(s, { backend: 'wasm', threads: 2 });
    expect(two.lines).toEqual(one.lines);
    expect(two.prefetches!.taken).toBeGreaterThan(0);
  });

  it.each(goldenTable().filter((e) => e.scenario.includes('mnist')).map((e) => [`${e.scenario} (${e.backend})`, e] as const))(
    'golden %s on 2 threads gives its hash',
    async (_, entry) => {
      expect(await computeEntry(entry, { threads: 2, threadsFor: 'all' })).toEqual(entry);
    },
  );

  it('byzsim\'s own TypeScript kernels stay on the main thread by default (threads serve tfjs kernels)', async () => {
    const { prefetches } = await traced(smallScenario({ rounds: 2 }), { threads: 2 });
    expect(prefetches).toBeUndefined();
  });

  it('byzsim run and replay take --threads; the hash does not depend on it; --threads 0 is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-threads-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'seed: 2\nrounds: 4\nworkers: 5\nbyzantine: { f: 1 }\ndata: { dataset: synthetic }\naggregator: cwmed\nattack: signflip\n');
    const hash = (out: string) => JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).traceHash as string;
    expect(cli(['run', file, '--out', join(dir, 'a'), '--threads', '1']).code).toBe(0);
    expect(cli(['run', file, '--out', join(dir, 'b'), '--threads', '2']).code).toBe(0);
    expect(hash(join(dir, 'b'))).toBe(hash(join(dir, 'a')));
    expect(cli(['replay', join(dir, 'a', 'trace.jsonl'), '--threads', '2']).code).toBe(0);
    const refused = cli(['run', file, '--out', join(dir, 'c'), '--threads', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--threads.*positive integer/);
  });
});
