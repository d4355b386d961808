/**
 * One run's report from its directory: metrics.json (what the run measured)
 * and trace.jsonl (its configuration in the header; drops, late gradients,
 * draws and the chosen round's timeline in the events). `byzsim run` and
 * `byzsim report <run>` both build it from here, so regenerating a report
 * gives the bytes the run wrote.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import type { Metrics } from '../run/output.ts';
import type { ReportData } from './html.ts';
import type { LabelledRun, RoundMetrics } from './specs.ts';
import { scanTrace, type TraceScan } from './trace-scan.ts';

export class ReportError extends UserError {}

/** What the report reads: metrics.json as the run wrote it (src/run/output.ts). */
export type RunMetricsFile = Metrics;

export interface LoadedRun {
  dir: string;
  metrics: RunMetricsFile;
  scan: TraceScan;
}

const NON_FINITE: Record<string, number> = { Infinity, '-Infinity': -Infinity, NaN };
/** Fields whose value is a string by nature, never a non-finite number written as one. */
const STRING_FIELDS = new Set(['name', 'run', 'traceHash', 'backend', 'kernels', 'rule']);

/** metrics.json, with the non-finite numbers the run wrote as strings ("Infinity", "NaN") read back as numbers. */
export function readMetrics(path: string): RunMetricsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ReportError(`${path}: metrics.json is missing: the run did not complete (rerun it with byzsim run)`);
  }
  let metrics: RunMetricsFile;
  try {
    metrics = JSON.parse(text, (k, v) => (typeof v === 'string' && !STRING_FIELDS.has(k) && v in NON_FINITE ? NON_FINITE[v] : v));
  } catch (err) {
    throw new ReportError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const m = metrics as Partial<RunMetricsFile> | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.history) || typeof m.perRound !== 'object' || m.perRound === null || typeof m.counts !== 'object' || !Array.isArray(m.perRound.round)) {
    throw new ReportError(`${path}: not a byzsim metrics.json (expected history, perRound and counts, as byzsim run writes them)`);
  }
  return metrics;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `dir` holds a complete run's metrics.json. */
export function hasMetrics(dir: string): boolean {
  return isFile(join(dir, 'metrics.json'));
}

/** Whether `dir` holds a run's outputs (metrics.json or trace.jsonl). */
export function isRunDirectory(dir: string): boolean {
  return isFile(join(dir, 'metrics.json')) || isFile(join(dir, 'trace.jsonl'));
}

/**
 * Reads a run directory; `round` (the timeline's, default the last that
 * ended) must be a round the run ended, else a ReportError names the range.
 */
export function loadRun(dir: string, round?: number): LoadedRun {
  const metrics = readMetrics(join(dir, 'metrics.json'));
  const ended = metrics.perRound.round;
  if (round !== undefined && !(Number.isInteger(round) && ended.includes(round))) {
    const range = ended.length === 0 ? 'no round ended' : `its rounds are ${ended[0]}–${ended[ended.length - 1]}`;
    throw new ReportError(`--round ${round}: ${dir} has no such round (${range})`);
  }
  const tracePath = join(dir, 'trace.jsonl');
  if (!isFile(tracePath)) throw new ReportError(`${tracePath}: trace.jsonl is missing: the report reads the run's configuration from its header`);
  const scan = scanTrace(tracePath, round ?? ended[ended.length - 1]);
  if (scan.timeline) {
    // The ledger's Byzantine set of the round (metrics.json): the trace's corrupt events only say when a worker was taken.
    const byzantine = metrics.perRound.byzantine[ended.indexOf(scan.timeline.round)] ?? [];
    for (const row of scan.timeline.rows) row.byzantine ||= byzantine.includes(row.worker);
  }
  return { dir, metrics, scan };
}

type Scalar = string | number | boolean | null;

