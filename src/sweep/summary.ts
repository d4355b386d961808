/**
 * A sweep's manifest (sweep.json, written before any run starts) and its
 * summary (summary.json and summary.csv, written from the completed runs).
 *
 * Per configuration (a run's config without its seed): over the seeds that
 * completed, mean ± sample standard deviation of the final test accuracy,
 * the best test accuracy of the run's evaluations, the final test loss and
 * the wall time; and the run's trace hashes, which make two summaries of the
 * same sweep comparable bit for bit (everything but wall time is a function
 * of the runs' scenarios). The worst case over attacks: configurations equal
 * but for `attack`, the attack (other than `none`) with the lowest mean
 * final accuracy.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { label, type Config, type SkippedRun, type Sweep } from './load.ts';
import { canonicalJson } from '../run/plan.ts';

export interface Manifest {
  format: 1;
  name: string;
  file: string;
  quick: boolean;
  keys: string[];
  runs: { id: string; config: Config; seed: number }[];
  skipped: SkippedRun[];
}

export interface Stat {
  mean: number;
  std: number;
}

export interface ConfigurationSummary {
  config: Config;
  seeds: number[];
  /** Runs of this configuration not complete (or failed). */
  missing: number;
  finalAccuracy: Stat;
  bestAccuracy: Stat;
  finalLoss: Stat;
  wallSeconds: Stat;
  /** Seed → trace hash. */
  traceHashes: Record<string, string>;
  /** Rounds ending with a refused step, a skipped round or a diverged evaluation, summed over seeds. */
  trouble: { refusedSteps: number; skipped: number; diverged: number };
}

export interface WorstCase {
  /** The configuration without its attack. */
  config: Config;
  attack: string;
  finalAccuracy: Stat;
  /** Each attack's mean final accuracy. */
  byAttack: Record<string, number>;
}

export interface Summary {
  name: string;
  keys: string[];
  complete: number;
  total: number;
  configurations: ConfigurationSummary[];
  worstCase: WorstCase[];
}

export function manifestOf(sweep: Sweep): Manifest {
  return {
    format: 1,
    name: sweep.name,
    file: sweep.file,
    quick: sweep.quick,
    keys: sweep.keys,
    runs: sweep.runs.map(({ id, config, seed }) => ({ id, config, seed })),
    skipped: sweep.skipped,
  };
}

/** Writes `text` to `file` atomically (a temporary file renamed over it). */
export function writeAtomically(file: string, text: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeAtomically(join(dir, 'sweep.json'), JSON.stringify(manifest, null, 2) + '\n');
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as Manifest;
}

interface RunMetrics {
  traceHash: string;
  wallSeconds: number;
  final: { accuracy: number | string; loss: number | string };
  history: { accuracy: number | string }[];
  counts: { refusedSteps: number; skipped: number; diverged: { evaluations: number } };
}

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

function stat(values: number[]): Stat {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** The summary of the runs of `manifest` complete in dir/runs. */
export function summarize(dir: string, manifest: Manifest): Summary {
  const groups = new Map<string, { config: Config; runs: { seed: number; metrics?: RunMetrics }[] }>();
  let complete = 0;
  for (const run of manifest.runs) {
    const key = canonicalJson(run.config);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { config: run.config, runs: [] }));
    const file = join(dir, 'runs', run.id, 'metrics.json');
    const done = existsSync(join(dir, 'runs', run.id, 'run.json'));
    const metrics = done ? (JSON.parse(readFileSync(file, 'utf8')) as RunMetrics) : undefined;
    if (metrics) complete++;
    group.runs.push({ seed: run.seed, metrics });
  }
  const configurations: ConfigurationSummary[] = [];
  for (const { config, runs } of groups.values()) {
    const done = runs.filter((r): r is { seed: number; metrics: RunMetrics } => r.metrics !== undefined).sort((a, b) => a.seed - b.seed);
    const best = (m: RunMetrics) => Math.max(...m.history.map((h) => num(h.accuracy)).filter(Number.isFinite), num(m.final.accuracy));
    configurations.push({
      config,
      seeds: done.map((r) => r.seed),
      missing: runs.length - done.length,
      finalAccuracy: stat(done.map((r) => num(r.metrics.final.accuracy))),
      bestAccuracy: stat(done.map((r) => best(r.metrics))),
      finalLoss: stat(done.map((r) => num(r.metrics.final.loss))),
      wallSeconds: stat(done.map((r) => r.metrics.wallSeconds)),
      traceHashes: Object.fromEntries(done.map((r) => [String(r.seed), r.metrics.traceHash])),
      trouble: {
        refusedSteps: done.reduce((a, r) => a + r.metrics.counts.refusedSteps, 0),
        skipped: done.reduce((a, r) => a + r.metrics.counts.skipped, 0),
        diverged: done.reduce((a, r) => a + r.metrics.counts.diverged.evaluations, 0),
      },
    });
  }
  return { name: manifest.name, keys: manifest.keys, complete, total: manifest.runs.length, configurations, worstCase: worstCases(configurations) };
}

