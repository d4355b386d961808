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
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { z } from 'zod';
import { createAggregator, type Registries } from '../aggregators/index.ts';
import { inExpectationRisk } from '../aggregators/compose.ts';
import { isModuleName } from '../spec.ts';
import { scenarioModules, type LoadedModules } from './modules.ts';
import { createAttack, isNoAttack } from '../attacks/index.ts';
import { parseSpec, SpecError } from '../spec.ts';
import type { Registry, Resolved, Variant } from '../registry.ts';
import { schedules } from '../adversary/schedules/index.ts';
import { knowledgeModels } from '../adversary/knowledge/index.ts';
import { orderings } from '../sim/orderings/index.ts';
import { schedulingStrategies } from '../adversary/scheduling/index.ts';
import { datasets } from '../learning/datasets/index.ts';
import { partitions } from '../learning/partitions/index.ts';
import { models, modelShape } from '../learning/models/index.ts';
import { lrSchedules } from '../learning/lr-schedules.ts';
import { ScenarioError, describeZodIssue, formatPath, isSafeIntegerBound, quote, unknownKeyMessage } from './errors.ts';
import type { ScenarioIssue } from './errors.ts';
import { dataHoldings, knowledgeSpec, parseRoundRange, resolveQuorum } from './resolve.ts';
import { ScenarioSchema, datasetOptions, datasetParams } from './schema.ts';
import type { Distribution, Scenario } from './schema.ts';
import { LIMITS, checkSize, checkVirtualTime, formatBytes } from './limits.ts';

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
  const source = readScenarioFile(file);
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

/**
 * A scenario file's text. Only a regular file is read (a FIFO or a device
 * could block or never end), and only up to LIMITS.fileBytes.
 */
