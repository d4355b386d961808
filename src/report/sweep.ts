/**
 * A sweep directory, read for its report, and the aggregations the report
 * draws: seeds of one configuration form a band; the worst case over attacks
 * per configuration; the axes of the grid (rule, pre-aggregation, attack, f,
 * heterogeneity).
 *
 *   <sweep>/sweep.json          {format: 1, name, keys, runs: [{id, config, seed}]}
 *   <sweep>/runs/<id>/          metrics.json, trace.jsonl, report.html, run.json (complete runs only)
 *
 * A configuration is a run's config without its seed. `aggregator` specs
 * read `pre₁ > pre₂ > rule`: the rule is the part after the last ' > ', the
 * pre-aggregation the rest ('none' without). Attack 'none' is the baseline.
 * summary.json and summary.csv are the runner's: nothing here reads them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasMetrics, loadRun, ReportError, type LoadedRun } from './run-report.ts';
import type { Metric, RoundMetrics } from './specs.ts';

export type Scalar = string | number | boolean | null;

export interface SweepEntry {
  id: string;
  config: Record<string, Scalar>;
  seed: number;
}

export interface SweepFile {
  format: 1;
  name: string;
  keys: string[];
  runs: SweepEntry[];
}

export interface SweepRun extends SweepEntry {
  dir: string;
  /** Absent while the run is not complete (its directory does not exist yet). */
  loaded?: LoadedRun;
}

export interface Sweep {
  dir: string;
  name: string;
  keys: string[];
  runs: SweepRun[];
}

export const ATTACK = 'attack';
export const AGGREGATOR = 'aggregator';
export const F = 'byzantine.f';

