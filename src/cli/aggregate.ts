/**
 * `byzsim aggregate --rule <spec|module> --f <f> --input <file> [--output <file>] [--seed <n>] [--reference <file>]`:
 * apply one rule, or pre-aggregators alone, to vectors from a file, without
 * the simulator — for checking a rule or a stage against another
 * implementation, or using byzsim's rules from Python.
 *
 * <rule> is a spec (`cwtm`, `krum(m=2)`, `nnm > cwtm`) in which a rule may be
 * a user's module (`./my-rule.ts`, `nnm > ./my-rule.ts`): a path ending in
 * .ts/.mts/.js/.mjs, resolved from the working directory, whose default export
 * is made with defineAggregator (src/scenario/modules.ts), joined to a
 * registry derived from the shared one under the path as written.
 *
 * Input: .npy (float32/float64, n × d) or .json (array of n arrays of d numbers).
 * Output: without --output, a JSON object on stdout,
 *   { "rule", "n", "f", "d", "seed", "nonFiniteInputs": [...], "outcome",
 *     "aggregate": [...], "diagnostics": {...} };
 * `nonFiniteInputs` lists the rows holding NaN or ±Infinity, and `outcome` is
 * "finite" or "non-finite": what a run counts as a non-finite aggregate (and
 * refuses as a step), also said on stderr.
 * with --output, the same object to a .json file, or the aggregate alone as a
 * 1-D float32 .npy. In JSON, NaN and ±Infinity are the strings "NaN",
 * "Infinity" and "-Infinity", and numbers are the shortest decimals that read
 * back as the same float32.
 *
 * Randomized rules and stages draw from the `server` stream of `--seed`
 * (default 1), the stream they use in a run, so the same seed gives the same
 * aggregate (or outputs).
 *
 * A rule whose requirement holds only in expectation (after resample-wr) is
 * refused for f > 0 unless --allow-in-expectation is given, as in a scenario.
 *
 * A spec of pre-aggregators only (`nnm`, `nnm > bucketing(s=2)`) is applied
 * as the stages of a composition would be, each with the f′ of the one
 * before, and gives their n′ × d outputs instead of an aggregate:
 *   { "stage", "n", "f", "d", "seed", "nonFiniteInputs", "nOut", "fOut",
 *     "bound", "nonFiniteOutputs", "outputs": [[...], ...], "sources": [...],
 *     "diagnostics": { "stages": [...] } };
 * (nOut, fOut) are the last stage's (n′, f′), `bound` says whether f′ holds
 * for every draw (`worst-case`) or in expectation only (`expected`, after
 * resample-wr), `sources[k]` lists the inputs output k was computed from, and
 * `diagnostics.stages` is what a composition records. With --output the
 * object goes to a .json file, or the outputs alone to a float32 .npy of
 * shape [n′, d], which --input reads back. Non-finite outputs are a result,
 * not a warning: the stages pass non-finite inputs on to the rule.
 *
 * Exit status 0 (also for a non-finite outcome, which is a result), or 2 for a
 * user mistake (missing or malformed file, bad spec, (n, f) not meeting the
 * rule's requirement), printed without a stack trace.
 */
import { extname } from 'node:path';
import { writeFileSync } from 'node:fs';
import { aggregators, createAggregator, type Registries } from '../aggregators/index.ts';
import { applyStages, inExpectationRisk } from '../aggregators/compose.ts';
import { createPreAggregator, preaggregators } from '../preaggregators/index.ts';
import type { PreAggregator } from '../preaggregators/types.ts';
import { isFiniteVector } from '../kernels/vector.ts';
import type { Aggregator } from '../aggregators/types.ts';
import { loadRuleModules } from '../scenario/modules.ts';
import { createRng } from '../sim/rng.ts';
import { parseSpec, SpecError } from '../spec.ts';
import { VectorsError, float32Json, readVectors, vectorJson, writeVectors } from '../io/vectors.ts';

export interface AggregateOptions {
  rule: string;
  f: number;
  seed?: number;
  input: string;
  output?: string;
  allowInExpectation?: boolean;
  /** The server's trusted gradient, for fltrust. */
  reference?: string;
}

