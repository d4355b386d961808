/**
 * Vega-Lite specs of one run's robustness diagnostics: its curves against the
 * sweep's baselines with divergence marked, the Byzantine share of the rule's
 * selections, MixTailor's draws, and what went wrong round by round.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, finiteOrNull, pointMark, roundAxis, type ChartOptions, type LabelledRun, type Metric, type PerRoundSeries, type RoundMetrics } from './specs.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

const AXIS: Record<Metric, { title: string; scale: object; format?: string }> = {
  accuracy: { title: 'test accuracy', scale: { domain: [0, 1] }, format: '.0%' },
  loss: { title: 'loss', scale: { zero: false, nice: true } },
};

export interface CurveContext {
  /** Runs to draw dashed behind this one (the sweep's no-attack or mean run of the same configuration). */
  baselines?: readonly LabelledRun[];
  /** The first round whose evaluation diverged (RunCounts.diverged.firstRound). */
  divergedFrom?: number;
}

/**
 * A metric per round, with the baselines dashed behind it, and a red rule at
 * every round whose value is not finite and where the model diverged: a
 * diverged run shows where and why its curve ends, not a line that just stops.
 * For the loss, the training loss (on a sample) is a second line when measured.
 */
export function runCurveSpec(metric: Metric, history: readonly RoundMetrics[], context: CurveContext = {}, opts: ChartOptions = {}): TopLevelSpec {
  type Row = { series: string; round: number; value: number | null; baseline: boolean };
  const own: Row[] = history.map((h) => ({ series: metric === 'loss' ? 'test' : 'this run', round: h.round, value: finiteOrNull(h[metric]), baseline: false }));
  if (metric === 'loss') {
    for (const h of history) if (typeof h.trainLoss === 'number') own.push({ series: 'training (sample)', round: h.round, value: finiteOrNull(h.trainLoss), baseline: false });
  }
  const baselines = (context.baselines ?? []).flatMap((b) => b.history.map((h) => ({ series: b.label, round: h.round, value: finiteOrNull(h[metric]), baseline: true })));
  const series = [...new Set([...own, ...baselines].map((r) => r.series))];
  const palette = ['#2563eb', '#dc2626', '#6b7280', '#059669', '#d97706', '#7c3aed'];
  const firstColour = metric === 'accuracy' ? '#2563eb' : '#dc2626';
  const range = series.map((_, i) => (i === 0 ? firstColour : palette[(i + (metric === 'loss' ? 0 : 1)) % palette.length]));
  const flagged = history.filter((h) => !Number.isFinite(h[metric])).map((h) => ({ round: h.round, why: `${metric} not finite` }));
  if (context.divergedFrom !== undefined) flagged.push({ round: context.divergedFrom, why: 'diverged' });
  const { title, scale, format } = AXIS[metric];
  const layers: object[] = [
    {
      data: { values: [...baselines, ...own] },
      mark: { type: 'line', point: pointMark(history.length) },
      encoding: {
        x: roundAxis(),
        y: { field: 'value', type: 'quantitative', title, scale, axis: format === undefined ? {} : { format } },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range }, sort: null },
        strokeDash: { field: 'baseline', type: 'nominal', scale: { domain: [false, true], range: [[1, 0], [6, 4]] }, legend: null },
      },
    },
  ];
  if (flagged.length > 0) {
    layers.push(
      {
        data: { values: flagged },
        mark: { type: 'rule', color: '#b91c1c', strokeWidth: 2, strokeDash: [2, 2] },
        encoding: { x: { field: 'round', type: 'quantitative' } },
      },
      {
        data: { values: flagged },
        mark: { type: 'text', color: '#b91c1c', align: 'left', baseline: 'top', dx: 4, y: 4, fontWeight: 600 },
        encoding: { x: { field: 'round', type: 'quantitative' }, text: { field: 'why' } },
      },
    );
  }
  return {
    $schema: SCHEMA,
    title: opts.title ?? (metric === 'accuracy' ? 'Test accuracy' : 'Test loss'),
    width: opts.width ?? 600,
    height: opts.height ?? 260,
    config: CONFIG,
    layer: layers,
  } as TopLevelSpec;
}

/** Whether some round both had Byzantine workers and a selection by the rule. */
export function hasByzantineSelections(series: PerRoundSeries): boolean {
  return series.selected.some((s, i) => s !== null && series.byzantine[i].length > 0);
}

/**
 * Per round, for a rule that selects: the share of the selection that is
 * Byzantine (|S ∩ B| / |S|) and the share of the Byzantine inputs the rule
 * kept (|S ∩ B| / |B|). A robust selection keeps both at zero.
 */
