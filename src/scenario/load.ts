/**
 * Loading a scenario: YAML → schema (zod) → cross-field checks, with every issue
 * mapped back to the line and column of the YAML node it concerns.
 *
 * Placement: a wrong value points at the value; an unknown key at the key itself;
 * a missing or defaulted value at the nearest ancestor written in the file (the key
 * of that ancestor, where it has one). Schema issues are all reported together;
 * cross-field checks run only on a scenario the schema accepted, and are all
 * reported together too.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { createAggregator, type Registries } from '../aggregators/index.ts';
import { isModuleName } from '../spec.ts';
import { scenarioModules, type LoadedModules } from './modules.ts';
import { createAttack, isNoAttack } from '../attacks/index.ts';
import { parseSpec, SpecError } from '../spec.ts';
import type { Registry, Resolved, Variant } from '../registry.ts';
import { schedules } from '../adversary/schedules/index.ts';
import { knowledgeModels } from '../adversary/knowledge/index.ts';
import { orderings } from '../sim/orderings/index.ts';
import { datasets } from '../learning/datasets/index.ts';
import { partitions } from '../learning/partitions/index.ts';
import { models } from '../learning/models/index.ts';
import { ScenarioError, describeZodIssue, formatPath, unknownKeyMessage } from './errors.ts';
import type { ScenarioIssue } from './errors.ts';
import { knowledgeSpec, parseRoundRange, resolveQuorum } from './resolve.ts';
import { ScenarioSchema } from './schema.ts';
import type { Distribution, Scenario } from './schema.ts';

/** A loaded scenario: a name and an output directory are always known. */
export type LoadedScenario = Scenario & { name: string; output: { dir: string } };

export interface ScenarioOverrides {
  seed?: number;
  outDir?: string;
}

export interface LoadResult {
  scenario: LoadedScenario;
  file: string;
  source: string;
  /** The user modules the scenario names (e.g. `aggregator: ./my-rule.ts`), loaded. */
  modules: LoadedModules;
}

type Path = readonly PropertyKey[];

/**
 * Reads and checks a scenario file, loading the user modules it names
 * (resolved from the file's directory); throws ScenarioError listing every
 * issue found.
 */
