/**
 * Vega-Lite specs for a run's learning curves. Plain data: no rendering here,
 * so the same spec can go to `renderSvg`, to a notebook, or to the Vega editor.
 *
 * Non-finite metrics (a loss that diverged under attack) become null, which
 * Vega-Lite drops from the marks; an Infinity would otherwise stretch the axis
 * until every other point collapses onto it.
 */
import type { Config, TopLevelSpec } from 'vega-lite';

export interface RoundMetrics {
  round: number;
  accuracy: number;
  loss: number;
  /** Mean loss on a fixed sample of the training data, when measured. */
  trainLoss?: number;
}

export interface LabelledRun {
  label: string;
  history: readonly RoundMetrics[];
}

export type Metric = 'accuracy' | 'loss';

export interface ChartOptions {
  title?: string;
  width?: number;
  height?: number;
}

const METRIC_AXIS: Record<Metric, { title: string; scale: object; format?: string }> = {
  accuracy: { title: 'test accuracy', scale: { domain: [0, 1] }, format: '.0%' },
  loss: { title: 'test loss', scale: { zero: false, nice: true } },
};

const DEFAULT_TITLES: Record<Metric, string> = {
  accuracy: 'Test accuracy',
  loss: 'Test loss',
};

const CURVE_COLOURS: Record<Metric, string> = { accuracy: '#2563eb', loss: '#dc2626' };

/** A fixed y-axis gutter keeps the accuracy and loss plots aligned when stacked. */
export const CONFIG: Config = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: null },
  title: { anchor: 'start', fontSize: 14, fontWeight: 600, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: '#e5e7eb' },
  axisY: { minExtent: 44 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom', direction: 'horizontal' },
  line: { strokeWidth: 2 },
};

export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Points are drawn on every round, but shrink once they would merge into the line. */
export function pointMark(rounds: number, color?: string): { size: number; filled: boolean; color?: string } {
  const size = rounds > 100 ? 6 : rounds > 40 ? 14 : 30;
  return color === undefined ? { size, filled: true } : { size, filled: true, color };
}

export function roundAxis(): object {
  return { field: 'round', type: 'quantitative', title: 'round', axis: { format: 'd', tickMinStep: 1 } };
}

function metricAxis(metric: Metric): object {
  const { title, scale, format } = METRIC_AXIS[metric];
  return {
    field: metric,
    type: 'quantitative',
    title,
    scale,
    axis: format === undefined ? {} : { format },
  };
}

function rows(history: readonly RoundMetrics[], label?: string): object[] {
  return history.map((h) => ({
    ...(label === undefined ? {} : { label }),
    round: h.round,
    accuracy: finiteOrNull(h.accuracy),
    loss: finiteOrNull(h.loss),
  }));
}

function curveSpec(metric: Metric, history: readonly RoundMetrics[], opts: ChartOptions): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? DEFAULT_TITLES[metric],
    width: opts.width ?? 600,
    height: opts.height ?? 260,
    config: CONFIG,
    data: { values: rows(history) },
    mark: { type: 'line', color: CURVE_COLOURS[metric], point: pointMark(history.length, CURVE_COLOURS[metric]) },
    encoding: {
      x: roundAxis(),
      y: metricAxis(metric),
    },
  };
}

/** Test accuracy per round, y fixed to [0, 1] so runs are comparable at a glance. */
export function accuracySpec(history: readonly RoundMetrics[], opts: ChartOptions = {}): TopLevelSpec {
  return curveSpec('accuracy', history, opts);
}

/** Test loss per round; the y axis does not start at zero so small changes stay visible. */
export function lossSpec(history: readonly RoundMetrics[], opts: ChartOptions = {}): TopLevelSpec {
  // With a training loss (eval.trainSize > 0): test and training loss, two lines.
  const train = history.filter((h) => typeof h.trainLoss === 'number');
  if (train.length === 0) return curveSpec('loss', history, opts);
  return comparisonSpec(
    [
      { label: 'test', history },
      { label: 'training (sample)', history: train.map((h) => ({ ...h, loss: h.trainLoss! })) },
    ],
    'loss',
    opts,
  );
}

/**
 * One metric for several runs, one colour per label in the order given (so a
 * sweep keeps the same colour for the same run across charts). Labels must be
 * distinct: two runs sharing a label would be drawn as one zig-zagging line.
 */