/** The scenario as dotted path → value; of the per-dataset sections only the dataset's own. */
export function flattenScenario(scenario: object): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  const dataset = (scenario as { data?: { dataset?: string } }).data?.dataset;
  const walk = (value: unknown, path: string): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object') {
      out[path] = value as Scalar;
      return;
    }
    if (Array.isArray(value)) {
      out[path] = JSON.stringify(value);
      return;
    }
    const entries = Object.entries(value);
    if (entries.length === 0 && path !== '') out[path] = '{}';
    for (const [k, v] of entries) {
      const p = path === '' ? k : `${path}.${k}`;
      if (path === 'data' && k !== dataset && v !== null && typeof v === 'object' && !Array.isArray(v)) continue;
      walk(v, p);
    }
  };
  walk(scenario, '');
  return out;
}

export interface RunReportExtras {
  /** src/cli/run.ts `warnings(counts, rounds)`. */
  warnings: readonly string[];
  /** src/cli/run.ts `privacyRows(privacy)`, with a dp section. */
  privacy?: Record<string, string>;
  baselines?: readonly LabelledRun[];
}

/** The report of a loaded run. */
export function runReportData(run: LoadedRun, extras: RunReportExtras): ReportData {
  const { metrics: m, scan } = run;
  const s = scan.header.scenario;
  const c = m.counts;
  const sum = (key: 'dropped' | 'late') => scan.troubles.reduce((t, r) => t + r[key], 0);
  const full = scan.detail === 'full';
  const warnings = [...extras.warnings];
  if (!scan.complete) warnings.push(`${scan.path} has no trailer: the run was cut short, and this report shows what it recorded`);
  return {
    title: `byzsim — ${m.name}`,
    summary: {
      scenario: m.name,
      seed: m.seed,
      backend: m.backend,
      workers: s.workers,
      byzantine: `${s.byzantine.f} (${s.byzantine.schedule})`,
      aggregator: s.aggregator,
      attack: s.attack,
      data: `${s.data.dataset}, ${s.data.partition}`,
      rounds: m.rounds,
      'final accuracy': m.final.accuracy.toFixed(4),
      'final loss': m.final.loss.toFixed(4),
      'trace hash': m.traceHash,
      'wall seconds': m.wallSeconds.toFixed(2),
      'rounds aggregated': c.aggregated,
      'rounds skipped': c.skipped,
      'rounds ended by timeout': c.timeouts,
      'non-finite aggregates': c.nonFiniteAggregates,
      'steps refused (θ kept finite)': c.refusedSteps,
      'diverged evaluations': c.diverged.evaluations,
      'gradients dropped': full ? sum('dropped') : 'not in the trace (output.trace is not full)',
      'gradients ignored': `${c.ignored.duplicate} duplicate, ${c.ignored.stale} stale (late), ${c.ignored.malformed} malformed`,
    },
    warnings,
    history: m.history,
    workers: s.workers,
    perRound: m.perRound,
    vn: { ...m.vnCondition, dp: m.privacy !== undefined },
    ...(extras.privacy ? { privacy: extras.privacy } : {}),
    holdings: m.holdings,
    configuration: {
      byzsim: scan.header.byzsim,
      'run plan': m.run,
      kernels: m.kernels,
      ...flattenScenario(s),
    },
    ...(extras.baselines && extras.baselines.length > 0 ? { baselines: extras.baselines } : {}),
    ...(c.diverged.firstRound !== undefined ? { divergedFrom: c.diverged.firstRound } : {}),
    troubles: {
      rounds: scan.troubles,
      ...(full ? {} : { note: `The trace holds ${scan.detail === 'off' ? 'no events' : 'the aggregates only'} (output.trace: ${scan.detail}): drops and ignored gradients are not counted per round.` }),
    },
    draws: scan.draws,
    ...(scan.trimmed !== undefined ? { trimmed: scan.trimmed } : {}),
    timeline:
      scan.timeline ??
      { omitted: full ? 'the chosen round did not end in the trace' : `the trace does not hold every event (output.trace: ${scan.detail}); set output.trace: full to record them` },
  };
}