export async function loadScenario(file: string, overrides: ScenarioOverrides = {}): Promise<LoadResult> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(err)})`;
    throw new ScenarioError([{ file, path: '', message }]);
  }
  const parsed = parseScenarioDocument(source, file);
  let modules: LoadedModules;
  try {
    modules = await scenarioModules(parsed.scenario.aggregator, file);
  } catch (err) {
    if (err instanceof SpecError) throw new ScenarioError([parsed.locator.at(['aggregator'], err.message)]);
    throw err;
  }
  return { scenario: checkedScenario(parsed, file, overrides, modules.registries), file, source, modules };
}

/**
 * Parses scenario text as if read from `file` (used for messages and the
 * default name). User modules are loaded from files only (loadScenario);
 * here a scenario may name one already in `registries`.
 */
export function parseScenarioText(
  text: string,
  file: string,
  overrides: ScenarioOverrides = {},
  registries: Registries = {},
): LoadedScenario {
  return checkedScenario(parseScenarioDocument(text, file), file, overrides, registries);
}

interface ParsedDocument {
  scenario: Scenario;
  locator: Locator;
}

/** YAML → schema, with every issue placed; cross-field checks come after (checkedScenario). */
function parseScenarioDocument(text: string, file: string): ParsedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((err) => {
        const { line, col } = lineCounter.linePos(err.pos[0]);
        return { file, line, column: col, path: '', message: `YAML syntax: ${err.message}` };
      }),
    );
  }
  const locator = new Locator(doc, lineCounter, file);

  // An empty file is a scenario of defaults.
  const raw: unknown = doc.contents === null ? {} : doc.toJS();
  const parsed = ScenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ScenarioError(sortIssues(parsed.error.issues.flatMap((issue) => fromZodIssue(issue, raw, locator))));
  }

  return { scenario: parsed.data, locator };
}

function checkedScenario({ scenario, locator }: ParsedDocument, file: string, overrides: ScenarioOverrides, registries: Registries): LoadedScenario {
  const issues = checkScenario(scenario, registries).map(({ path, message }) => locator.at(path, message));
  issues.push(...applyOverrides(scenario, overrides, file));
  if (issues.length > 0) throw new ScenarioError(sortIssues(issues));

  const name = scenario.name ?? basename(file, extname(file));
  return { ...scenario, name, output: { ...scenario.output, dir: scenario.output.dir ?? `out/${name}` } };
}

function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides, file: string): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if (overrides.seed !== undefined) {
    const seed = ScenarioSchema.shape.seed.safeParse(overrides.seed, { reportInput: true });
    if (seed.success) scenario.seed = seed.data;
    else issues.push({ file, path: 'seed', message: `--seed ${describeZodIssue(seed.error.issues[0])}` });
  }
  if (overrides.outDir !== undefined) {
    if (overrides.outDir === '') issues.push({ file, path: 'output.dir', message: '--out must not be empty' });
    else scenario.output.dir = overrides.outDir;
  }
  return issues;
}

function sortIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.index - b.index)
    .map(({ issue }) => issue);
}

function fromZodIssue(issue: z.core.$ZodIssue, raw: unknown, locator: Locator): ScenarioIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(issue.path, raw);
    return issue.keys.map((key) => locator.atKey(issue.path, key, unknownKeyMessage(key, allowed)));
  }
  return [locator.at(issue.path, describeZodIssue(issue))];
}

/* ----------------------------------------------------------------------------------
 * Cross-field checks. Each returns a path into the scenario and a message; the
 * locator turns the path into a line and column.
 * -------------------------------------------------------------------------------- */

/** A cross-field issue before it is given a place in the file. */
export interface Finding {
  path: Path;
  message: string;
}

/** Cross-field checks on a scenario the schema accepted; exported for sweeps, which build scenarios in code. */
export function checkScenario(s: Scenario, registries: Registries = {}): Finding[] {
  const n = s.workers;
  const f = s.byzantine.f;
  const out: Finding[] = [];

  if (f >= n) {
    out.push({ path: ['byzantine', 'f'], message: `must be < workers: at least one worker must be honest (f=${f}, n=${n})` });
  }
  out.push(...checkSchedule(s));

  const quorum = s.server.quorum;
  if (typeof quorum === 'number' && quorum > n) {
    out.push({ path: ['server', 'quorum'], message: `must be ≤ n (quorum=${quorum}, n=${n})` });
  }

  for (const [registry, spec, path] of [
    [orderings, s.network.ordering, ['network', 'ordering']],
    [datasets, s.data.dataset, ['data', 'dataset']],
    [partitions, s.data.partition, ['data', 'partition']],
    [models, s.model, ['model']],
  ] as const) {
    const resolved = checkVariant<Variant>(registry, spec, path);
    if ('message' in resolved) out.push(resolved);
  }
  const dataset = datasets.get(s.data.dataset.split('(')[0].trim());
  if (dataset && s.data.dataset.includes('(')) {
    out.push({ path: ['data', 'dataset'], message: `a dataset takes its parameters from its own section, data.${dataset.name}, not from the name` });
  }
  out.push(...checkDistribution(['network', 'delay'], s.network.delay));
  out.push(...checkDistribution(['worker', 'computeTime'], s.worker.computeTime));
  const { min, max } = s.network.adversarialDelay;
  if (min > max) out.push({ path: ['network', 'adversarialDelay'], message: `needs min ≤ max (min=${min}, max=${max})` });

  out.push(...checkAggregator(s.aggregator, n, f, registries));
  out.push(...checkDroppedInputs(s, n, f, registries));
  out.push(...checkAttack(s, n, f));
  return out;
}

/**
 * With `missing: drop` the rule receives as few as `quorum` inputs in a round
 * that reaches its quorum; if the rule refuses that many, every such round
 * would be skipped and the model would never move.
 */
function checkDroppedInputs(s: Scenario, n: number, f: number, registries: Registries): Finding[] {
  if (f === 0 || s.server.missing !== 'drop' || f >= n) return [];
  const q = resolveQuorum(s);
  if (q >= n) return [];
  let aggregator;
  try {
    aggregator = createAggregator(s.aggregator, registries);
  } catch {
    return []; // reported by checkAggregator
  }
  if (!aggregator.requirement.check(n, f) || aggregator.requirement.check(q, f)) return [];
  return [
    {
      path: ['server', 'quorum'],
      message:
        `with missing: drop the rule may receive only ${q} inputs, and ${aggregator.name} requires ` +
        `${aggregator.requirement.text} (n=${q}, f=${f}): raise the quorum or use missing: zero`,
    },
  ];
}

/**
 * A spec naming a variant of `registry`, resolved; or the finding at `path`:
 * an unknown name lists the known ones, a bad parameter says which and why.
 */
function checkVariant<D extends Variant>(registry: Registry<D>, spec: string, path: Path): Resolved<D> | Finding {
  try {
    const stages = parseSpec(spec);
    if (stages.length === 1 && !registry.has(stages[0].name)) {
      return { path, message: `must be one of ${registry.names().join(', ')} (got ${JSON.stringify(stages[0].name)})` };
    }
    return registry.resolveSpec(spec);
  } catch (err) {
    if (err instanceof SpecError) return { path, message: err.message };
    throw err;
  }
}

function parseSpecSafe(spec: string) {
  try {
    return parseSpec(spec);
  } catch {
    return [];
  }
}

function checkSchedule(s: Scenario): Finding[] {
  const n = s.workers;
  const f = s.byzantine.f;
  const { schedule, script } = s.byzantine;
  const resolved = checkVariant(schedules, schedule, ['byzantine', 'schedule']);
  if ('message' in resolved) return [resolved];
  if (!resolved.def.scripted) {
    return script === undefined
      ? []
      : [{ path: ['byzantine', 'script'], message: `only allowed with schedule: scripted (schedule is ${schedule})` }];
  }
  if (script === undefined) {
    return [{ path: ['byzantine', 'script'], message: 'missing (required when schedule is scripted)' }];
  }

  const out: Finding[] = [];
  const ranges: { first: number; last: number; entry: number }[] = [];
  script.forEach((entry, i) => {
    const at = (...rest: PropertyKey[]): Path => ['byzantine', 'script', i, ...rest];
    const { first, last } = parseRoundRange(entry.rounds);
    if (first < 1) out.push({ path: at('rounds'), message: `rounds count from 1 (got ${JSON.stringify(entry.rounds)})` });
    if (first > last) {
      out.push({ path: at('rounds'), message: `range must have a ≤ b (got ${JSON.stringify(entry.rounds)})` });
    } else {
      for (const other of ranges) {
        if (first <= other.last && other.first <= last) {
          out.push({ path: at('rounds'), message: `overlaps byzantine.script[${other.entry}] (rounds ${other.first}-${other.last})` });
        }
      }
      ranges.push({ first, last, entry: i });
    }

    const seen = new Set<number>();
    entry.workers.forEach((w, j) => {
      if (w >= n) out.push({ path: at('workers', j), message: `no worker ${w}: workers are indexed 0..${n - 1} (n=${n})` });
      else if (seen.has(w)) out.push({ path: at('workers', j), message: `worker ${w} listed twice` });
      seen.add(w);
    });
    if (entry.workers.length > f) {
      out.push({ path: at('workers'), message: `at most f=${f} workers per entry (got ${entry.workers.length})` });
    }
  });
  return out;
}

function checkDistribution(path: Path, d: Distribution): Finding[] {
  if (d.kind === 'uniform' && d.min > d.max) {
    return [{ path, message: `uniform needs min ≤ max (min=${d.min}, max=${d.max})` }];
  }
  return [];
}

function checkAggregator(spec: string, n: number, f: number, registries: Registries): Finding[] {
  const path = ['aggregator'];
  let aggregator;
  try {
    aggregator = createAggregator(spec, registries);
  } catch (err) {
    const module = parseSpecSafe(spec).find((stage) => isModuleName(stage.name) && !registries.aggregators?.has(stage.name));
    if (module) return [{ path, message: `${module.name}: a user module is loaded from a scenario file (byzsim run or validate <file>)` }];
    if (err instanceof SpecError) return [{ path, message: err.message }];
    throw err;
  }
  if (f > 0 && !aggregator.requirement.check(n, f)) {
    return [{ path, message: `${aggregator.name} requires ${aggregator.requirement.text} (n=${n}, f=${f})` }];
  }
  return [];
}

function checkAttack(s: Scenario, n: number, f: number): Finding[] {
  const spec = s.attack;
  if (isNoAttack(spec)) return checkKnowledge(s, undefined);
  let attack;
  try {
    attack = createAttack(spec);
  } catch (err) {
    if (err instanceof SpecError) return [{ path: ['attack'], message: err.message }, ...checkKnowledge(s, undefined)];
    throw err;
  }

  const out: Finding[] = [];
  if (f === 0) out.push({ path: ['attack'], message: `${spec} needs Byzantine workers, but byzantine.f is 0` });
  out.push(...checkKnowledge(s, attack.needsObservation ? attack.name : undefined));
  return out;
}

/** The knowledge model against the attack: an observing attack needs a model that shows it something. */
function checkKnowledge(s: Scenario, observer: string | undefined): Finding[] {
  const n = s.workers;
  const f = s.byzantine.f;
  const written = s.adversary.k === undefined ? ['adversary', 'knowledge'] : ['adversary', 'k'];
  let spec: string;
  try {
    spec = knowledgeSpec(s.adversary);
  } catch (err) {
    if (err instanceof SpecError) return [{ path: written, message: err.message }];
    throw err;
  }
  const resolved = checkVariant(knowledgeModels, spec, ['adversary', 'knowledge']);
  if ('message' in resolved) return [resolved];
  const { def, params } = resolved;
  if (observer !== undefined && !def.observes(params)) {
    return [
      {
        path: written,
        message: `${spec}, but attack ${observer} observes honest gradients (use partial(k ≥ 1) or omniscient)`,
      },
    ];
  }
  const problem = f < n ? def.check?.(params, { n, f, observing: observer !== undefined }) : undefined;
  return problem ? [{ path: written, message: problem }] : [];
}

/* ----------------------------------------------------------------------------------
 * From paths to places.
 * -------------------------------------------------------------------------------- */

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  /** The value at `path`, or the nearest ancestor written in the file. */
  at(path: Path, message: string): ScenarioIssue {
    return { ...this.place(this.nearest(path)), path: formatPath(path), message };
  }

  /** The key `key` of the mapping at `path` (for unknown keys). */
  atKey(path: Path, key: string, message: string): ScenarioIssue {
    const map = this.resolve(this.walk(path).node);
    let keyNode: YamlNode | undefined;
    if (isMap(map)) {
      const pair = map.items.find((p) => keyName(p.key) === key);
      if (pair && isNodeLike(pair.key)) keyNode = pair.key;
    }
    return { ...this.place(keyNode ?? this.nearest(path)), path: formatPath([...path, key]), message };
  }

  private place(node: YamlNode | undefined): Pick<ScenarioIssue, 'file' | 'line' | 'column'> {
    const offset = node?.range?.[0];
    if (offset === undefined) return { file: this.file };
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /**
   * The node for `path` if it exists; otherwise the key of the deepest ancestor that
   * exists (where the missing value belongs), or the ancestor node itself.
   */
  private nearest(path: Path): YamlNode | undefined {
    const { node, key, complete } = this.walk(path);
    if (complete) return node ?? key;
    return key ?? node;
  }

  private walk(path: Path): { node: YamlNode | undefined; key: YamlNode | undefined; complete: boolean } {
    let node = this.resolve(this.doc.contents ?? undefined);
    let key: YamlNode | undefined;
    for (const segment of path) {
      let next: YamlNode | undefined;
      let nextKey: YamlNode | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyName(p.key) === String(segment));
        if (pair) {
          next = isNodeLike(pair.value) ? this.resolve(pair.value) : undefined;
          nextKey = isNodeLike(pair.key) ? pair.key : undefined;
          // `key:` with no value: point at the key.
          if (next === undefined) return { node: nextKey, key: nextKey, complete: false };
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        next = isNodeLike(item) ? this.resolve(item) : undefined;
      }
      if (next === undefined) return { node, key, complete: false };
      node = next;
      key = nextKey;
    }
    return { node, key, complete: true };
  }

  private resolve(node: YamlNode | undefined): YamlNode | undefined {
    if (isAlias(node)) return node.resolve(this.doc) ?? node;
    return node;
  }
}

function isNodeLike(value: unknown): value is YamlNode {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

function keyName(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/* ----------------------------------------------------------------------------------
 * Allowed keys at a path, read from the schema itself so the message never drifts.
 * -------------------------------------------------------------------------------- */

function allowedKeys(path: Path, raw: unknown): string[] {
  let schema: z.ZodType | undefined = ScenarioSchema;
  let value = raw;
  for (const segment of path) {
    schema = objectLike(schema, value);
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    if (schema instanceof z.ZodObject) schema = schema.shape[String(segment)] as z.ZodType | undefined;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
  }
  const target = objectLike(schema, value);
  return target instanceof z.ZodObject ? Object.keys(target.shape) : [];
}

/** Unwraps defaults, optionals and pipes; picks a discriminated union's branch by the value. */
function objectLike(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.out as z.ZodType;
    else if (s instanceof z.ZodDiscriminatedUnion) {
      const discriminator = s.def.discriminator;
      const tag = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[discriminator] : undefined;
      const options = s.options as z.ZodType[];
      s = options.find((o) => o instanceof z.ZodObject && literalOf(o.shape[discriminator]) === tag);
      if (s === undefined) return undefined;
    } else return s;
  }
}

function literalOf(schema: unknown): unknown {
  return schema instanceof z.ZodLiteral ? schema.value : undefined;
}
