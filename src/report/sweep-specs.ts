/**
 * Vega-Lite specs of a sweep: curves with a band over seeds, heatmaps of the
 * worst case over attacks (rule × pre-aggregation, as in the slides and
 * ByzFL's; f × heterogeneity per aggregator), Krum's selection histogram
 * summed over seeds, and the label histogram per worker.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, type Metric } from './specs.ts';
import type { BandPoint } from './sweep.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface Band {
  /** The configuration without its attack (one colour each). */
  label: string;
  /** The facet (the attack), when the grid varies attacks. */
  attack?: string;
  /** A baseline (attack 'none') drawn dashed into another attack's facet. */
  baseline?: boolean;
  points: readonly BandPoint[];
}

const AXIS: Record<Metric, { title: string; scale: object; format?: string }> = {
  accuracy: { title: 'test accuracy', scale: { domain: [0, 1] }, format: '.0%' },
  loss: { title: 'test loss', scale: { zero: false, nice: true } },
};

/**
 * Mean over seeds per round, with the min–max band of the seeds around it;
 * one colour per configuration, one panel per attack (the baseline, attack
 * none, dashed in each). Rounds where a seed's value is not finite get a red
 * tick: a diverged seed is marked, not silently left out of the band.
 */
export function bandSpec(bands: readonly Band[], metric: Metric, opts: { title?: string; width?: number; height?: number } = {}): TopLevelSpec {
  const faceted = bands.some((b) => b.attack !== undefined);
  const values = bands.flatMap((b) =>
    b.points.map((p) => ({ label: b.label, attack: b.attack ?? '', kind: b.baseline ? 'no attack (baseline)' : 'under attack', round: p.round, mean: p.mean, lo: p.lo, hi: p.hi, seeds: p.seeds, nonFinite: p.nonFinite })),
  );
  const labels = [...new Set(bands.map((b) => b.label))];
  const { title, scale, format } = AXIS[metric];
  const x = { field: 'round', type: 'quantitative', title: 'round', axis: { format: 'd', tickMinStep: 1 } };
  const color = { field: 'label', type: 'nominal', title: 'configuration', scale: { domain: labels }, sort: null, legend: { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 360 } };
  const layered = {
    width: opts.width ?? (faceted ? 280 : 600),
    height: opts.height ?? (faceted ? 180 : 260),
    layer: [
      {
        transform: [{ filter: 'datum.lo !== null && datum.kind === "under attack"' }],
        mark: { type: 'area', opacity: 0.18 },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title, scale, axis: format === undefined ? {} : { format } }, y2: { field: 'hi' }, color },
      },
      {
        transform: [{ filter: 'datum.mean !== null' }],
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative' },
          color,
          strokeDash: { field: 'kind', type: 'nominal', title: null, legend: { labelLimit: 240 }, scale: { domain: ['under attack', 'no attack (baseline)'], range: [[1, 0], [6, 4]] } },
          detail: { field: 'kind' },
        },
      },
      {
        transform: [{ filter: 'datum.nonFinite > 0' }],
        mark: { type: 'tick', color: '#b91c1c', thickness: 2, orient: 'vertical' },
        encoding: { x, y: { value: 0 } },
      },
    ],
  };
  const head = { $schema: SCHEMA, title: opts.title ?? `Test ${metric} (mean over seeds, band: min–max)`, config: CONFIG, data: { values } };
  if (!faceted) return { ...head, ...layered } as TopLevelSpec;
  const attacks = [...new Set(bands.filter((b) => !b.baseline).map((b) => b.attack!))];
  return {
    ...head,
    facet: { field: 'attack', type: 'nominal', title: 'attack', sort: attacks },
    columns: 2,
    spec: layered,
  } as TopLevelSpec;
}

export interface HeatCell {
  row: string;
  column: string;
  /** The panel, when a third key varies. */
  panel?: string;
  value: number;
  /** What the cell's tooltip-free reader needs: the attack that gave the worst case. */
  note: string;
}