class AggregateError extends Error {}

export async function aggregateCommand(opts: AggregateOptions): Promise<number> {
  try {
    const text = await run(opts);
    if (text !== undefined) console.log(text);
    return 0;
  } catch (err) {
    if (err instanceof AggregateError || err instanceof VectorsError || err instanceof SpecError) {
      console.error(`byzsim aggregate: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** Returns the text for stdout, or undefined when the result went to --output. */
/** --reference: the server's trusted gradient, one vector of dimension d, for a rule that needs it (fltrust), and only then. */
function readReference(file: string | undefined, needed: boolean, d: number): Float32Array | undefined {
  if (!needed) {
    if (file !== undefined) throw new AggregateError('--reference: only a rule that scores against the server’s trusted gradient (fltrust) takes one');
    return undefined;
  }
  if (file === undefined) throw new AggregateError('--reference <file>: this rule scores the inputs against the server’s trusted gradient g₀; give it as one vector (.json or .npy)');
  const rows = readVectors(file);
  if (rows.length !== 1 || rows[0].length !== d) throw new AggregateError(`--reference: ${file} must hold one vector of dimension ${d} (got ${rows.length} of dimension ${rows[0]?.length ?? 0})`);
  return rows[0];
}

async function run({ rule, f, seed = 1, input, output, allowInExpectation = false, reference }: AggregateOptions): Promise<string | undefined> {
  if (!Number.isInteger(f) || f < 0) throw new AggregateError(`--f: must be a non-negative integer (got ${f})`);
  if (!Number.isFinite(seed)) throw new AggregateError(`--seed: must be a number (got ${seed})`);
  const outputFormat = output === undefined ? undefined : extname(output).toLowerCase();
  if (outputFormat !== undefined && outputFormat !== '.json' && outputFormat !== '.npy') {
    throw new AggregateError(`--output: ${output}: unknown format '${outputFormat || 'no extension'}' (use .npy or .json)`);
  }
  const { registries } = await loadRuleModules(rule, process.cwd());
  const stages = preAggregation(rule, registries);
  const aggregator = stages ? undefined : createAggregator(rule, registries);
  const vectors = readVectors(input);
  const n = vectors.length;
  if (n === 0) throw new AggregateError(`${input}: no vectors`);
  const d = vectors[0].length;
  if (!aggregator) return preAggregate(stages!, { n, f, d, seed, input, output, outputFormat, vectors });
  if (!aggregator.requirement.check(n, f)) {
    throw new AggregateError(`${aggregator.spec} requires ${aggregator.requirement.text} (got n=${n}, f=${f} from ${input})`);
  }
  if (aggregator.requirement.inExpectation && f > 0 && !allowInExpectation) {
    throw new AggregateError(inExpectationRisk(aggregator.spec, 'pass --allow-in-expectation'));
  }
  const nonFiniteInputs = vectors.flatMap((v, i) => (isFiniteVector(v) ? [] : [i]));

  const trusted = readReference(reference, aggregator.needsReference === true, d);
  const { aggregate, diagnostics } = aggregator.aggregate(vectors, { f, rng: createRng(seed, 'server'), ...(trusted ? { reference: trusted } : {}) });
  const finite = isFiniteVector(aggregate);
  if (!finite) console.error(nonFiniteWarning(aggregator, aggregate, nonFiniteInputs, f));
  if (outputFormat === '.npy') {
    writeVectors(output!, aggregate);
    return undefined;
  }
  const text = resultJson([
    ['rule', aggregator.spec],
    ['n', n],
    ['f', f],
    ['d', d],
    ['seed', seed],
    ['nonFiniteInputs', nonFiniteInputs],
    ['outcome', finite ? 'finite' : 'non-finite'],
    ['aggregate', vectorJson(aggregate)],
    ['diagnostics', diagnostics],
  ]);
  return written(text, output);
}

/** The stages of a spec made of pre-aggregators only; undefined when it ends in a rule (or names what neither registry has). */
function preAggregation(spec: string, registries: Registries): PreAggregator[] | undefined {
  const { aggregators: rules = aggregators, preaggregators: stages = preaggregators } = registries;
  const parsed = parseSpec(spec);
  const last = parsed[parsed.length - 1];
  if (rules.has(last.name) || !stages.has(last.name)) return undefined;
  for (const stage of parsed) {
    if (!stages.has(stage.name) && rules.has(stage.name)) {
      throw new SpecError(`'${spec}': ${stage.name} is a rule; only the last stage of a composition may be a rule`);
    }
  }
  return parsed.map((stage) => createPreAggregator(stage, stages));
}

/** Applies the stages alone: their outputs, counts and diagnostics, as the header describes. */
function preAggregate(
  stages: readonly PreAggregator[],
  r: { n: number; f: number; d: number; seed: number; input: string; output?: string; outputFormat?: string; vectors: Float32Array[] },
): string | undefined {
  const spec = stages.map((s) => s.spec).join(' > ');
  let counts = { n: r.n, f: r.f };
  stages.forEach((stage, i) => {
    if (!stage.requirement.check(counts.n, counts.f)) {
      const from = i === 0 ? `from ${r.input}` : `after ${stages.slice(0, i).map((s) => s.spec).join(' > ')}`;
      throw new AggregateError(`${stage.spec} requires ${stage.requirement.text} (got n=${counts.n}, f=${counts.f} ${from})`);
    }
    counts = stage.transform(counts.n, counts.f);
  });
  const out = applyStages(stages, r.vectors, { f: r.f, rng: createRng(r.seed, 'server') }, spec);
  if (r.outputFormat === '.npy') {
    writeVectors(r.output!, out.vectors);
    return undefined;
  }
  const text = resultJson([
    ['stage', spec],
    ['n', r.n],
    ['f', r.f],
    ['d', r.d],
    ['seed', r.seed],
    ['nonFiniteInputs', r.vectors.flatMap((v, i) => (isFiniteVector(v) ? [] : [i]))],
    ['nOut', out.vectors.length],
    ['fOut', out.f],
    ['bound', out.bound],
    ['nonFiniteOutputs', out.vectors.flatMap((v, i) => (isFiniteVector(v) ? [] : [i]))],
    ['outputs', out.vectors.map(vectorJson)],
    ['sources', out.origin],
    ['diagnostics', { stages: out.stages }],
  ]);
  return written(text, r.output);
}

/** The text for stdout, or undefined once written to --output. */
function written(text: string, output: string | undefined): string | undefined {
  if (output === undefined) return text;
  try {
    writeFileSync(output, `${text}\n`);
  } catch (err) {
    throw new AggregateError(`--output: ${output}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return undefined;
}

/** One key per line; each value compact, so a long aggregate stays on one line. */
function resultJson(fields: [string, unknown][]): string {
  const lines = fields.map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value, nonFinite)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** What stderr says of a non-finite aggregate: how many coordinates, from how many non-finite inputs, and what a run does. */
function nonFiniteWarning(aggregator: Aggregator, aggregate: Float32Array, inputs: number[], f: number): string {
  let bad = 0;
  for (const x of aggregate) if (!Number.isFinite(x)) bad++;
  const rows = `${inputs.length === 1 ? 'row' : 'rows'} ${inputs.join(', ')}`;
  const why =
    inputs.length === 0
      ? 'from finite inputs (their sum overflowed float32)'
      : inputs.length > f
        ? `from ${inputs.length} non-finite inputs (${rows}), more than f = ${f}`
        : `from ${inputs.length} non-finite input${inputs.length === 1 ? '' : 's'} (${rows}): ${aggregator.name} does not hold against them`;
  return `byzsim aggregate: the aggregate is non-finite in ${bad} of ${aggregate.length} coordinates, ${why}; a run refuses such a step and counts it`;
}

/** JSON replacer: typed arrays as arrays, non-finite numbers as strings (see the header). */
function nonFinite(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'number' && !Number.isFinite(value)) return float32Json(value);
  return value;
}