/** For each configuration but its attack, the attack (not `none`) with the lowest mean final accuracy. */
export function worstCases(configurations: readonly ConfigurationSummary[]): WorstCase[] {
  if (!configurations.some((c) => 'attack' in c.config)) return [];
  const groups = new Map<string, { config: Config; byAttack: Map<string, Stat> }>();
  for (const c of configurations) {
    const { attack, ...rest } = c.config;
    const name = String(attack);
    if (name === 'none' || !Number.isFinite(c.finalAccuracy.mean)) continue;
    const key = canonicalJson(rest);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { config: rest, byAttack: new Map() }));
    group.byAttack.set(name, c.finalAccuracy);
  }
  return [...groups.values()].map(({ config, byAttack }) => {
    let worst: [string, Stat] | undefined;
    for (const entry of byAttack) if (!worst || entry[1].mean < worst[1].mean) worst = entry;
    return { config, attack: worst![0], finalAccuracy: worst![1], byAttack: Object.fromEntries([...byAttack].map(([k, s]) => [k, s.mean])) };
  });
}

const CSV_STATS = ['finalAccuracy', 'bestAccuracy', 'finalLoss', 'wallSeconds'] as const;

/** One row per configuration: its keys, the seeds, each statistic's mean and std, the worst attack of its group. */
export function summaryCsv(summary: Summary): string {
  const header = [...summary.keys, 'seeds', 'missing', ...CSV_STATS.flatMap((s) => [`${s}_mean`, `${s}_std`]), 'worst_attack', 'worst_finalAccuracy_mean'];
  const worstFor = (config: Config): WorstCase | undefined => {
    const { attack: _attack, ...rest } = config;
    const key = canonicalJson(rest);
    return summary.worstCase.find((w) => canonicalJson(w.config) === key);
  };
  const rows = summary.configurations.map((c) => {
    const worst = worstFor(c.config);
    return [
      ...summary.keys.map((k) => cell(c.config[k])),
      c.seeds.join(' '),
      String(c.missing),
      ...CSV_STATS.flatMap((s) => [fmt(c[s].mean), fmt(c[s].std)]),
      worst?.attack ?? '',
      worst ? fmt(worst.finalAccuracy.mean) : '',
    ];
  });
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

function cell(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function writeSummary(dir: string, summary: Summary): void {
  const json = JSON.stringify(summary, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n';
  writeAtomically(join(dir, 'summary.json'), json);
  writeAtomically(join(dir, 'summary.csv'), summaryCsv(summary));
}

/** The summary in lines: final accuracy mean ± std over seeds per configuration, then the worst case over attacks. */
export function summaryLines(name: string, summary: Summary): string[] {
  const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(1) : String(v));
  const lines = [`${name}: ${summary.complete}/${summary.total} runs complete`];
  for (const c of summary.configurations) {
    const missing = c.missing ? ` (${c.missing} missing)` : '';
    lines.push(`  ${label(c.config).padEnd(50)} acc ${pct(c.finalAccuracy.mean)} ± ${pct(c.finalAccuracy.std)}% over ${c.seeds.length} seeds${missing}`);
  }
  if (summary.worstCase.length > 0) {
    lines.push('  worst case over attacks:');
    for (const w of summary.worstCase) lines.push(`    ${label(w.config).padEnd(48)} ${w.attack.padEnd(12)} acc ${pct(w.finalAccuracy.mean)}%`);
  }
  return lines;
}