/** sweep.json, checked against the contract; a ReportError names the file and the field. */
export function readSweepFile(path: string): SweepFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ReportError(code ? `${path}: cannot read it (${code})` : `${path}: not valid JSON (${(err as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new ReportError(`${path}: not a byzsim sweep.json: ${what}`);
  };
  const s = raw as Partial<SweepFile> | null;
  if (s === null || typeof s !== 'object') bad('expected an object');
  if (s!.format !== 1) bad(`format must be 1 (got ${JSON.stringify(s!.format)})`);
  if (typeof s!.name !== 'string') bad('name must be a string');
  if (!Array.isArray(s!.keys) || s!.keys.some((k) => typeof k !== 'string')) bad('keys must be a list of dotted scenario paths');
  if (!Array.isArray(s!.runs)) bad('runs must be a list');
  s!.runs!.forEach((r, i) => {
    if (r === null || typeof r !== 'object') bad(`runs[${i}] must be an object`);
    if (typeof r.id !== 'string' || !/^[0-9a-f]+$/.test(r.id)) bad(`runs[${i}].id must be a hex id`);
    if (r.config === null || typeof r.config !== 'object' || Array.isArray(r.config)) bad(`runs[${i}].config must be an object`);
    if (typeof r.seed !== 'number') bad(`runs[${i}].seed must be a number`);
  });
  return s as SweepFile;
}

/** The run whose timeline a sweep report shows: the first under attack with f > 0, else the first. */
export function timelineRunOf(runs: readonly Pick<SweepRun, 'config'>[]): number {
  const i = runs.findIndex((r) => r.config[ATTACK] !== undefined && r.config[ATTACK] !== 'none' && (r.config[F] === undefined || Number(r.config[F]) > 0));
  return i >= 0 ? i : 0;
}

/**
 * Reads the sweep and every complete run in it. `round` is the timeline's
 * round in the run the report shows it for (timelineRunOf); every other run
 * is scanned for its last.
 */
export function loadSweep(dir: string, round?: number): Sweep {
  const file = readSweepFile(join(dir, 'sweep.json'));
  const runs: SweepRun[] = file.runs.map((entry) => ({ ...entry, dir: join(dir, 'runs', entry.id) }));
  const complete = runs.filter((r) => hasMetrics(r.dir));
  const shown = complete[timelineRunOf(complete)];
  for (const run of complete) run.loaded = loadRun(run.dir, run === shown ? round : undefined);
  return { dir, name: file.name, keys: file.keys, runs };
}

/** A dotted path in an object (`byzantine.f` in a scenario). */
export function lookup(obj: unknown, path: string): Scalar | undefined {
  let v: unknown = obj;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v === undefined ? undefined : typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as Scalar);
}

/** A run's value of `key`: the grid's when it varies it, else the scenario's. */
export function valueOf(run: SweepRun, key: string): Scalar | undefined {
  if (key in run.config) return run.config[key];
  return run.loaded ? lookup(run.loaded.scan.header.scenario, key) : undefined;
}

/** `nnm > bucketing(s=2) > krum` → rule `krum`, pre `nnm > bucketing(s=2)`; `cwtm` → pre `none`. */
export function splitAggregator(spec: string): { pre: string; rule: string } {
  const at = spec.lastIndexOf(' > ');
  return at < 0 ? { pre: 'none', rule: spec.trim() } : { pre: spec.slice(0, at).trim(), rule: spec.slice(at + 3).trim() };
}

/** The rule's name without its parameters: `krum(m=2)` → `krum`. */
export function ruleName(spec: string): string {
  return splitAggregator(spec).rule.replace(/\(.*$/, '');
}

/** The data key the grid varies that measures heterogeneity (`data.dirichlet.alpha`, `data.partition`, …), if any. */
export function heterogeneityKey(keys: readonly string[]): string | undefined {
  return keys.find((k) => k.startsWith('data.') && k !== 'data.dataset' && k !== 'data.batchSize');
}

function short(key: string): string {
  return key === AGGREGATOR ? 'agg' : key === F ? 'f' : key.split('.').at(-1)!;
}

/** `agg=nnm > krum, attack=alie, f=2`: the keys in the grid's order. */
export function labelOf(config: Record<string, Scalar>, keys: readonly string[]): string {
  const parts = keys.filter((k) => k in config).map((k) => `${short(k)}=${formatScalar(config[k])}`);
  return parts.length === 0 ? 'the configuration' : parts.join(', ');
}

export function formatScalar(v: Scalar | undefined): string {
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(6)));
  return String(v);
}

/** The configuration's identity: its values in the grid's key order. */
export function configKey(config: Record<string, Scalar>, keys: readonly string[]): string {
  return JSON.stringify(keys.map((k) => (k in config ? config[k] : null)));
}

/** What the aggregations need of a complete run. */
export interface RunPoint {
  id: string;
  config: Record<string, Scalar>;
  seed: number;
  history: readonly RoundMetrics[];
  final: { accuracy: number; loss: number };
  /** Whether an evaluation diverged (non-finite loss, or above 1e6 × the initial). */
  diverged: boolean;
}

export interface Configuration {
  key: string;
  config: Record<string, Scalar>;
  label: string;
  runs: RunPoint[];
}

/** The points grouped by configuration, in order of first appearance, seeds ascending within one. */
export function groupConfigurations(points: readonly RunPoint[], keys: readonly string[]): Configuration[] {
  const groups = new Map<string, Configuration>();
  for (const p of points) {
    const key = configKey(p.config, keys);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { key, config: p.config, label: labelOf(p.config, keys), runs: [] }));
    g.runs.push(p);
  }
  for (const g of groups.values()) g.runs.sort((a, b) => a.seed - b.seed);
  return [...groups.values()];
}

export interface BandPoint {
  round: number;
  /** Mean over the seeds with a finite value in that round; null when none has. */
  mean: number | null;
  lo: number | null;
  hi: number | null;
  /** Seeds with a finite value. */
  seeds: number;
  /** Seeds whose value is not finite in that round (diverged). */
  nonFinite: number;
}

/** Mean and min–max over seeds of a metric, per round evaluated by any of them. */
export function bandOverSeeds(histories: readonly (readonly RoundMetrics[])[], metric: Metric): BandPoint[] {
  const byRound = new Map<number, number[]>();
  const bad = new Map<number, number>();
  for (const h of histories) {
    for (const point of h) {
      if (!byRound.has(point.round)) byRound.set(point.round, []);
      const v = point[metric];
      if (Number.isFinite(v)) byRound.get(point.round)!.push(v);
      else bad.set(point.round, (bad.get(point.round) ?? 0) + 1);
    }
  }
  return [...byRound.keys()]
    .sort((a, b) => a - b)
    .map((round) => {
      const vs = byRound.get(round)!;
      const nonFinite = bad.get(round) ?? 0;
      if (vs.length === 0) return { round, mean: null, lo: null, hi: null, seeds: 0, nonFinite };
      return { round, mean: vs.reduce((s, v) => s + v, 0) / vs.length, lo: Math.min(...vs), hi: Math.max(...vs), seeds: vs.length, nonFinite };
    });
}

/** A run's final accuracy, a non-finite one (a diverged model) counted as 0: it is the worst case, not a gap. */
export function finalAccuracy(p: RunPoint): number {
  return Number.isFinite(p.final.accuracy) ? p.final.accuracy : 0;
}

export interface AttackOutcome {
  attack: string;
  /** Mean over seeds of the final accuracy. */
  accuracy: number;
  seeds: number;
  diverged: number;
}

export interface WorstCase {
  /** The configuration without its attack. */
  group: Record<string, Scalar>;
  label: string;
  /** The lowest mean final accuracy over the attacks (attack 'none' excluded unless it is the only one). */
  worst: number;
  attack: string;
  outcomes: AttackOutcome[];
}

/**
 * Per configuration without its attack: the mean final accuracy over seeds
 * under each attack, and the worst of them. `attackOf` gives a point's attack
 * (the grid's, or the scenario's when the grid varies none).
 */
export function worstCaseOverAttacks(points: readonly RunPoint[], keys: readonly string[], attackOf: (p: RunPoint) => string): WorstCase[] {
  const rest = keys.filter((k) => k !== ATTACK);
  const groups = new Map<string, { group: Record<string, Scalar>; byAttack: Map<string, RunPoint[]> }>();
  for (const p of points) {
    const group = Object.fromEntries(rest.filter((k) => k in p.config).map((k) => [k, p.config[k]]));
    const key = configKey(group, rest);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { group, byAttack: new Map() }));
    const a = attackOf(p);
    if (!g.byAttack.has(a)) g.byAttack.set(a, []);
    g.byAttack.get(a)!.push(p);
  }
  return [...groups.values()].map(({ group, byAttack }) => {
    const outcomes = [...byAttack].map(([attack, ps]) => ({
      attack,
      accuracy: ps.reduce((s, p) => s + finalAccuracy(p), 0) / ps.length,
      seeds: ps.length,
      diverged: ps.filter((p) => p.diverged).length,
    }));
    const attacked = outcomes.filter((o) => o.attack !== 'none');
    const candidates = attacked.length > 0 ? attacked : outcomes;
    const worst = candidates.reduce((w, o) => (o.accuracy < w.accuracy ? o : w));
    return { group, label: labelOf(group, rest), worst: worst.accuracy, attack: worst.attack, outcomes };
  });
}

/** Distinct values in order of first appearance. */
export function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