/** A heatmap of accuracies in [0, 1], each cell labelled with its value and the attack that gave it. */
export function heatmapSpec(
  cells: readonly HeatCell[],
  axes: { row: string; column: string; panel?: string; rowOrder?: readonly string[]; columnOrder?: readonly string[] },
  opts: { title: string },
): TopLevelSpec {
  const rows = axes.rowOrder ?? [...new Set(cells.map((c) => c.row))];
  const columns = axes.columnOrder ?? [...new Set(cells.map((c) => c.column))];
  const cell = Math.max(54, Math.min(110, Math.floor(560 / Math.max(1, columns.length))));
  const x = { field: 'column', type: 'ordinal', title: axes.column, sort: columns, axis: { labelAngle: 0, labelLimit: 160 } };
  const y = { field: 'row', type: 'ordinal', title: axes.row, sort: rows, axis: { labelLimit: 220 } };
  const inner = {
    width: cell * columns.length,
    height: 34 * rows.length,
    layer: [
      {
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
        encoding: { x, y, color: { field: 'value', type: 'quantitative', title: 'worst case', scale: { scheme: 'viridis', domain: [0, 1] }, legend: { format: '.0%' } } },
      },
      {
        mark: { type: 'text', fontSize: 11, dy: -6 },
        encoding: { x, y, text: { field: 'value', type: 'quantitative', format: '.1%' }, color: { condition: { test: 'datum.value < 0.55', value: '#ffffff' }, value: '#111827' } },
      },
      {
        mark: { type: 'text', fontSize: 9, dy: 8 },
        encoding: { x, y, text: { field: 'note' }, color: { condition: { test: 'datum.value < 0.55', value: '#e5e7eb' }, value: '#374151' } },
      },
    ],
  };
  const head = { $schema: SCHEMA, title: opts.title, config: { ...CONFIG, legend: { ...CONFIG.legend, orient: 'right', direction: 'vertical' } }, data: { values: cells.map((c) => ({ ...c, panel: c.panel ?? '' })) } };
  if (axes.panel === undefined) return { ...head, ...inner } as TopLevelSpec;
  return { ...head, facet: { field: 'panel', type: 'nominal', title: axes.panel, sort: null }, columns: 2, spec: inner } as TopLevelSpec;
}

export interface SelectionBar {
  configuration: string;
  worker: number;
  role: 'honest' | 'Byzantine';
  rounds: number;
}

/** Krum's selection histogram, summed over seeds: a panel per configuration, bars split by whether the worker was Byzantine when selected. */
export function sweepSelectionSpec(bars: readonly SelectionBar[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: 'Selections per worker (Krum), summed over seeds',
    config: CONFIG,
    data: { values: bars },
    facet: { field: 'configuration', type: 'nominal', title: null, sort: null, header: { labelLimit: 320 } },
    columns: 2,
    spec: {
      width: 280,
      height: 150,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'worker', type: 'ordinal', title: 'worker', axis: { labelAngle: 0 } },
        y: { field: 'rounds', type: 'quantitative', title: 'rounds selected', stack: 'zero' },
        color: { field: 'role', type: 'nominal', title: 'selected while', scale: { domain: ['honest', 'Byzantine'], range: ['#2563eb', '#dc2626'] } },
      },
    },
  } as TopLevelSpec;
}

/** The label histogram per worker, a panel per heterogeneity setting. */
export function sweepHoldingsSpec(panels: readonly { panel: string; holdings: readonly (readonly number[])[] }[], panelTitle: string | null): TopLevelSpec {
  const values = panels.flatMap(({ panel, holdings }) => holdings.flatMap((counts, worker) => counts.map((examples, label) => ({ panel, worker, label: String(label), examples }))));
  return {
    $schema: SCHEMA,
    title: 'Training examples per worker, by label',
    config: CONFIG,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: panelTitle, sort: null },
    columns: 2,
    spec: {
      width: 280,
      height: 150,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'worker', type: 'ordinal', title: 'worker', axis: { labelAngle: 0 } },
        y: { field: 'examples', type: 'quantitative', title: 'training examples', stack: 'zero' },
        color: { field: 'label', type: 'nominal', title: 'label' },
      },
    },
  } as TopLevelSpec;
}