export function comparisonSpec(
  runs: readonly LabelledRun[],
  metric: Metric = 'accuracy',
  opts: ChartOptions = {},
): TopLevelSpec {
  const labels = runs.map((r) => r.label);
  const seen = new Set<string>();
  for (const label of labels) {
    if (seen.has(label)) throw new Error(`comparisonSpec: duplicate run label "${label}"`);
    seen.add(label);
  }
  const longest = Math.max(0, ...runs.map((r) => r.history.length));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? DEFAULT_TITLES[metric],
    width: opts.width ?? 600,
    height: opts.height ?? 260,
    config: CONFIG,
    data: { values: runs.flatMap((r) => rows(r.history, r.label)) },
    mark: { type: 'line', point: pointMark(longest) },
    encoding: {
      x: roundAxis(),
      y: metricAxis(metric),
      color: { field: 'label', type: 'nominal', title: 'run', scale: { domain: labels }, sort: null },
    },
  };
}

/** A run's per-round metrics as the report draws them (the columns of metrics.json's `perRound`). */
export interface PerRoundSeries {
  readonly round: readonly number[];
  readonly honestNorm: readonly (number | null)[];
  readonly honestVariance: readonly (number | null)[];
  readonly aggregateDistance: readonly (number | null)[];
  readonly aggregateCosine: readonly (number | null)[];
  readonly byzantine: readonly (readonly number[])[];
  readonly selected: readonly (readonly number[] | null)[];
  /** The VN ratio of the honest gradients before noise (eq. 2), and with the DP noise's variance (eq. 8). */
  readonly vn?: readonly (number | null)[];
  readonly vnDp?: readonly (number | null)[];
}

/** Whether the series has VN ratios to draw. */
export function hasVn(series: PerRoundSeries): boolean {
  return (series.vnDp ?? []).some((v) => v !== null);
}

/**
 * The VN ratio per round against the rule's bound k_F(n, f) (the DP paper's
 * eq. 2 and eq. 8): a line per ratio on a log scale (they span decades), and
 * the bound as a horizontal rule when the rule has one. The eq. 8 line is
 * drawn only when DP noise makes it differ from eq. 2.
 */
