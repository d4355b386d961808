/**
 * A user's own modules named by a scenario where it names a rule
 * (`aggregator: ./my-rule.ts`, or a stage of a composition:
 * `nnm > ./my-rule.ts`). A path is resolved from the directory of the
 * scenario file; its default export must be a rule made with
 * defineAggregator. Each module joins a derived registry under the path as
 * written (the shared registries are never touched), so the trace and the
 * plan name it as the scenario does, and is recorded by the SHA-256 of its
 * bytes: a replay loads it again and refuses a module that changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { aggregators } from '../aggregators/index.ts';
import type { Registries } from '../aggregators/index.ts';
import type { AggregatorDefinition } from '../aggregators/types.ts';
import { isModuleName, parseSpec, SpecError } from '../spec.ts';

/** A user module named by a scenario. */
export interface ModuleRecord {
  /** As written in the scenario. */
  spec: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  /** Where it was loaded from (absolute); not part of a run's identity. */
  path: string;
}

export interface LoadedModules {
  records: ModuleRecord[];
  registries: Registries;
}

/** The module paths a rule spec names, in order, each once. */
export function moduleNames(spec: string): string[] {
  let stages;
  try {
    stages = parseSpec(spec);
  } catch {
    return []; // reported where the spec is checked
  }
  return [...new Set(stages.map((s) => s.name).filter(isModuleName))];
}

const loaded = new Map<string, AggregatorDefinition>();

/** Imports one module file and checks its default export; SpecError naming the path for every mistake. */
async function importRule(spec: string, path: string, sha256: string): Promise<AggregatorDefinition> {
  const key = `${path}#${sha256}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  let def: unknown;
  try {
    def = await importDefault(path, sha256);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SpecError(`${spec}: the module failed to load (${why})`);
  }
  if (!isRuleDefinition(def)) {
    throw new SpecError(`${spec}: the default export must be a rule made with defineAggregator (import { defineAggregator } from 'byzsim')`);
  }
  // Registered under the path as written: scenarios, plans and traces name it so.
  const named: AggregatorDefinition = {
    ...def,
    name: spec,
    aliases: [],
    create(params, options) {
      return { ...def.create(params, options), spec, name: spec };
    },
  };
  loaded.set(key, named);
  return named;
}

function isRuleDefinition(value: unknown): value is AggregatorDefinition {
  const def = value as Partial<AggregatorDefinition> | null;
  return typeof def === 'object' && def !== null && typeof def.create === 'function' && typeof def.name === 'string';
}

/**
 * A module file's default export. TypeScript (.ts, .mts) goes through tsx's
 * tsImport, scoped to this one import, so it works from the installed package
 * (plain Node) and in a folder without a package.json: there tsx compiles a
 * .ts file as CommonJS, whose exports arrive wrapped ({ default: { default } }).
 * The content hash in the URL makes a changed file a new module rather than
 * the cached old one.
 */
async function importDefault(path: string, sha256: string): Promise<unknown> {
  const url = `${pathToFileURL(path).href}?sha256=${sha256}`;
  const typescript = /\.m?ts$/.test(path);
  const mod = (typescript ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url)) as { default?: unknown };
  const exported = mod.default as { __esModule?: boolean; default?: unknown } | undefined;
  return exported && exported.__esModule === true && 'default' in exported ? exported.default : exported;
}

function hashFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** One module's rule, registered under `name` (a path, resolved from `baseDir` when relative), and its record. */
export async function loadRuleModule(name: string, baseDir: string): Promise<{ def: AggregatorDefinition; record: ModuleRecord }> {
  const path = isAbsolute(name) ? name : resolve(baseDir, name);
  if (!existsSync(path)) throw new SpecError(`${name}: no such module (resolved to ${path})`);
  const sha256 = hashFile(path);
  return { def: await importRule(name, path, sha256), record: { spec: name, sha256, path } };
}

/** Loads the modules a rule spec names (`./my-rule.ts`, `nnm > ./my-rule.ts`), resolving relative paths from `baseDir`. */
export async function loadRuleModules(spec: string, baseDir: string): Promise<LoadedModules> {
  const records: ModuleRecord[] = [];
  const defs: AggregatorDefinition[] = [];
  for (const name of moduleNames(spec)) {
    const { def, record } = await loadRuleModule(name, baseDir);
    defs.push(def);
    records.push(record);
  }
  return { records, registries: defs.length ? { aggregators: aggregators.with(...defs) } : {} };
}

/** The modules a scenario file names, resolved from the file's directory. */
export function scenarioModules(aggregator: string, file: string): Promise<LoadedModules> {
  return loadRuleModules(aggregator, dirname(resolve(file)));
}

/**
 * The registries of recorded modules (a plan's, a trace header's): each file
 * must still exist and have the recorded content.
 */
export async function recordedModules(records: readonly ModuleRecord[]): Promise<Registries> {
  const defs: AggregatorDefinition[] = [];
  for (const { spec, sha256, path } of records) {
    if (!existsSync(path)) throw new SpecError(`${spec}: the module recorded at ${path} is gone`);
    const now = hashFile(path);
    if (now !== sha256) {
      throw new SpecError(`${spec}: the module at ${path} changed since it was recorded (sha256 ${sha256.slice(0, 12)}…, now ${now.slice(0, 12)}…)`);
    }
    defs.push(await importRule(spec, path, sha256));
  }
  return defs.length ? { aggregators: aggregators.with(...defs) } : {};
}
