/**
 * `byzsim aggregate --rule <spec|module> --f <f> --input <file> [--output <file>] [--seed <n>]`:
 * apply one rule to vectors from a file, without the simulator — for checking a
 * rule against another implementation, or using byzsim's rules from Python.
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
 * Randomized rules draw from the `server` stream of `--seed` (default 1), the
 * stream they use in a run, so the same seed gives the same aggregate.
 *
 * A rule whose requirement holds only in expectation (after resample-wr) is
 * refused for f > 0 unless --allow-in-expectation is given, as in a scenario.
 *
 * Exit status 0 (also for a non-finite outcome, which is a result), or 2 for a
 * user mistake (missing or malformed file, bad spec, (n, f) not meeting the
 * rule's requirement), printed without a stack trace.
 */
import { extname } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createAggregator } from '../aggregators/index.ts';
import { inExpectationRisk } from '../aggregators/compose.ts';
import { isFiniteVector } from '../kernels/vector.ts';
import type { Aggregator } from '../aggregators/types.ts';
import { loadRuleModules } from '../scenario/modules.ts';
import { createRng } from '../sim/rng.ts';
import { SpecError } from '../spec.ts';
import { VectorsError, float32Json, readVectors, vectorJson, writeVectors } from '../io/vectors.ts';

export interface AggregateOptions {
  rule: string;
  f: number;
  seed?: number;
  input: string;
  output?: string;
  allowInExpectation?: boolean;
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
async function run({ rule, f, seed = 1, input, output, allowInExpectation = false }: AggregateOptions): Promise<string | undefined> {
  if (!Number.isInteger(f) || f < 0) throw new AggregateError(`--f: must be a non-negative integer (got ${f})`);
  if (!Number.isFinite(seed)) throw new AggregateError(`--seed: must be a number (got ${seed})`);
  const outputFormat = output === undefined ? undefined : extname(output).toLowerCase();
  if (outputFormat !== undefined && outputFormat !== '.json' && outputFormat !== '.npy') {
    throw new AggregateError(`--output: ${output}: unknown format '${outputFormat || 'no extension'}' (use .npy or .json)`);
  }
  const { registries } = await loadRuleModules(rule, process.cwd());
  const aggregator = createAggregator(rule, registries);
  const vectors = readVectors(input);
  const n = vectors.length;
  if (n === 0) throw new AggregateError(`${input}: no vectors`);
  const d = vectors[0].length;
  if (!aggregator.requirement.check(n, f)) {
    throw new AggregateError(`${aggregator.spec} requires ${aggregator.requirement.text} (got n=${n}, f=${f} from ${input})`);
  }
  if (aggregator.requirement.inExpectation && f > 0 && !allowInExpectation) {
    throw new AggregateError(inExpectationRisk(aggregator.spec, 'pass --allow-in-expectation'));
  }
  const nonFiniteInputs = vectors.flatMap((v, i) => (isFiniteVector(v) ? [] : [i]));

  const { aggregate, diagnostics } = aggregator.aggregate(vectors, { f, rng: createRng(seed, 'server') });
  const finite = isFiniteVector(aggregate);
  if (!finite) console.error(nonFiniteWarning(aggregator, aggregate, nonFiniteInputs, f));
  if (outputFormat === '.npy') {
    writeVectors(output!, aggregate);
    return undefined;
  }
  const text = resultJson(aggregator, { n, f, d, seed, nonFiniteInputs, finite, aggregate, diagnostics });
  if (output === undefined) return text;
  try {
    writeFileSync(output, `${text}\n`);
  } catch (err) {
    throw new AggregateError(`--output: ${output}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return undefined;
}

/** One key per line; each value compact, so a long aggregate stays on one line. */
function resultJson(
  aggregator: Aggregator,
  r: { n: number; f: number; d: number; seed: number; nonFiniteInputs: number[]; finite: boolean; aggregate: Float32Array; diagnostics: object },
): string {
  const fields: [string, unknown][] = [
    ['rule', aggregator.spec],
    ['n', r.n],
    ['f', r.f],
    ['d', r.d],
    ['seed', r.seed],
    ['nonFiniteInputs', r.nonFiniteInputs],
    ['outcome', r.finite ? 'finite' : 'non-finite'],
    ['aggregate', vectorJson(r.aggregate)],
    ['diagnostics', r.diagnostics],
  ];
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
