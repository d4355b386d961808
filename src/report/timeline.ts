/**
 * The event timeline of one round in virtual time: a row per worker, θ's
 * trip from the server (grey), the worker's computation (dotted), its
 * gradient's trip to the server coloured by what became of it, a triangle
 * for a Byzantine sender, and the moment the server aggregated.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, type ChartOptions } from './specs.ts';
import { GRADIENT_STATUSES, type RoundTimeline } from './trace-scan.ts';

export function timelineSpec(timeline: RoundTimeline, opts: ChartOptions = {}): TopLevelSpec {
  const label = (r: { worker: number; byzantine: boolean }): string => `worker ${r.worker}${r.byzantine ? ' (Byzantine)' : ''}`;
  const order = timeline.rows.map(label);
  const legs: object[] = [];
  const ends: object[] = [];
  for (const row of timeline.rows) {
    const who = label(row);
    if (row.modelSent !== undefined) {
      legs.push({ who, leg: row.modelDropped ? 'θ dropped' : 'θ to the worker', from: row.modelSent, to: row.modelArrived ?? row.modelSent });
    }
    for (const g of row.gradients) {
      if (row.modelArrived !== undefined && g.sent >= row.modelArrived) legs.push({ who, leg: 'computing', from: row.modelArrived, to: g.sent });
      const to = g.arrived ?? (g.status === 'never arrived' ? Math.max(g.sent, timeline.closedAt ?? g.sent) : g.sent);
      ends.push({ who, status: g.status, from: g.sent, to, role: row.byzantine ? 'Byzantine' : 'honest' });
    }
  }
  const x = { field: 'from', type: 'quantitative', title: 'virtual time (ms)', scale: { zero: false, nice: true } };
  const y = { field: 'who', type: 'nominal', title: null, sort: order, scale: { domain: order } };
  const status = { field: 'status', type: 'nominal', title: 'gradient', scale: { domain: GRADIENT_STATUSES.map((s) => s.status), range: GRADIENT_STATUSES.map((s) => s.colour) } };
  const layers: object[] = [
    {
      data: { values: legs },
      mark: { type: 'rule', strokeWidth: 2 },
      encoding: {
        x,
        x2: { field: 'to' },
        y,
        strokeDash: { field: 'leg', type: 'nominal', title: null, scale: { domain: ['θ to the worker', 'computing', 'θ dropped'], range: [[1, 0], [2, 3], [4, 2]] } },
        color: { value: '#9ca3af' },
      },
    },
    {
      data: { values: ends },
      mark: { type: 'rule', strokeWidth: 3 },
      encoding: { x, x2: { field: 'to' }, y, color: status },
    },
    {
      data: { values: ends },
      mark: { type: 'point', filled: true, size: 60 },
      encoding: {
        x: { field: 'to', type: 'quantitative' },
        y,
        color: status,
        shape: { field: 'role', type: 'nominal', title: 'sender', scale: { domain: ['honest', 'Byzantine'], range: ['circle', 'triangle-up'] } },
      },
    },
  ];
  if (timeline.closedAt !== undefined) {
    const closing = [{ at: timeline.closedAt, what: timeline.skipped ? 'round skipped' : `aggregated (${timeline.reason ?? ''})` }];
    layers.push(
      { data: { values: closing }, mark: { type: 'rule', color: '#111827', strokeDash: [6, 3] }, encoding: { x: { field: 'at', type: 'quantitative' } } },
      {
        data: { values: closing },
        mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, y: -14, fontSize: 11, color: '#111827' },
        encoding: { x: { field: 'at', type: 'quantitative' }, text: { field: 'what' } },
      },
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: opts.title ?? `Round ${timeline.round}: who sent what, when`,
    width: opts.width ?? 600,
    height: opts.height ?? Math.max(80, 20 * timeline.rows.length),
    config: { ...CONFIG, legend: { ...CONFIG.legend, columns: 4 } },
    layer: layers,
  } as TopLevelSpec;
}
