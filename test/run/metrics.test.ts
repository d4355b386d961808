/** The per-round learning metrics: computed beside the run from what it sends and aggregates, never changing its trace. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smallScenario, traceOf } from './fixtures.ts';
import { runToDirectory } from '../../src/run/output.ts';
import type { LearningTask } from '../../src/learning/task.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';

type Ev = { kind: string; from?: string; to?: string; round?: number; msg?: string; data?: Record<string, unknown> };

const worker = (address: string | undefined): number => Number(address!.slice('worker/'.length));

/**
 * Runs `overrides` and pairs every honest gradient the task computed with the
 * round of the `send` that carried it: an honest worker sends each gradient
 * as soon as it is computed, so the k-th computed is the k-th honest send.
 */
async function withHonestGradients(overrides: Partial<ScenarioInput>) {
  const computed: { worker: number; g: Float32Array }[] = [];
  const sends: { worker: number; round: number }[] = [];
  const watch = (task: LearningTask): LearningTask => ({
    ...task,
    gradient: (theta, w, rng, labels) => {
      const g = task.gradient(theta, w, rng, labels);
      computed.push({ worker: w, g });
      return g;
    },
  });
  const corrupt = new Map<number, Set<number>>();
  const sink = (_l: string, e: TraceEvent) => {
    if (e.kind === 'corrupt') corrupt.set(e.round!, (corrupt.get(e.round!) ?? new Set()).add(worker(e.to)));
    if (e.kind === 'send' && e.msg === 'gradient' && !corrupt.get(e.round!)?.has(worker(e.from))) sends.push({ worker: worker(e.from), round: e.round! });
  };
  const run = await traceOf(smallScenario(overrides), { instrument: { task: watch }, sinks: [sink] });
  expect(sends.map((s) => s.worker)).toEqual(computed.map((c) => c.worker));
  const byRound = new Map<number, Float32Array[]>();
  sends.forEach((s, k) => byRound.set(s.round, [...(byRound.get(s.round) ?? []), computed[k].g]));
  return { ...run, byRound };
}

