/**
 * The training set is split among the honest workers (the papers' and
 * ByzFL's setting): with a static Byzantine set and a label-sorted split,
 * every class reaches an honest worker; a Byzantine worker holds nothing
 * unless data.byzantine says otherwise; `byzsim data` prints it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallScenario, traceOf } from './fixtures.ts';
import { scenarioSplit } from '../../src/run/task.ts';
import { createStreams } from '../../src/sim/rng.ts';
import { labelCounts } from '../../src/learning/build.ts';
import { dataCommand } from '../../src/cli/data.ts';
import { errorsOf, yaml } from '../scenario/helpers.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';

afterEach(() => vi.restoreAllMocks());

const sorted = (overrides: Parameters<typeof smallScenario>[0] = {}) =>
  smallScenario({ workers: 6, byzantine: { f: 2, schedule: 'static' }, data: { dataset: 'synthetic', partition: 'extreme', batchSize: 8, synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } }, ...overrides });

describe('the data split', () => {
  it('static f = 2 of 6, sorted by label: the 4 honest workers hold all 600 examples and all 4 classes; workers 4 and 5 nothing', () => {
    const s = sorted();
    const { data, own, plan } = scenarioSplit(s, createStreams(s.seed));
    expect(plan.shards).toBe(4);
    expect(own.slice(0, 4).reduce((a, x) => a + x!.length, 0)).toBe(600);
    expect(own.slice(4)).toEqual([undefined, undefined]);
    const counts = labelCounts(own, data.trainY, 4);
    const honestClasses = new Set(counts.slice(0, 4).flatMap((c) => c.flatMap((k, y) => (k > 0 ? [y] : []))));
    expect([...honestClasses].sort()).toEqual([0, 1, 2, 3]);
    expect(counts.slice(4)).toEqual([[0, 0, 0, 0], [0, 0, 0, 0]]);
  });

  it('data.byzantine: shards splits among all n (the split before honest-only became the default); a moving set always does', () => {
    const s = sorted({ data: { dataset: 'synthetic', partition: 'extreme', batchSize: 8, byzantine: 'shards', synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } } });
    expect(scenarioSplit(s, createStreams(s.seed)).plan.shards).toBe(6);
    const r = sorted({ byzantine: { f: 2, schedule: 'rotating' } });
    expect(scenarioSplit(r, createStreams(r.seed)).own.every((x) => x !== undefined && x.length === 100)).toBe(true);
  });

  it('a Byzantine worker with data.byzantine: all computes its own gradient on minibatches from the whole training set', async () => {
    const asked: { w: number; forAdversary?: boolean }[] = [];
    const s = sorted({ attack: 'bitflip', data: { dataset: 'synthetic', partition: 'extreme', batchSize: 8, byzantine: 'all', synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } } });
    const { result } = await traceOf(s, {
      instrument: { task: (t) => ({ ...t, gradient: (theta, w, rng, labels, forAdversary) => (asked.push({ w, forAdversary }), t.gradient(theta, w, rng, labels, forAdversary)) }) },
    });
    expect(result.rounds).toBe(8);
    expect(asked.filter((a) => a.w >= 4).every((a) => a.forAdversary === true)).toBe(true);
    expect(asked.filter((a) => a.w >= 4).length).toBe(2 * 8);
  });

  it('validation: an attack that needs its workers’ own data, with data.byzantine: none under a static set, is refused naming both', () => {
    const errors = errorsOf(yaml('workers: 6', 'byzantine: { f: 2 }', 'attack: bitflip'));
    expect(errors.join('\n')).toMatch(/attack: bitflip needs its workers' own data \(data\.byzantine: shards or all\); data\.byzantine is none/);
    expect(() => parseScenarioText(yaml('workers: 6', 'byzantine: { f: 2 }', 'attack: labelflip', 'data: { byzantine: shards }'), 'x.yaml')).not.toThrow();
    expect(() => parseScenarioText(yaml('workers: 6', 'byzantine: { f: 2, schedule: rotating }', 'attack: bitflip'), 'x.yaml')).not.toThrow();
  });

  it('byzsim data prints each worker’s shard and label histogram', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-data-'));
    const file = join(dir, 's.yaml');
    writeFileSync(file, yaml('name: d', 'workers: 6', 'byzantine: { f: 2 }', 'attack: alie', 'data: { partition: extreme, batchSize: 8, synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } }'));
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    expect(await dataCommand(file, {})).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/600 training examples split by extreme into 4 shards over n=6 workers/);
    expect(text).toMatch(/^ +0 +shard 0 +150 +150 +0 +0 +0$/m);
    expect(text).toMatch(/^ +5 +nothing +0 +0 +0 +0 +0$/m);
    out.length = 0;
    expect(await dataCommand(file, { json: true })).toBe(0);
    const json = JSON.parse(out.join('\n'));
    expect(json.workers).toHaveLength(6);
    expect(json.workers[3].labels).toEqual([0, 0, 0, 150]);
  });
});

describe('the data split without an attack', () => {
  it('attack: none has no adversary, so every worker is honest and holds a shard, static f or not (a swarm finding)', async () => {
    const s = sorted({ attack: 'none' });
    expect(scenarioSplit(s, createStreams(s.seed)).plan.shards).toBe(6);
    const { result } = await traceOf(s);
    expect(result.rounds).toBe(8);
  });
});

describe('the training loss', () => {
  it('is measured at each evaluation on a fixed sample of the honest data, falls as the model learns, and is absent with eval.trainSize: 0', async () => {
    const s = smallScenario({ rounds: 12, byzantine: { f: 0 }, attack: 'none', aggregator: 'mean', eval: { every: 4, trainSize: 200 } });
    const { result, events } = await traceOf(s);
    const evals = (events as { kind: string; data?: { trainLoss?: number } }[]).filter((e) => e.kind === 'eval');
    expect(evals.every((e) => Number.isFinite(e.data!.trainLoss))).toBe(true);
    const losses = result.history.map((h) => h.trainLoss!);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    // The same draw in another run of the same scenario.
    expect((await traceOf(s)).result.history.map((h) => h.trainLoss)).toEqual(losses);
    const off = await traceOf(smallScenario({ rounds: 12, byzantine: { f: 0 }, attack: 'none', aggregator: 'mean', eval: { every: 4, trainSize: 0 } }));
    expect(off.result.history.every((h) => h.trainLoss === undefined)).toBe(true);
    // Measuring it changes nothing else the run does.
    expect(off.result.history.map((h) => h.accuracy)).toEqual(result.history.map((h) => h.accuracy));
  });
});
