/**
 * A sweep file → the runs it names, each a normalized scenario checked
 * exactly as `byzsim run` checks a file, before any run starts.
 *
 * Expansion: the cartesian product of the `grid` axes (in file order, the
 * last axis varying fastest), times each `zip` group (its lists walked
 * together), times the seeds. Every combination's scenario is the base file
 * with `set`, then the combination's values, written at their dotted paths
 * (then, with --quick, the quick profile's), and parsed and validated as a
 * scenario file is. A combination that fails validation refuses the sweep
 * (every failure listed, with its values), unless `skipInvalid: true`, which
 * lists and skips it.
 *
 * A run is identified by the hash of its plan (src/run/plan.ts: the
 * normalized scenario, seed included, the byzsim version, the backend and
 * the user modules' contents): the same run in two sweeps, or submitted
 * twice, has one id.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { PATH, SweepSchema, type SweepFile } from './schema.ts';
import { ScenarioError, describeZodIssue, formatIssue, formatPath, type ScenarioIssue } from '../scenario/errors.ts';
import { parseScenarioText, type LoadedScenario } from '../scenario/load.ts';
import { scenarioModules } from '../scenario/modules.ts';
import { createPlan, type ModuleRecord } from '../run/plan.ts';
import { kernelPath } from '../kernels/path.ts';
import { resolveBackend } from '../cli/backend.ts';
import { datasets } from '../learning/datasets/index.ts';
import { UserError } from '../errors.ts';
import { LIMITS } from '../scenario/limits.ts';

/** A value at each varied key: what distinguishes a run's configuration. */
export type Config = Record<string, unknown>;

/** One run of a sweep, ready to execute. */
export interface SweepRun {
  /** The first 16 hex digits of the run's plan id. */
  id: string;
  config: Config;
  seed: number;
  /** The normalized scenario (its output.dir is where the executor writes). */
  scenario: LoadedScenario;
  backend: string;
  modules: ModuleRecord[];
}

export interface SkippedRun {
  config: Config;
  seed: number;
  message: string;
}

export interface Sweep {
  file: string;
  name: string;
  /** Where runs/, summary.* and report.html go. */
  dir: string;
  /** The varied keys, grid axes then zip keys, in file order (the seed excluded). */
  keys: string[];
  runs: SweepRun[];
  skipped: SkippedRun[];
  quick: boolean;
}

export interface SweepOptions {
  quick?: boolean;
  /** Overrides from the command line (`--set rounds=2`), written last, over the quick profile's. */
  set?: Config;
  outDir?: string;
  /** Backend for the runs (as `byzsim run --backend`). */
  backend?: string;
}

/** The most runs one sweep file may expand to. */
export const MAX_RUNS = 100_000;