export function vnSpec(series: PerRoundSeries, bound: number | null, opts: ChartOptions & { dp?: boolean } = {}): TopLevelSpec {
  const lines: { field: 'vn' | 'vnDp'; label: string }[] = [{ field: 'vn', label: 'gradients (eq. 2)' }];
  if (opts.dp) lines.push({ field: 'vnDp', label: 'with DP noise (eq. 8)' });
  const values = lines.flatMap(({ field, label }) =>
    series.round.flatMap((round, i) => {
      const v = series[field]?.[i];
      return v === null || v === undefined || !(v > 0) || !Number.isFinite(v) ? [] : [{ round, ratio: v, series: label }];
    }),
  );
  const labels = lines.map((l) => l.label);
  const layers: object[] = [
    {
      mark: { type: 'line', point: pointMark(series.round.length) },
      encoding: {
        x: roundAxis(),
        y: { field: 'ratio', type: 'quantitative', title: 'VN ratio √V / ‖ḡ‖', scale: { type: 'log' } },
        color: { field: 'series', type: 'nominal', title: 'VN ratio of', scale: { domain: [...labels, ...(bound !== null ? ['bound k_F(n, f)'] : [])], range: ['#2563eb', '#7c3aed', '#dc2626'] }, sort: null },
      },
    },
  ];
  if (bound !== null) {
    layers.push({
      data: { values: [{ bound, series: 'bound k_F(n, f)' }] },
      mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 2 },
      encoding: { y: { field: 'bound', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? 'VN ratio of the honest gradients against the rule’s bound',
    width: opts.width ?? 600,
    height: opts.height ?? 220,
    config: CONFIG,
    data: { values },
    layer: layers,
  } as TopLevelSpec;
}

interface Panel {
  field: keyof PerRoundSeries;
  title: string;
  color: string;
  scale?: object;
}

/** Stacked line panels sharing the round axis, one per metric. */
function panelsSpec(series: PerRoundSeries, title: string, panels: readonly Panel[], opts: ChartOptions): TopLevelSpec {
  const values = series.round.map((round, i) => {
    const row: Record<string, number | null> = { round };
    for (const p of panels) {
      const v = series[p.field]![i] as number | null;
      row[p.field] = v === null ? null : finiteOrNull(v);
    }
    return row;
  });
  const point = pointMark(series.round.length);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? title,
    config: CONFIG,
    data: { values },
    vconcat: panels.map((p, k) => ({
      width: opts.width ?? 600,
      height: opts.height ?? 140,
      mark: { type: 'line', color: p.color, point: { ...point, color: p.color } },
      encoding: {
        // The round axis is titled once, under the last panel.
        x: k === panels.length - 1 ? roundAxis() : { ...roundAxis(), title: null },
        y: { field: p.field, type: 'quantitative', title: p.title, ...(p.scale ? { scale: p.scale } : {}) },
      },
    })),
  } as TopLevelSpec;
}

/** The honest gradients sent each round: the norm of their mean, and their variance (mean squared distance to it). */
export function honestSpec(series: PerRoundSeries, opts: ChartOptions = {}): TopLevelSpec {
  return panelsSpec(series, 'Honest gradients', [
    { field: 'honestNorm', title: 'norm of the mean ‖ḡ‖', color: '#2563eb' },
    { field: 'honestVariance', title: 'variance σ²', color: '#7c3aed' },
  ], opts);
}

/** The aggregate against the honest mean each round: distance and cosine (y fixed to [−1, 1]). */
export function aggregateSpec(series: PerRoundSeries, opts: ChartOptions = {}): TopLevelSpec {
  return panelsSpec(series, 'Aggregate against the honest mean', [
    { field: 'aggregateDistance', title: 'distance ‖a − ḡ‖', color: '#dc2626' },
    { field: 'aggregateCosine', title: 'cosine', color: '#059669', scale: { domain: [-1, 1] } },
  ], opts);
}

/** Whether any round's rule reported a selection (a histogram of none says nothing). */
export function hasSelections(series: PerRoundSeries): boolean {
  return series.selected.some((s) => s !== null);
}

/**
 * How many rounds the rule selected each worker's input (Krum's selection
 * histogram, the resampling paper's Fig. 1a), each bar split by whether the
 * worker was Byzantine in the round it was selected.
 */
export function selectionSpec(series: PerRoundSeries, workers: number, opts: ChartOptions = {}): TopLevelSpec {
  const counts = Array.from({ length: workers }, () => ({ honest: 0, Byzantine: 0 }));
  series.selected.forEach((selected, i) => {
    for (const w of selected ?? []) {
      if (w >= 0 && w < workers) counts[w][series.byzantine[i].includes(w) ? 'Byzantine' : 'honest']++;
    }
  });
  const values = counts.flatMap((c, worker) => [
    { worker, role: 'honest', rounds: c.honest },
    { worker, role: 'Byzantine', rounds: c.Byzantine },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? 'Selections per worker',
    width: opts.width ?? 600,
    height: opts.height ?? 200,
    config: CONFIG,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'worker', type: 'ordinal', title: 'worker', sort: 'ascending', axis: { labelAngle: 0 } },
      y: { field: 'rounds', type: 'quantitative', title: 'rounds selected', stack: 'zero', axis: { format: 'd', tickMinStep: 1 } },
      color: {
        field: 'role',
        type: 'nominal',
        title: 'selected while',
        scale: { domain: ['honest', 'Byzantine'], range: ['#2563eb', '#dc2626'] },
      },
    },
  };
}

/** Each worker's training examples by label (`byzsim data`'s table): one stacked bar per worker, a colour per label. */
export function holdingsSpec(holdings: readonly (readonly number[])[], opts: ChartOptions = {}): TopLevelSpec {
  const values = holdings.flatMap((counts, worker) => counts.map((examples, label) => ({ worker, label: String(label), examples })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? 'Training examples per worker, by label',
    width: opts.width ?? 600,
    height: opts.height ?? 200,
    config: CONFIG,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'worker', type: 'ordinal', title: 'worker', sort: 'ascending', axis: { labelAngle: 0 } },
      y: { field: 'examples', type: 'quantitative', title: 'training examples', stack: 'zero' },
      color: { field: 'label', type: 'nominal', title: 'label' },
    },
  };
}