function readScenarioFile(file: string): string {
  const fail = (message: string): never => {
    throw new ScenarioError([{ file, path: '', message }]);
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(err)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return fail('is a directory, not a file');
    if (!stat.isFile()) return fail('is not a regular file');
    if (stat.size > LIMITS.fileBytes) return fail(tooLarge(stat.size));
    const bytes = Buffer.alloc(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const got = readSync(fd, bytes, read, bytes.length - read, read);
      if (got === 0) break;
      read += got;
    }
    return bytes.subarray(0, read).toString('utf8');
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    return fail(`cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number): string {
  return `the file is ${formatBytes(bytes)}; a scenario file is at most ${formatBytes(LIMITS.fileBytes)}`;
}

interface ParsedDocument {
  scenario: Scenario;
  locator: Locator;
}

/** YAML → schema, with every issue placed; cross-field checks come after (checkedScenario). */
function parseScenarioDocument(text: string, file: string): ParsedDocument {
  if (Buffer.byteLength(text, 'utf8') > LIMITS.fileBytes) {
    throw new ScenarioError([{ file, path: '', message: tooLarge(Buffer.byteLength(text, 'utf8')) }]);
  }
  const lineCounter = new LineCounter();
  const at = (offset: number | undefined): Pick<ScenarioIssue, 'line' | 'column'> => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  let doc: Document;
  try {
    // Duplicate keys are found below in one pass: yaml's own check (uniqueKeys) is quadratic in a mapping's size.
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    throw new ScenarioError([{ file, path: '', message: yamlFailure(err) }]);
  }
  try {
    return checkDocument(doc, file, lineCounter, at);
  } catch (err) {
    if (err instanceof ScenarioError) throw err;
    // visit() and toJS() recurse: a document nested deeper than the stack lands here.
    throw new ScenarioError([{ file, path: '', message: yamlFailure(err) }]);
  }
}

/** A parsed document → the schema: syntax, duplicate keys, aliases, then zod. */
function checkDocument(
  doc: Document,
  file: string,
  lineCounter: LineCounter,
  at: (offset: number | undefined) => Pick<ScenarioIssue, 'line' | 'column'>,
): ParsedDocument {
  // The parser reports a stack overflow as errors of its own, one per level it unwinds: one issue says it.
  const overflow = doc.errors.find((err) => /call stack/i.test(err.message));
  const syntax: ScenarioIssue[] = (overflow ? [overflow] : doc.errors).map((err) => ({
    file,
    ...at(err.pos[0]),
    path: '',
    message: err === overflow ? 'YAML: nested too deeply' : `YAML syntax: ${err.message}`,
  }));
  if (syntax.length === 0) for (const issue of structureIssues(doc, file, at)) syntax.push(issue);
  if (syntax.length > 0) throw scenarioError(syntax);

  const { targets, issues: aliasIssues } = resolveAliases(doc, file, at);
  if (aliasIssues.length > 0) throw scenarioError(aliasIssues);
  const locator = new Locator(doc, lineCounter, file, targets);

  // An empty file is a scenario of defaults.
  let raw: unknown;
  try {
    raw = doc.contents === null ? {} : doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (err) {
    const first = targets.keys().next().value;
    const excessive = err instanceof ReferenceError && /alias count/i.test(err.message);
    const message = excessive
      ? `YAML aliases: expanding them would pass ${LIMITS.aliases} aliased nodes (yaml's maxAliasCount, the guard against alias bombs): write the values out instead`
      : yamlFailure(err);
    throw scenarioError([{ file, ...at(first?.range?.[0]), path: '', message }]);
  }
  const parsed = ScenarioSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Zod checks every integer against ±(2^53 − 1) besides the field's own bounds: beside those, it says nothing more.
    const key = (path: readonly PropertyKey[]) => path.map(String).join('\0');
    const others = new Set(parsed.error.issues.filter((i) => !isSafeIntegerBound(i)).map((i) => key(i.path)));
    const issues: ScenarioIssue[] = [];
    for (const issue of parsed.error.issues) {
      if (isSafeIntegerBound(issue) && others.has(key(issue.path))) continue;
      for (const placed of fromZodIssue(issue, raw, locator)) issues.push(placed);
    }
    throw scenarioError(issues);
  }

  return { scenario: parsed.data, locator };
}

/** What the yaml library threw, as an issue's message (a nesting too deep for the stack, most likely). */
function yamlFailure(err: unknown): string {
  if (err instanceof RangeError || (err instanceof Error && /call stack/i.test(err.message))) return 'YAML: nested too deeply';
  return `YAML: cannot be read (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
}

/** Duplicate keys, found in one pass over every mapping. */
function structureIssues(doc: Document, file: string, at: (offset: number | undefined) => Pick<ScenarioIssue, 'line' | 'column'>): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Map<string, Pair>();
      for (const pair of map.items) {
        const name = keyName(pair.key);
        if (name === undefined) continue;
        const first = seen.get(name);
        if (first === undefined) {
          seen.set(name, pair);
          continue;
        }
        const firstAt = at(nodeOf(first.key)?.range?.[0]);
        const also = firstAt.line === undefined ? '' : ` (${quote(name)} is also at line ${firstAt.line})`;
        issues.push({ file, ...at(nodeOf(pair.key)?.range?.[0]), path: '', message: `YAML syntax: Map keys must be unique${also}` });
      }
    },
  });
  return issues;
}

/**
 * Each alias's node, found in one pass in document order (an alias names the
 * last anchor of that name before it); an alias with no anchor before it, or
 * inside the node it names (which would expand forever), is an issue.
 */
function resolveAliases(
  doc: Document,
  file: string,
  at: (offset: number | undefined) => Pick<ScenarioIssue, 'line' | 'column'>,
): { targets: Map<Alias, YamlNode>; issues: ScenarioIssue[] } {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode>();
  const issues: ScenarioIssue[] = [];
  visit(doc, {
    Node(_key, node, ancestors) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target === undefined) {
          issues.push({ file, ...at(node.range?.[0]), path: '', message: `YAML alias *${node.source}: no anchor &${node.source} before it` });
        } else if (ancestors.includes(target)) {
          issues.push({ file, ...at(node.range?.[0]), path: '', message: `YAML alias *${node.source} is inside the node &${node.source} it names, so it would expand forever` });
        } else {
          targets.set(node, target);
        }
        return;
      }
      if (node.anchor !== undefined) anchors.set(node.anchor, node);
    },
  });
  return { targets, issues };
}

function checkedScenario({ scenario, locator }: ParsedDocument, file: string, overrides: ScenarioOverrides, registries: Registries): LoadedScenario {
  const issues = checkScenario(scenario, registries).map(({ path, near, message }) => locator.at(path, message, near));
  const name = scenario.name ?? basename(file, extname(file));
  if (scenario.name === undefined && scenario.output.dir === undefined) {
    const problem = unprintable(name) ?? notAFileName(name);
    if (problem !== undefined) {
      issues.push({ file, path: 'name', message: `the run is named after the file, ${quote(name)}, which ${problem}: set name (or output.dir)` });
    }
  }
  for (const issue of applyOverrides(scenario, overrides, file)) issues.push(issue);
  if (issues.length > 0) throw scenarioError(issues);

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
    else if (overrides.outDir.includes('\0')) issues.push({ file, path: 'output.dir', message: '--out must not contain a NUL character' });
    else scenario.output.dir = overrides.outDir;
  }
  return issues;
}

/** The issues sorted by place and cut to LIMITS.issues, the rest counted in a last line. */
function scenarioError(issues: ScenarioIssue[]): ScenarioError {
  const sorted = sortIssues(issues);
  if (sorted.length <= LIMITS.issues) return new ScenarioError(sorted);
  const shown = sorted.slice(0, LIMITS.issues);
  const file = shown[0].file;
  shown.push({ file, path: '', message: `… and ${sorted.length - LIMITS.issues} more issues (the first ${LIMITS.issues} are shown)` });
  return new ScenarioError(shown);
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
  /**
   * Other fields the issue is about, in order of preference: it is placed
   * at the first of `path` and these that the file writes (a size left at
   * its default points at the field that is written, e.g. `workers`).
   */
  near?: readonly Path[];
  message: string;
}

/** Cross-field checks on a scenario the schema accepted; exported for sweeps, which build scenarios in code. */
export function checkScenario(s: Scenario, registries: Registries = {}): Finding[] {
  const n = s.workers;
  const f = s.byzantine.f;
  const out: Finding[] = [];
  // Checks may return thousands of findings (one per script entry): appended one by one, never spread.
  const add = (findings: readonly Finding[]) => {
    for (const finding of findings) out.push(finding);
  };

  if (f >= n) {
    out.push({ path: ['byzantine', 'f'], message: `must be < workers: at least one worker must be honest (f=${f}, n=${n})` });
  }
  add(checkSchedule(s));
  add(checkName(s));

  const quorum = s.server.quorum;
  if (typeof quorum === 'number' && quorum > n) {
    out.push({ path: ['server', 'quorum'], message: `must be ≤ n (quorum=${quorum}, n=${n})` });
  }

  for (const [registry, spec, path] of [
    [orderings, s.network.ordering, ['network', 'ordering']],
    [schedulingStrategies, s.adversary.scheduling, ['adversary', 'scheduling']],
    [datasets, s.data.dataset, ['data', 'dataset']],
    [partitions, s.data.partition, ['data', 'partition']],
    [models, s.model, ['model']],
    [lrSchedules, s.optimizer.schedule, ['optimizer', 'schedule']],
  ] as const) {
    const resolved = checkVariant<Variant>(registry, spec, path);
    if ('message' in resolved) out.push(resolved);
  }
  const adversarialOrdering = orderings.get(parseSpecSafe(s.network.ordering)[0]?.name ?? '')?.adversarial === true;
  if (s.adversary.scheduling !== 'rush-and-stall' && !adversarialOrdering) {
    out.push({ path: ['adversary', 'scheduling'], message: `only used under network.ordering: adversarial (the ordering is ${s.network.ordering})` });
  }
  const dataset = datasets.get(s.data.dataset.split('(')[0].trim());
  if (dataset && s.data.dataset.includes('(')) {
    out.push({ path: ['data', 'dataset'], message: `a dataset takes its parameters from its own section, data.${dataset.name}, not from the name` });
  }
  add(checkDistribution(['network', 'delay'], s.network.delay));
  add(checkDistribution(['worker', 'computeTime'], s.worker.computeTime));
  const { min, max } = s.network.adversarialDelay;
  if (min > max) out.push({ path: ['network', 'adversarialDelay'], message: `needs min ≤ max (min=${min}, max=${max})` });
  add(checkVirtualTime(s));
  add(checkData(s));

  add(checkAggregator(s.aggregator, n, f, registries, s.server.allowInExpectation));
  add(checkTrusted(s, registries));
  add(checkPivot(s));
  add(checkDroppedInputs(s, n, f, registries));
  add(checkAttack(s, n, f));
  add(checkDp(s));
  return out;
}

/** The dp section: a noise level (one of epsilon and sigma) and workers that exist. */
function checkDp(s: Scenario): Finding[] {
  const dp = s.dp;
  if (!dp) return [];
  const out: Finding[] = [];
  if (dp.epsilon !== undefined && dp.sigma !== undefined) {
    out.push({ path: ['dp', 'sigma'], near: [['dp', 'epsilon']], message: 'give either epsilon (the noise is calibrated from the per-step (ε, δ)) or sigma (the noise std itself), not both' });
  } else if (dp.epsilon === undefined && dp.sigma === undefined) {
    out.push({ path: ['dp'], message: 'needs a noise level: epsilon (per step, with delta; the noise is calibrated from it) or sigma (the noise std per coordinate)' });
  } else if (dp.delta === undefined && dp.sigma !== 0) {
    out.push({ path: ['dp'], message: `needs delta, the per-step δ in (0, 1): ${dp.epsilon !== undefined ? 'the noise is calibrated from (ε, δ)' : 'the accountant reports (ε, δ) at it'} (only sigma: 0, clipping without noise, goes without)` });
  }
  if (Array.isArray(dp.workers)) {
    const seen = new Set<number>();
    dp.workers.forEach((w, i) => {
      if (w >= s.workers) out.push({ path: ['dp', 'workers', i], message: `${w} is not a worker: indices run from 0 to ${s.workers - 1}` });
      else if (seen.has(w)) out.push({ path: ['dp', 'workers', i], message: `worker ${w} is listed twice` });
      seen.add(w);
    });
  }
  return out;
}

/**
 * `name` always reaches the console and the report: no control characters.
 * Without `output.dir` it also names the default output directory out/<name>,
 * which must stay inside out/: a plain file name.
 */
function checkName(s: Scenario): Finding[] {
  const out: Finding[] = [];
  if (s.name !== undefined) {
    const directory = s.output.dir === undefined ? notAFileName(s.name) : undefined;
    const problem = unprintable(s.name) ?? (directory && `${directory} (or set output.dir to choose the directory)`);
    if (problem !== undefined) out.push({ path: ['name'], message: problem });
  }
  if (s.output.dir?.includes('\0')) out.push({ path: ['output', 'dir'], message: 'must not contain a NUL character' });
  return out;
}

/** Why a run's name cannot be printed as it is, or undefined. */
function unprintable(name: string): string | undefined {
  const control = /[\u0000-\u001f\u007f]/.exec(name);
  if (control === null) return undefined;
  const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `must not contain control characters (U+${code} at position ${control.index + 1})`;
}

/** Why a name cannot name a directory inside out/ (a plain file name), or undefined. */
function notAFileName(name: string): string | undefined {
  const where = (what: string) => `names the default output directory out/<name>, so it must be a plain file name ${what}`;
  if (/[/\\]/.test(name)) return where('without / or \\');
  if (name === '.' || name === '..') return where(`(got ${quote(name)})`);
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > LIMITS.nameBytes) return where(`of at most ${LIMITS.nameBytes} bytes (got ${bytes})`);
  return undefined;
}

/**
 * What the learning task relies on, checked from the declarations alone
 * (nothing is loaded): every worker gets a shard, a minibatch fits in the
 * smallest shard, and the run's memory, trace and work stay within LIMITS.
 */
function checkData(s: Scenario): Finding[] {
  const out: Finding[] = [];
  const n = s.workers;
  let dataset;
  let partition;
  let model;
  try {
    dataset = datasets.resolveSpec(s.data.dataset);
    partition = partitions.resolveSpec(s.data.partition);
    model = models.resolveSpec(s.model);
  } catch {
    return []; // an unknown dataset, partition or model is reported where it is named
  }
  const section = s.data[dataset.def.name];
  let params;
  let options;
  try {
    ({ params, options } = datasets.resolve({ name: dataset.def.name, params: datasetParams(s.data)[dataset.def.name] ?? {}, options: datasetOptions(s.data)[dataset.def.name] ?? {} }));
  } catch (err) {
    // A scenario built in code (a sweep) that skipped the schema: its section's ranges, at the section.
    if (err instanceof SpecError) return [{ path: ['data', dataset.def.name], message: err.message }];
    throw err;
  }
  const problem = dataset.def.check?.(params, options);
  if (problem) out.push({ path: ['data', dataset.def.name, problem.field], near: [['data', 'dataset']], message: problem.message });
  const shape = dataset.def.shape(params, options);
  const train: Path[] = shape.fields.train === undefined ? [] : [['data', dataset.def.name, shape.fields.train]];
  if (s.server.trusted > shape.train) {
    out.push({ path: ['server', 'trusted'], near: train, message: `${s.server.trusted} trusted examples is more than the ${shape.train} training examples they are drawn from` });
  }
  let holders = n;
  try {
    holders = dataHoldings(s).shards;
  } catch {
    // an unknown schedule is reported where it is named
  }
  const smallest = partition.def.smallestShard(shape.train, holders, partition.params, shape.counts);
  const among = holders === n ? `${n} shards` : `${holders} shards (the honest workers')`;
  const cut = `${partition.def.name} cuts ${shape.train} training examples into ${among}`;
  if (smallest < 1) {
    const [path, ...near] = [...train, ['workers']];
    out.push({ path, near, message: `${shape.train} training examples cannot give each of the ${holders} data-holding workers a shard (${cut}; the smallest would be empty)` });
  } else if (s.data.batchSize > smallest) {
    out.push({
      path: ['data', 'batchSize'],
      near: [...train, ['workers']],
      message: `${s.data.batchSize} examples per minibatch (data.batchSize) is more than the smallest worker shard holds: ${smallest} (${cut}); lower batchSize to at most ${smallest}`,
    });
  }
  let dim;
  try {
    dim = model.def.create(model.params, modelShape(shape, s.loss)).dim;
  } catch (err) {
    // A model that cannot take this data (a CNN on data without images, a binary model on 10 classes).
    return [...out, { path: ['model'], near: [['data', 'dataset']], message: `${s.model} cannot be built for ${dataset.def.name}: ${(err as Error).message}` }];
  }
  for (const finding of checkSize(s, dataset.def.name, shape, dim)) out.push(finding);
  return out;
}

/**
 * With `missing: drop` the rule receives as few as `quorum` inputs in a round
 * that reaches its quorum; if the rule refuses that many, every such round
 * would be skipped and the model would never move. (A round that ends at the
 * timeout with fewer inputs than the rule accepts, after drops or late
 * gradients, is skipped and traced as `aggregate-skipped`.)
 */
function checkDroppedInputs(s: Scenario, n: number, f: number, registries: Registries): Finding[] {
  if (s.server.missing !== 'drop' || f >= n) return [];
  let aggregator;
  try {
    aggregator = createAggregator(s.aggregator, registries);
  } catch {
    return []; // reported by checkAggregator
  }
  const { requirement } = aggregator;
  if (!requirement.check(n, f)) return []; // reported by checkAggregator
  const q = resolveQuorum(s);
  if (q < n && !requirement.check(q, f)) {
    return [
      {
        path: ['server', 'quorum'],
        message:
          `with missing: drop the rule may receive only ${q} inputs, and ${aggregator.name} requires ` +
          `${requirement.text} (n=${q}, f=${f}): raise the quorum or use missing: zero`,
      },
    ];
  }
  return [];
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

/** An adaptive schedule that looks at gradients or the rule needs an adversary that sees them. */
function scheduleNeeds(s: Scenario, needs: { honest?: boolean; rule?: boolean }): Finding[] {
  const path = ['byzantine', 'schedule'];
  const out: Finding[] = [];
  const spec = s.byzantine.schedule;
  if (needs.rule && s.adversary.knows !== 'rule') {
    out.push({ path, message: `${spec} needs the server's rule (adversary.knows: rule); adversary.knows is ${s.adversary.knows}` });
  }
  if (needs.honest) {
    try {
      const { def, params } = knowledgeModels.resolveSpec(knowledgeSpec(s.adversary));
      if (!def.observes(params)) out.push({ path, message: `${spec} needs to see honest gradients, but adversary.knowledge is ${knowledgeSpec(s.adversary)}` });
    } catch {
      // a bad knowledge spec is reported where it is checked
    }
  }
  return out;
}

function checkSchedule(s: Scenario): Finding[] {
  const n = s.workers;
  const f = s.byzantine.f;
  const { schedule, script } = s.byzantine;
  const resolved = checkVariant(schedules, schedule, ['byzantine', 'schedule']);
  if ('message' in resolved) return [resolved];
  if (!resolved.def.scripted) {
    return [
      ...scheduleNeeds(s, resolved.def.needs?.(resolved.options) ?? {}),
      ...(script === undefined ? [] : [{ path: ['byzantine', 'script'], message: `only allowed with schedule: scripted (schedule is ${schedule})` }]),
    ];
  }
  if (script === undefined) {
    return [{ path: ['byzantine', 'script'], message: 'missing (required when schedule is scripted)' }];
  }

  const out: Finding[] = [];
  const ranges: { first: number; last: number; entry: number }[] = [];
  script.forEach((entry, i) => {
    const at = (...rest: PropertyKey[]): Path => ['byzantine', 'script', i, ...rest];
    const { first, last } = parseRoundRange(entry.rounds);
    if (first < 1) out.push({ path: at('rounds'), message: `rounds count from 1 (got ${quote(entry.rounds)})` });
    if (first > last) out.push({ path: at('rounds'), message: `range must have a ≤ b (got ${quote(entry.rounds)})` });
    else ranges.push({ first, last, entry: i });

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
  for (const finding of overlaps(ranges)) out.push(finding);
  return out;
}

/**
 * Entries whose rounds overlap an earlier entry's, each reported once, naming
 * one entry it overlaps: a sweep over the ranges sorted by first round, which
 * keeps the range reaching furthest so far (any earlier-starting range that
 * overlaps the current one, that one does too). O(k log k) for k entries.
 */
function overlaps(ranges: { first: number; last: number; entry: number }[]): Finding[] {
  const sorted = ranges.slice().sort((a, b) => a.first - b.first || a.entry - b.entry);
  const reported = new Set<number>();
  const out: Finding[] = [];
  let furthest: (typeof ranges)[number] | undefined;
  for (const range of sorted) {
    if (furthest !== undefined && range.first <= furthest.last) {
      // Reported on whichever of the two comes later in the file, naming the earlier one.
      const [later, earlier] = range.entry > furthest.entry ? [range, furthest] : [furthest, range];
      if (!reported.has(later.entry)) {
        reported.add(later.entry);
        out.push({
          path: ['byzantine', 'script', later.entry, 'rounds'],
          message: `overlaps byzantine.script[${earlier.entry}] (rounds ${earlier.first}-${earlier.last})`,
        });
      }
    }
    if (furthest === undefined || range.last > furthest.last) furthest = range;
  }
  return out;
}

function checkDistribution(path: Path, d: Distribution): Finding[] {
  if (d.kind === 'uniform' && d.min > d.max) {
    return [{ path, message: `uniform needs min ≤ max (min=${d.min}, max=${d.max})` }];
  }
  return [];
}

function checkAggregator(spec: string, n: number, f: number, registries: Registries, allowInExpectation: boolean): Finding[] {
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
  // A rule's requirement holds at f = 0 too (krum needs n ≥ 3, krum(m) m ≤ n): the server hands it n inputs and f.
  if (!aggregator.requirement.check(n, f)) {
    return [{ path, message: `${aggregator.name} requires ${aggregator.requirement.text} (n=${n}, f=${f})` }];
  }
  if (aggregator.requirement.inExpectation && f > 0 && !allowInExpectation) {
    return [{ path, message: inExpectationRisk(aggregator.spec) }];
  }
  return [];
}

/** server.trusted: needed by a rule that scores inputs against the server's own gradient (fltrust), and only by one. */
function checkTrusted(s: Scenario, registries: Registries): Finding[] {
  let needs: boolean;
  try {
    needs = createAggregator(s.aggregator, registries).needsReference === true;
  } catch {
    return []; // a bad spec is reported at aggregator
  }
  if (needs && s.server.trusted === 0) {
    return [{ path: ['aggregator'], near: [['server']], message: `${s.aggregator} scores the inputs against the server's own gradient on trusted data: give the server trusted training examples with server.trusted (FLTrust's root dataset has 100)` }];
  }
  if (!needs && s.server.trusted > 0) {
    return [{ path: ['server', 'trusted'], message: `only used by a rule that needs the server's trusted gradient (fltrust); the aggregator is ${s.aggregator}` }];
  }
  return [];
}

/** monna trusts one worker's input every round: that worker must exist and always have an input. */
function checkPivot(s: Scenario): Finding[] {
  const stage = parseSpecSafe(s.aggregator).find((st) => st.name === 'monna');
  if (!stage) return [];
  const pivot = stage.params.pivot ?? 0;
  const out: Finding[] = [];
  if (pivot >= s.workers) out.push({ path: ['aggregator'], near: [['workers']], message: `monna's pivot is worker ${pivot}, but the workers are 0 to ${s.workers - 1}` });
  if (s.server.missing === 'drop') {
    out.push({ path: ['server', 'missing'], near: [['aggregator']], message: `monna needs its pivot's input every round: with drop, a round the pivot misses has none; use missing: zero` });
  }
  return out;
}

function checkAttack(s: Scenario, n: number, f: number): Finding[] {
  const spec = s.attack;
  if (isNoAttack(spec)) {
    const flood: Finding[] = s.adversary.flood > 0 ? [{ path: ['adversary', 'flood'], message: 'a flood is sent by Byzantine workers: it needs an attack and byzantine.f ≥ 1' }] : [];
    return [...flood, ...checkKnowledge(s, undefined)];
  }
  let attack;
  try {
    attack = createAttack(spec);
  } catch (err) {
    if (err instanceof SpecError) return [{ path: ['attack'], message: err.message }, ...checkKnowledge(s, undefined)];
    throw err;
  }

  const out: Finding[] = [];
  if (f === 0) out.push({ path: ['attack'], message: `${spec} needs Byzantine workers, but byzantine.f is 0` });
  out.push(...checkKnowledge(s, attack.needs.honest ? attack.name : undefined));
  const { knows } = s.adversary;
  if (attack.needs.rule === 'rule' && knows !== 'rule') {
    out.push({ path: ['attack'], message: `${attack.name} needs the server's rule (adversary.knows: rule); adversary.knows is ${knows}` });
  }
  if ((attack.needs.own || attack.needs.labels) && s.data.byzantine === 'none' && fixedSchedule(s)) {
    out.push({
      path: ['attack'],
      near: [['data', 'byzantine']],
      message: `${attack.name} needs its workers' own data (data.byzantine: shards or all); data.byzantine is none, and under the ${s.byzantine.schedule} schedule the Byzantine workers hold no shard`,
    });
  }
  if (attack.needs.rule === 'pool' && knows === 'nothing') {
    out.push({ path: ['attack'], message: `${attack.name} needs the rule pool (adversary.knows: pool or rule); adversary.knows is ${knows}` });
  }
  return out;
}

/** Whether the Byzantine set is the same in every round (the data is then split among the honest workers only). */
function fixedSchedule(s: Scenario): boolean {
  try {
    return schedules.resolveSpec(s.byzantine.schedule).def.fixed !== undefined;
  } catch {
    return false;
  }
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
  /** Each mapping's pairs by key, built on first use: a lookup per path segment stays O(1). */
  private readonly index = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
    /** Each alias's node (resolveAliases). */
    private readonly aliases: ReadonlyMap<Alias, YamlNode>,
  ) {}

  /**
   * The value at `path`, or the nearest ancestor written in the file; with
   * `near`, the first of `path` and `near` that the file writes, named by
   * its own path.
   */
  at(path: Path, message: string, near: readonly Path[] = []): ScenarioIssue {
    const written = [path, ...near].find((p) => this.walk(p).complete) ?? path;
    return { ...this.place(this.nearest(written)), path: formatPath(written), message };
  }

  /** The key `key` of the mapping at `path` (for unknown keys). */
  atKey(path: Path, key: string, message: string): ScenarioIssue {
    const map = this.resolve(this.walk(path).node);
    let keyNode: YamlNode | undefined;
    if (isMap(map)) {
      const pair = this.pair(map, key);
      if (pair && isNodeLike(pair.key)) keyNode = pair.key;
    }
    return { ...this.place(keyNode ?? this.nearest(path)), path: formatPath([...path, key]), message };
  }

  private pair(map: YAMLMap, key: string): Pair | undefined {
    let pairs = this.index.get(map);
    if (pairs === undefined) {
      pairs = new Map();
      for (const p of map.items) {
        const name = keyName(p.key);
        if (name !== undefined && !pairs.has(name)) pairs.set(name, p);
      }
      this.index.set(map, pairs);
    }
    return pairs.get(key);
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
        const pair = this.pair(node, String(segment));
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
    if (isAlias(node)) return this.aliases.get(node) ?? node;
    return node;
  }
}

function isNodeLike(value: unknown): value is YamlNode {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

function nodeOf(value: unknown): YamlNode | undefined {
  return isNodeLike(value) ? value : undefined;
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