export async function loadSweep(file: string, options: SweepOptions = {}): Promise<Sweep> {
  const { spec, at } = parseSweepFile(file);
  const baseFile = resolve(dirname(file), spec.base);
  let baseText: string;
  try {
    baseText = readFileSync(baseFile, 'utf8');
  } catch (err) {
    throw sweepError(file, at(['base']), 'base', `cannot read the base scenario ${baseFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const base = { text: baseText, doc: parseDocument(baseText) };
  const name = spec.name ?? basename(file, extname(file));
  const dir = options.outDir ?? spec.output.dir ?? `out/sweeps/${name}`;
  const quick = options.quick === true;

  const seeds = typeof spec.seeds === 'number' ? Array.from({ length: spec.seeds }, (_, i) => i + 1) : spec.seeds;
  const usedSeeds = quick ? seeds.slice(0, spec.quick.seeds ?? 2) : seeds;
  const combos = expand(spec);
  const keys = [...Object.keys(spec.grid), ...spec.zip.flatMap((group) => Object.keys(group))];
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate !== undefined) throw sweepError(file, {}, duplicate, 'is varied twice (in grid and zip, or in two zip groups)');
  if (keys.includes('seed')) throw sweepError(file, {}, 'seed', 'vary seeds with the seeds field, not the grid');
  const total = combos.length * usedSeeds.length;
  if (total > MAX_RUNS) throw sweepError(file, {}, 'grid', `expands to ${total} runs; a sweep is at most ${MAX_RUNS}`);

  const runs: SweepRun[] = [];
  const skipped: SkippedRun[] = [];
  const failures: string[] = [];
  const backends = new Map<string, string>();
  const ids = new Set<string>();
  for (const config of combos) {
    for (const seed of usedSeeds) {
      const overrides: Config = { ...spec.set, ...config };
      let scenario: LoadedScenario;
      let modules: ModuleRecord[] = [];
      try {
        const { text, aggregator } = scenarioText(base, overrides, seed, quick ? spec.quick : undefined, options.set);
        // A rule named by a module path (`aggregator: ./my-rule.ts`) is loaded, from the base file's directory, before the check.
        const loaded = await scenarioModules(aggregator, baseFile);
        scenario = parseScenarioText(text, baseFile, {}, loaded.registries);
        modules = loaded.records;
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        const message = err instanceof ScenarioError ? err.issues.map(withoutFile(baseFile)).join('; ') : err.message;
        if (spec.skipInvalid) skipped.push({ config, seed, message });
        else failures.push(`${label(config, seed)}: ${message}`);
        continue;
      }
      const backendKey = `${scenario.data.dataset}\0${scenario.model}`;
      let backend = backends.get(backendKey);
      if (backend === undefined) {
        backend = (await resolveBackend(scenario, options.backend)).name;
        backends.set(backendKey, backend);
      }
      const id = createPlan(scenario, { backend, kernels: kernelPath(), modules }).id.slice(0, 16);
      if (ids.has(id)) continue; // two combinations that normalize to the same run (e.g. a value equal to the default)
      ids.add(id);
      scenario.name = `${name}/${id}`;
      scenario.output.dir = resolve(dir, 'runs', id);
      runs.push({ id, config, seed, scenario, backend, modules });
    }
  }
  if (failures.length > 0) {
    const shown = failures.slice(0, LIMITS.issues);
    const more = failures.length > shown.length ? [`… and ${failures.length - shown.length} more`] : [];
    throw new SweepError(
      [`${file}: ${failures.length} of ${total} runs are invalid (set skipInvalid: true to skip them):`, ...shown.map((f) => `  ${f}`), ...more].join('\n'),
    );
  }
  return { file, name, dir, keys, runs, skipped, quick };
}

/**
 * The base scenario (parsed once) with the overrides written at their paths, as text, and the rule
 * it names; the base text itself if it does not parse (the check reports it).
 */
function scenarioText(
  base: { text: string; doc: Document },
  overrides: Config,
  seed: number,
  quick: SweepFile['quick'] | undefined,
  last: Config = {},
): { text: string; aggregator: string } {
  if (base.doc.errors.length > 0 || base.doc.contents === null || !isMap(base.doc.contents)) return { text: base.text, aggregator: '' };
  const doc = base.doc.clone();
  const write = (values: Config) => {
    for (const [path, v] of Object.entries(values)) doc.setIn(path.split('.'), doc.createNode(v));
  };
  write(overrides);
  doc.setIn(['seed'], seed);
  if (quick) {
    const rounds = Number(doc.getIn(['rounds']) ?? 50);
    doc.setIn(['rounds'], quick.rounds ?? Math.max(1, Math.ceil(rounds / 4)));
    write(quick.set ?? defaultQuickSet(doc));
  }
  write(last);
  const aggregator = doc.getIn(['aggregator']);
  return { text: doc.toString(), aggregator: typeof aggregator === 'string' ? aggregator : '' };
}

/** The default quick profile's overrides: at most 1000 test examples where the dataset has a testSize. */
function defaultQuickSet(doc: Document): Config {
  const dataset = String(doc.getIn(['data', 'dataset']) ?? 'synthetic');
  try {
    const def = datasets.resolveSpec(dataset).def;
    const testSize = def.params.testSize;
    if (!testSize) return {};
    const current = Number(doc.getIn(['data', def.name, 'testSize']) ?? testSize.default ?? Infinity);
    return current > 1000 ? { [`data.${def.name}.testSize`]: 1000 } : {};
  } catch {
    return {};
  }
}

/** Grid × zip groups, in file order, the last axis varying fastest. */
export function expand(spec: Pick<SweepFile, 'grid' | 'zip'>): Config[] {
  let combos: Config[] = [{}];
  for (const [key, values] of Object.entries(spec.grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  for (const group of spec.zip) {
    const entries = Object.entries(group);
    const length = entries[0]?.[1].length ?? 0;
    const rows = Array.from({ length }, (_, i) => Object.fromEntries(entries.map(([k, vs]) => [k, vs[i]])));
    combos = combos.flatMap((c) => rows.map((r) => ({ ...c, ...r })));
  }
  return combos;
}

/** `aggregator=krum attack=alie seed=1`, how a run is named in messages. */
export function label(config: Config, seed?: number): string {
  const parts = Object.entries(config).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (seed !== undefined) parts.push(`seed=${seed}`);
  return parts.join(' ');
}

export class SweepError extends UserError {
  override readonly name = 'SweepError';
  override readonly placed = true;
}

function withoutFile(baseFile: string): (issue: ScenarioIssue) => string {
  // The base file's line numbers no longer match after the overrides are written: the field path says where.
  return (issue) => (issue.file === baseFile ? (issue.path ? `${issue.path}: ${issue.message}` : issue.message) : formatIssue(issue));
}

function sweepError(file: string, where: { line?: number; column?: number }, path: string, message: string): SweepError {
  return new SweepError(formatIssue({ file, ...where, path, message }));
}

/** The sweep file, parsed and checked against the schema; every issue placed at its line. */
function parseSweepFile(file: string): { spec: SweepFile; doc: Document; at: (path: PropertyKey[]) => { line?: number; column?: number } } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SweepError(`${file}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a sweep file' : `cannot read (${code})`}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (path: PropertyKey[]): { line?: number; column?: number } => {
    for (let k = path.length; k >= 0; k--) {
      const node = doc.getIn(path.slice(0, k) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        const { line, col } = lines.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return {};
  };
  /** Where the key `key` of the mapping at `path` is written. */
  const atKey = (path: PropertyKey[], key: string): { line?: number; column?: number } => {
    const map = (path.length ? doc.getIn(path as unknown[], true) : doc.contents) as { items?: { key: { value?: unknown; range?: [number, number, number] } }[] } | null;
    const pair = map?.items?.find((p) => p.key?.value === key);
    return pair?.key?.range ? posOf(lines, pair.key.range[0]) : at(path);
  };
  if (doc.errors.length > 0) {
    throw new SweepError(doc.errors.map((e) => formatIssue({ file, ...at([]), ...posOf(lines, e.pos[0]), path: '', message: `YAML syntax: ${e.message}` })).join('\n'));
  }
  const parsed = SweepSchema.safeParse(doc.toJS() ?? {}, { reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const path = issue.path as PropertyKey[];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => formatIssue({ file, ...atKey(path, key), path: formatPath([...path, key]), message: `unknown key; a sweep file has ${Object.keys(SweepSchema.shape).join(', ')}` }));
      }
      return [formatIssue({ file, ...at(path), path: formatPath(path), message: describeZodIssue(issue) })];
    });
    throw new SweepError(issues.flat().join('\n'));
  }
  const spec = parsed.data;
  for (const [g, group] of spec.zip.entries()) {
    const lengths = Object.values(group).map((v) => v.length);
    if (new Set(lengths).size > 1) {
      throw sweepError(file, at(['zip', g]), `zip[${g}]`, `the lists of a zip group must have one length (got ${lengths.join(', ')})`);
    }
  }
  return { spec, doc, at };
}

function posOf(lines: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/**
 * `--set path=value` flags as overrides: the value is read as YAML (`rounds=2` is a number,
 * `aggregator="nnm > krum"` a string, `network.delay={kind: fixed, value: 1}` a mapping).
 */
export function parseSetFlags(flags: readonly string[]): Config {
  const out: Config = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const path = eq < 0 ? flag : flag.slice(0, eq);
    if (eq < 0 || !PATH.test(path)) throw new SweepError(`--set ${flag}: expected path=value with a dotted scenario path, e.g. --set rounds=2`);
    const doc = parseDocument(flag.slice(eq + 1));
    if (doc.errors.length > 0) throw new SweepError(`--set ${flag}: the value is not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
    out[path] = doc.toJS();
  }
  return out;
}
