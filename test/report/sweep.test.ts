/** The sweep's aggregations and the new spec builders, on small hand-made inputs with known answers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bandOverSeeds,
  groupConfigurations,
  heterogeneityKey,
  readSweepFile,
  ruleName,
  splitAggregator,
  timelineRunOf,
  worstCaseOverAttacks,
  type RunPoint,
} from '../../src/report/sweep.ts';
import { bandSpec, heatmapSpec } from '../../src/report/sweep-specs.ts';
import { byzantineShareSpec, drawsSpec, runCurveSpec, troubleSpec } from '../../src/report/run-specs.ts';
import { buildTimeline } from '../../src/report/trace-scan.ts';
import { flattenScenario, readMetrics } from '../../src/report/run-report.ts';
import type { RoundMetrics } from '../../src/report/specs.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';
import { samplePerRound } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-sweep-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const h = (...accuracies: number[]): RoundMetrics[] => accuracies.map((accuracy, i) => ({ round: i + 1, accuracy, loss: 1 - accuracy }));

function point(id: string, config: Record<string, string | number>, seed: number, final: number, diverged = false): RunPoint {
  return { id, config, seed, history: h(final), final: { accuracy: final, loss: 1 - final }, diverged };
}

describe('the aggregator spec', () => {
  it('splits at the last " > ": the rule after it, the pre-aggregation before it (none without)', () => {
    expect(splitAggregator('nnm > bucketing(s=2) > krum')).toEqual({ pre: 'nnm > bucketing(s=2)', rule: 'krum' });
    expect(splitAggregator('cwtm')).toEqual({ pre: 'none', rule: 'cwtm' });
    expect(ruleName('clip > multikrum(m=3)')).toBe('multikrum');
  });

  it('finds the heterogeneity key among the data keys the grid varies', () => {
    expect(heterogeneityKey(['aggregator', 'data.dirichlet.alpha', 'byzantine.f'])).toBe('data.dirichlet.alpha');
    expect(heterogeneityKey(['aggregator', 'data.dataset'])).toBeUndefined();
  });
});

describe('the band over seeds', () => {
  it('is the mean and min–max over the seeds per round, a non-finite value counted apart', () => {
    const band = bandOverSeeds([h(0.2, 0.5), h(0.4, NaN), h(0.6, 0.7)], 'accuracy');
    expect(band[0].mean).toBeCloseTo(0.4);
    expect(band[0]).toMatchObject({ round: 1, lo: 0.2, hi: 0.6, seeds: 3, nonFinite: 0 });
    expect(band[1].mean).toBeCloseTo(0.6);
    expect(band[1]).toMatchObject({ lo: 0.5, hi: 0.7, seeds: 2, nonFinite: 1 });
    expect(bandOverSeeds([h(NaN)], 'accuracy')).toEqual([{ round: 1, mean: null, lo: null, hi: null, seeds: 0, nonFinite: 1 }]);
  });

  it('groups seeds by configuration, seeds ascending', () => {
    const groups = groupConfigurations([point('a', { aggregator: 'krum' }, 2, 0.5), point('b', { aggregator: 'cwtm' }, 1, 0.5), point('c', { aggregator: 'krum' }, 1, 0.5)], ['aggregator']);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.seed)])).toEqual([['agg=krum', [1, 2]], ['agg=cwtm', [1]]]);
  });
});

describe('the worst case over attacks', () => {
  const keys = ['aggregator', 'attack'];
  const points = [
    point('1', { aggregator: 'krum', attack: 'none' }, 1, 0.9),
    point('2', { aggregator: 'krum', attack: 'alie' }, 1, 0.6),
    point('3', { aggregator: 'krum', attack: 'alie' }, 2, 0.4),
    point('4', { aggregator: 'krum', attack: 'ipm' }, 1, 0.55),
    point('5', { aggregator: 'cwtm', attack: 'none' }, 1, 0.1),
    point('6', { aggregator: 'cwtm', attack: 'ipm' }, 1, NaN, true),
  ];
  const cases = worstCaseOverAttacks(points, keys, (p) => String(p.config.attack));

  it('is the lowest mean over seeds among the attacks, the baseline excluded', () => {
    const krum = cases.find((c) => c.group.aggregator === 'krum')!;
    expect(krum.worst).toBeCloseTo(0.5);
    expect(krum.attack).toBe('alie');
    expect(krum.outcomes.map((o) => [o.attack, o.seeds])).toEqual([['none', 1], ['alie', 2], ['ipm', 1]]);
  });

  it('counts a diverged run with a non-finite accuracy as 0', () => {
    const cwtm = cases.find((c) => c.group.aggregator === 'cwtm')!;
    expect(cwtm).toMatchObject({ worst: 0, attack: 'ipm' });
    expect(cwtm.outcomes.find((o) => o.attack === 'ipm')!.diverged).toBe(1);
  });

  it('is the one attack’s outcome when the grid varies none', () => {
    const single = worstCaseOverAttacks([point('1', { aggregator: 'krum' }, 1, 0.7)], ['aggregator'], () => 'alie');
    expect(single).toEqual([expect.objectContaining({ worst: 0.7, attack: 'alie', label: 'agg=krum' })]);
  });

  it('draws as a heatmap cell per rule and pre-aggregation, panelled by a third key', () => {
    const spec = heatmapSpec([{ row: 'krum', column: 'nnm', value: 0.5, note: 'alie', panel: 'f=1' }], { row: 'rule', column: 'pre-aggregation', panel: 'f' }, { title: 'T' }) as any;
    expect(spec.facet.field).toBe('panel');
    expect(spec.spec.layer[0].encoding.color.scale.domain).toEqual([0, 1]);
    expect(spec.data.values).toEqual([{ row: 'krum', column: 'nnm', value: 0.5, note: 'alie', panel: 'f=1' }]);
    expect((heatmapSpec([{ row: 'a', column: 'b', value: 1, note: '' }], { row: 'r', column: 'c' }, { title: 'T' }) as any).facet).toBeUndefined();
  });
});

describe('the band spec', () => {
  it('panels by attack when the grid varies attacks, the baseline dashed', () => {
    const points = bandOverSeeds([h(0.5)], 'accuracy');
    const spec = bandSpec([{ label: 'agg=krum', attack: 'alie', points }, { label: 'agg=krum', attack: 'alie', baseline: true, points }], 'accuracy') as any;
    expect(spec.facet).toMatchObject({ field: 'attack', sort: ['alie'] });
    expect(spec.data.values.map((v: any) => v.kind)).toEqual(['under attack', 'no attack (baseline)']);
    expect((bandSpec([{ label: 'x', points }], 'loss') as any).layer).toHaveLength(3);
  });
});

describe('a run’s diagnostics', () => {
  it('mark a diverged run on its curves: a red rule at non-finite values and where it diverged', () => {
    const spec = runCurveSpec('loss', [{ round: 1, accuracy: 0.5, loss: 1, trainLoss: 0.9 }, { round: 2, accuracy: 0.1, loss: Infinity }], { divergedFrom: 2 }) as any;
    expect(spec.layer).toHaveLength(3);
    expect(spec.layer[1].data.values).toEqual([{ round: 2, why: 'loss not finite' }, { round: 2, why: 'diverged' }]);
    expect(spec.layer[0].data.values.filter((v: any) => v.series === 'training (sample)')).toHaveLength(1);
    const calm = runCurveSpec('accuracy', h(0.1, 0.2), { baselines: [{ label: 'no attack (seed 1)', history: h(0.3, 0.4) }] }) as any;
    expect(calm.layer).toHaveLength(1);
    expect(calm.layer[0].encoding.color.scale.domain).toEqual(['this run', 'no attack (seed 1)']);
  });

  it('give the Byzantine share of the selection and of the Byzantine inputs selected', () => {
    // samplePerRound: worker 5 Byzantine from round 3, selected alone in rounds 3 and 4, worker r % 5 in round 5, none in 6.
    const values = (byzantineShareSpec(samplePerRound()) as any).data.values;
    expect(values).toEqual([
      { round: 3, share: 1, of: 'selection that is Byzantine' },
      { round: 3, share: 1, of: 'Byzantine inputs selected' },
      { round: 4, share: 1, of: 'selection that is Byzantine' },
      { round: 4, share: 1, of: 'Byzantine inputs selected' },
      { round: 5, share: 0, of: 'selection that is Byzantine' },
      { round: 5, share: 0, of: 'Byzantine inputs selected' },
    ]);
  });

  it('count MixTailor’s draws per member and what went wrong per round', () => {
    const draws = (drawsSpec([{ round: 1, rule: 'krum' }, { round: 2, rule: 'cwtm' }, { round: 3, rule: 'krum' }]) as any).data.values;
    expect(draws).toEqual([{ rule: 'krum', rounds: 2 }, { rule: 'cwtm', rounds: 1 }]);
    const trouble = (troubleSpec([{ round: 4, dropped: 2, late: 1, duplicate: 0, malformed: 0, timeout: 1, skipped: 0, refused: 0 }]) as any).data.values;
    expect(trouble).toEqual([
      { round: 4, what: 'gradients dropped', count: 2 },
      { round: 4, what: 'gradients late', count: 1 },
      { round: 4, what: 'ended by timeout', count: 1 },
    ]);
  });
});

describe('the event timeline of a round', () => {
  const ev = (t: number, kind: string, rest: Partial<TraceEvent>): TraceEvent => ({ t, seq: 0, kind, round: 3, ...rest });
  const events = [
    ev(0, 'corrupt', { from: 'adversary', to: 'worker/2' }),
    ...[0, 1, 2, 3].map((w) => ev(0, 'send', { from: 'server', to: `worker/${w}`, msg: 'model', id: w })),
    ...[0, 1, 2, 3].map((w) => ev(1 + w, 'deliver', { from: 'server', to: `worker/${w}`, msg: 'model', id: w })),
    ...[0, 1, 2, 3].map((w) => ev(10 + w, 'send', { from: `worker/${w}`, to: 'server', msg: 'gradient', id: 10 + w })),
    ev(12, 'drop', { from: 'worker/1', to: 'server', msg: 'gradient', id: 11 }),
    ev(15, 'deliver', { from: 'worker/0', to: 'server', msg: 'gradient', id: 10 }),
    ev(16, 'deliver', { from: 'worker/2', to: 'server', msg: 'gradient', id: 12 }),
    ev(20, 'aggregate', { from: 'server', data: { reason: 'timeout', received: [0, 2], diagnostics: { selected: [0] } } }),
    ev(25, 'deliver', { from: 'worker/3', to: 'server', msg: 'gradient', id: 13 }),
    ev(25, 'ignore', { from: 'worker/3', to: 'server', data: { reason: 'stale', current: 4 } }),
  ];

  it('says who sent when, who was Byzantine, dropped or late, and which inputs the rule kept', () => {
    const t = buildTimeline(3, events, 4);
    expect(t).toMatchObject({ round: 3, closedAt: 20, reason: 'timeout', skipped: false, selects: true });
    expect(t.rows.map((r) => [r.worker, r.byzantine, r.modelSent, r.modelArrived])).toEqual([[0, false, 0, 1], [1, false, 0, 2], [2, true, 0, 3], [3, false, 0, 4]]);
    expect(t.rows.map((r) => r.gradients)).toEqual([
      [{ sent: 10, arrived: 15, status: 'kept by the rule' }],
      [{ sent: 11, status: 'dropped' }],
      [{ sent: 12, arrived: 16, status: 'received, not kept' }],
      [{ sent: 13, arrived: 25, status: 'late' }],
    ]);
  });
});

describe('reading a run and a sweep', () => {
  it('reads metrics.json’s non-finite numbers back, and names a file that is not one', () => {
    const path = join(dir, 'metrics.json');
    writeFileSync(path, JSON.stringify({ name: 'NaN', history: [{ round: 1, accuracy: 0.1, loss: 'Infinity' }], perRound: { round: [1] }, counts: {} }));
    const m = readMetrics(path);
    expect(m.history[0].loss).toBe(Infinity);
    expect(m.name).toBe('NaN');
    writeFileSync(path, '{"history": 1}');
    expect(() => readMetrics(path)).toThrow(`${path}: not a byzsim metrics.json`);
    expect(() => readMetrics(join(dir, 'nope.json'))).toThrow(/nope\.json: metrics\.json is missing/);
  });

  it('checks sweep.json against the contract, naming the field', () => {
    const path = join(dir, 'sweep.json');
    writeFileSync(path, JSON.stringify({ format: 2, name: 'x', keys: [], runs: [] }));
    expect(() => readSweepFile(path)).toThrow(`${path}: not a byzsim sweep.json: format must be 1 (got 2)`);
    writeFileSync(path, JSON.stringify({ format: 1, name: 'x', keys: [], runs: [{ id: 'zz', config: {}, seed: 1 }] }));
    expect(() => readSweepFile(path)).toThrow(/runs\[0\]\.id must be a hex id/);
    writeFileSync(path, '{');
    expect(() => readSweepFile(path)).toThrow(/sweep\.json: not valid JSON/);
  });

  it('shows the timeline of the first run under attack with f > 0', () => {
    expect(timelineRunOf([{ config: { attack: 'none' } }, { config: { attack: 'alie', 'byzantine.f': 0 } }, { config: { attack: 'alie', 'byzantine.f': 1 } }])).toBe(2);
    expect(timelineRunOf([{ config: { aggregator: 'krum' } }])).toBe(0);
  });

  it('flattens the scenario into dotted paths, keeping only the dataset’s own section', () => {
    const flat = flattenScenario({ seed: 1, data: { dataset: 'synthetic', synthetic: { classes: 10 }, mnist: { trainSize: 1 } }, network: { delay: { kind: 'uniform' } }, list: [1, 2] });
    expect(flat).toEqual({ seed: 1, 'data.dataset': 'synthetic', 'data.synthetic.classes': 10, 'network.delay.kind': 'uniform', list: '[1,2]' });
  });
});