export function byzantineShareSpec(series: PerRoundSeries, opts: ChartOptions = {}): TopLevelSpec {
  const values = series.round.flatMap((round, i) => {
    const selected = series.selected[i];
    const byzantine = series.byzantine[i];
    if (selected === null || byzantine.length === 0) return [];
    const inBoth = selected.filter((w) => byzantine.includes(w)).length;
    return [
      { round, share: selected.length === 0 ? null : inBoth / selected.length, of: 'selection that is Byzantine' },
      { round, share: inBoth / byzantine.length, of: 'Byzantine inputs selected' },
    ];
  });
  return {
    $schema: SCHEMA,
    title: opts.title ?? 'Byzantine inputs in the rule’s selection',
    width: opts.width ?? 600,
    height: opts.height ?? 180,
    config: CONFIG,
    data: { values },
    mark: { type: 'line', point: pointMark(series.round.length) },
    encoding: {
      x: roundAxis(),
      y: { field: 'share', type: 'quantitative', title: 'share', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: { field: 'of', type: 'nominal', title: null, scale: { domain: ['selection that is Byzantine', 'Byzantine inputs selected'], range: ['#dc2626', '#d97706'] } },
    },
  };
}

/** MixTailor's draw in one round: the member rule that aggregated it. */
export interface Draw {
  round: number;
  rule: string;
}

/** How many rounds each member of MixTailor's pool was drawn. */
export function drawsSpec(draws: readonly Draw[], opts: ChartOptions = {}): TopLevelSpec {
  const counts = new Map<string, number>();
  for (const d of draws) counts.set(d.rule, (counts.get(d.rule) ?? 0) + 1);
  return {
    $schema: SCHEMA,
    title: opts.title ?? 'MixTailor’s draws',
    width: opts.width ?? 600,
    height: opts.height ?? Math.max(60, 22 * counts.size),
    config: CONFIG,
    data: { values: [...counts].map(([rule, rounds]) => ({ rule, rounds })) },
    mark: { type: 'bar', color: '#7c3aed' },
    encoding: {
      y: { field: 'rule', type: 'nominal', title: 'member rule', sort: null },
      x: { field: 'rounds', type: 'quantitative', title: 'rounds drawn', axis: { format: 'd', tickMinStep: 1 } },
    },
  };
}

/** What went wrong in one round, from the trace. */
export interface RoundTrouble {
  round: number;
  /** Gradients the network dropped. */
  dropped: number;
  /** Gradients that arrived after the server had closed their round. */
  late: number;
  duplicate: number;
  malformed: number;
  /** 1 when the round ended at the timeout. */
  timeout: number;
  /** 1 when the rule could not take the inputs that arrived. */
  skipped: number;
  /** 1 when the step was refused (θ kept finite). */
  refused: number;
}

export const TROUBLES: readonly { key: Exclude<keyof RoundTrouble, 'round'>; label: string; colour: string }[] = [
  { key: 'dropped', label: 'gradients dropped', colour: '#6b7280' },
  { key: 'late', label: 'gradients late', colour: '#d97706' },
  { key: 'duplicate', label: 'duplicates ignored', colour: '#a3a3a3' },
  { key: 'malformed', label: 'malformed ignored', colour: '#7c3aed' },
  { key: 'timeout', label: 'ended by timeout', colour: '#2563eb' },
  { key: 'skipped', label: 'round skipped', colour: '#b91c1c' },
  { key: 'refused', label: 'step refused', colour: '#7f1d1d' },
];

/** Per round, stacked: drops, late and ignored gradients, timeouts, skipped rounds, refused steps. */
export function troubleSpec(rounds: readonly RoundTrouble[], opts: ChartOptions = {}): TopLevelSpec {
  const values = rounds.flatMap((r) => TROUBLES.filter((t) => r[t.key] > 0).map((t) => ({ round: r.round, what: t.label, count: r[t.key] })));
  return {
    $schema: SCHEMA,
    title: opts.title ?? 'What went wrong, per round',
    width: opts.width ?? 600,
    height: opts.height ?? 180,
    config: CONFIG,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'round', type: 'ordinal', title: 'round', axis: { labelAngle: 0, labelOverlap: true } },
      y: { field: 'count', type: 'quantitative', title: 'count', stack: 'zero', axis: { format: 'd', tickMinStep: 1 } },
      color: { field: 'what', type: 'nominal', title: null, scale: { domain: TROUBLES.map((t) => t.label), range: TROUBLES.map((t) => t.colour) } },
    },
  };
}