function meanOf(vs: readonly Float32Array[]): Float64Array {
  const m = new Float64Array(vs[0].length);
  for (const v of vs) for (let j = 0; j < m.length; j++) m[j] += v[j] / vs.length;
  return m;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

describe('per-round metrics', () => {
  it('record the honest gradients’ mean norm and variance, as computed from the gradients the honest workers sent', async () => {
    const { result, byRound } = await withHonestGradients({ workers: 7, byzantine: { f: 2, schedule: 'static' }, aggregator: 'cwtm', attack: 'alie' });
    const m = result.perRound!;
    expect(m.round).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [i, r] of m.round.entries()) {
      const honest = byRound.get(r)!;
      expect(m.honestCount[i]).toBe(5);
      const mu = meanOf(honest);
      const variance = honest.reduce((s, g) => s + norm(Array.from(g, (x, j) => x - mu[j])) ** 2, 0) / honest.length;
      expect(m.honestNorm[i]).toBeCloseTo(norm(mu), 10);
      expect(Math.abs(m.honestVariance[i]! - variance)).toBeLessThan(1e-9 * variance);
      expect(m.honestVariance[i]).toBeGreaterThan(0);
    }
  });

  it('the static schedule’s Byzantine set is the last f workers in every round', async () => {
    const { result } = await traceOf(smallScenario({ workers: 7, byzantine: { f: 2, schedule: 'static' } }));
    expect(result.perRound!.byzantine).toEqual(Array.from({ length: 8 }, () => [5, 6]));
  });

  it('a rotating schedule’s Byzantine sets are those of the trace’s corrupt events', async () => {
    const { result, events } = await traceOf(smallScenario({ workers: 7, byzantine: { f: 2, schedule: 'rotating' } }));
    const corrupt = (events as Ev[]).filter((e) => e.kind === 'corrupt');
    const expected = result.perRound!.round.map((r) => corrupt.filter((e) => e.round === r).map((e) => worker(e.to)).sort((a, b) => a - b));
    expect(result.perRound!.byzantine).toEqual(expected);
    expect(new Set(result.perRound!.byzantine.map((b) => b.join())).size).toBeGreaterThan(1);
  });

  it('the mean with f = 0 aggregates exactly the honest mean: distance 0 and cosine 1, within float32 rounding', async () => {
    const { result } = await traceOf(smallScenario({ workers: 6, byzantine: { f: 0 }, aggregator: 'mean', attack: 'none' }));
    const m = result.perRound!;
    expect(m.round).toHaveLength(8);
    for (let i = 0; i < m.round.length; i++) {
      expect(m.honestCount[i]).toBe(6);
      expect(m.aggregateDistance[i]!).toBeLessThan(1e-6 * m.honestNorm[i]!);
      expect(m.aggregateCosine[i]!).toBeGreaterThan(1 - 1e-9);
      expect(m.byzantine[i]).toEqual([]);
      expect(m.selected[i]).toBeNull();
    }
  });

  it('under attack the aggregate moves away from the honest mean', async () => {
    const { result } = await traceOf(smallScenario({ workers: 7, byzantine: { f: 2 }, aggregator: 'mean', attack: 'gaussian' }));
    const m = result.perRound!;
    for (let i = 0; i < m.round.length; i++) {
      expect(m.aggregateDistance[i]!).toBeGreaterThan(0.1 * m.honestNorm[i]!);
      expect(m.aggregateCosine[i]!).toBeLessThan(1 - 1e-3);
    }
  });

  it('Krum selects one input per round: its selections, by worker as the trace names them, sum to the rounds', async () => {
    const { result, events } = await traceOf(smallScenario({ rounds: 10, workers: 9, byzantine: { f: 2, schedule: 'static' }, aggregator: 'krum', attack: 'alie' }));
    const m = result.perRound!;
    expect(m.selected.every((s) => s !== null && s.length === 1)).toBe(true);
    const histogram = new Array<number>(9).fill(0);
    for (const s of m.selected) for (const w of s!) histogram[w]++;
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(10);
    const traced = (events as Ev[]).filter((e) => e.kind === 'aggregate').map((e) => (e.data!.diagnostics as { selected: number[] }).selected);
    expect(m.selected).toEqual(traced);
  });

  it('count the honest gradients sent before the round ended, also those the network dropped', async () => {
    const { result, events } = await traceOf(
      smallScenario({ rounds: 12, workers: 7, byzantine: { f: 2 }, network: { drop: 0.3 }, server: { timeout: 100 }, aggregator: 'cwtm', attack: 'alie' }),
    );
    // Workers 5 and 6 are Byzantine (static): count the others' gradient sends of each round until its aggregate.
    const sent = new Map<number, number>();
    const ended = new Set<number>();
    let droppedHonest = 0;
    for (const e of events as Ev[]) {
      if (e.kind === 'aggregate' || e.kind === 'aggregate-skipped') ended.add(e.round!);
      const honest = e.msg === 'gradient' && worker(e.from) < 5;
      if (honest && e.kind === 'send' && !ended.has(e.round!)) sent.set(e.round!, (sent.get(e.round!) ?? 0) + 1);
      if (honest && e.kind === 'drop') droppedHonest++;
    }
    expect(droppedHonest).toBeGreaterThan(0);
    expect(result.perRound!.honestCount).toEqual(result.perRound!.round.map((r) => sent.get(r) ?? 0));
  });

  it('a skipped round has honest statistics but no aggregate to compare', async () => {
    // With missing: drop and a heavy drop rate, some rounds hand krum fewer inputs than it requires.
    const { result } = await traceOf(
      smallScenario({ rounds: 12, workers: 7, byzantine: { f: 1 }, network: { drop: 0.6 }, server: { timeout: 100, missing: 'drop' }, aggregator: 'krum', attack: 'alie' }),
    );
    const m = result.perRound!;
    expect(result.counts.skipped).toBeGreaterThan(0);
    const skipped = m.round.map((_, i) => i).filter((i) => m.aggregateDistance[i] === null);
    expect(skipped).toHaveLength(result.counts.skipped);
    for (const i of skipped) {
      expect(m.aggregateCosine[i]).toBeNull();
      expect(m.selected[i]).toBeNull();
      expect(m.honestNorm[i]).toBeGreaterThan(0);
    }
    expect(m.round).toHaveLength(12);
  });

  it('leave the trace and its hash unchanged: the same lines with the collector on and off', async () => {
    const s = smallScenario({ workers: 7, byzantine: { f: 2, schedule: 'random' }, aggregator: 'krum', attack: 'alie', network: { drop: 0.1, duplicate: 0.1 } });
    const on = await traceOf(s);
    const off = await traceOf(s, { metrics: false });
    expect(off.result.perRound).toBeUndefined();
    expect(on.result.perRound!.round).toHaveLength(8);
    expect(on.result.traceHash).toBe(off.result.traceHash);
    expect(on.lines).toEqual(off.lines);
  });

  it('are written to metrics.json as perRound columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-metrics-'));
    try {
      const s = smallScenario({ workers: 9, byzantine: { f: 2 }, aggregator: 'krum', attack: 'alie', output: { dir, trace: 'off' } });
      const written = await runToDirectory(s, 'ts');
      const json = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(Object.keys(json.perRound)).toEqual(['round', 'honestCount', 'honestNorm', 'honestVariance', 'aggregateDistance', 'aggregateCosine', 'byzantine', 'selected', 'vn', 'vnDp', 'vnHolds']);
      // Krum's bound 1/√(2η(n, f)) (Blanchard et al., the DP paper's list), η(9, 2) = 7 + (2·5 + 4·6)/3.
      expect(json.vnCondition.bound).toBeCloseTo(1 / Math.sqrt(2 * (7 + 34 / 3)), 12);
      expect(json.vnCondition.measured).toBe(8);
      expect(json.perRound.vn).toEqual(json.perRound.vnDp);
      expect(json.perRound.round).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(json.perRound.byzantine[0]).toEqual([7, 8]);
      expect(json.perRound).toEqual(JSON.parse(JSON.stringify(written.perRound)));
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('Honest gradients');
      expect(html).toContain('Selections per worker');
      expect(html).toContain('VN-ratio condition');
      expect(html).not.toContain('Privacy spent');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
