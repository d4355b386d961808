/**
 * `byzsim attack --attack <spec> --n <n> --f <f> --input <file> [--rule <spec|module>]
 *  [--own <file>] [--output <file>] [--seed <s>]`: craft one round's Byzantine
 * vectors from honest gradients in a file, without the simulator — for
 * checking an attack against another implementation, or using byzsim's
 * attacks from Python.
 *
 * --input holds the honest gradients the adversary saw this round, one row
 * each (.npy float32/float64 [k, d], or .json, the readers of `byzsim
 * aggregate`): k = n − f for an omniscient adversary, fewer for one that saw
 * only k of them (the rule-aware attacks then complete them with copies of
 * their mean, MixTailor A.1.2). The context is the one a run gives an
 * omniscient adversary (attackContext): the Byzantine workers are the last f,
 * the server tolerates f, θ is zero, the round is 1.
 *
 * --rule gives the attack a private instance of the server's rule (any spec
 * `byzsim aggregate` takes, a user's module included), drawing from the
 * `adversary/rule` stream of --seed, and the pool of its members (MixTailor's;
 * any other rule is a pool of one); an attack that needs the rule or the pool
 * is refused without it. --own gives the Byzantine workers' own gradients
 * ([f, d]) to an attack that needs them. An attack that needs past θ, or a
 * data-level one (labelflip), is refused: they only make sense in a run.
 * Randomized attacks draw from the `adversary` stream of --seed (default 1),
 * the stream they use in a run.
 *
 * Output: without --output, a JSON object on stdout,
 *   { "attack", "rule", "n", "f", "d", "seed", "vectors": [[...], ...] }
 * ("rule" is null without --rule); with --output, the f vectors alone, as a
 * float32 .npy of shape [f, d] or a .json array of f arrays (the vectors
 * format, readable by `byzsim aggregate`). Non-finite numbers in JSON as in
 * `byzsim aggregate`.
 *
 * Exit status 0, or 2 for a user mistake (missing or malformed file, bad
 * spec, a shape or (n, f) that does not fit, an attack that needs what was
 * not given or that only a run can play), printed in one line without a
 * stack trace.
 */
import { extname } from 'node:path';
import { createAggregator } from '../aggregators/index.ts';
import { withMedianReference } from '../aggregators/reference.ts';
import type { Aggregator } from '../aggregators/types.ts';
import { attackContext, createAttack, isNoAttack } from '../attacks/index.ts';
import type { Attack } from '../attacks/types.ts';
import { loadRuleModules } from '../scenario/modules.ts';
import { createRng, type Rng } from '../sim/rng.ts';
import { UserError } from '../errors.ts';
import { readVectors, vectorJson, writeVectors } from '../io/vectors.ts';

export interface AttackOptions {
  attack: string;
  n: number;
  f: number;
  input: string;
  rule?: string;
  own?: string;
  output?: string;
  seed?: number;
}

class AttackCommandError extends UserError {}

export async function attackCommand(opts: AttackOptions): Promise<number> {
  try {
    const text = await run(opts);
    if (text !== undefined) console.log(text);
    return 0;
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`byzsim attack: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** Returns the text for stdout, or undefined when the vectors went to --output. */
async function run({ attack: spec, n, f, input, rule: ruleSpec, own: ownFile, output, seed = 1 }: AttackOptions): Promise<string | undefined> {
  if (!Number.isInteger(f) || f < 1) throw new AttackCommandError(`--f: must be an integer ≥ 1, the number of Byzantine vectors to craft (got ${f})`);
  if (!Number.isInteger(n) || n <= f) throw new AttackCommandError(`--n: must be an integer > f (got n=${n}, f=${f})`);
  if (!Number.isFinite(seed)) throw new AttackCommandError(`--seed: must be a number (got ${seed})`);
  const outputFormat = output === undefined ? undefined : extname(output).toLowerCase();
  if (outputFormat !== undefined && outputFormat !== '.json' && outputFormat !== '.npy') {
    throw new AttackCommandError(`--output: ${output}: unknown format '${outputFormat || 'no extension'}' (use .npy or .json)`);
  }
  if (isNoAttack(spec)) throw new AttackCommandError(`--attack: none crafts nothing; name an attack (byzsim list shows them)`);
  const attack = createAttack(spec);
  refuseRunOnly(attack);

  const observed = readVectors(input);
  if (observed.length === 0) throw new AttackCommandError(`${input}: no vectors`);
  if (observed.length > n - f) {
    throw new AttackCommandError(`${input}: ${observed.length} honest gradients, but n − f = ${n - f} workers are honest (n=${n}, f=${f})`);
  }
  const d = observed[0].length;

  const knowledge: Partial<RuleKnowledge> = ruleSpec === undefined ? {} : await ruleKnowledge(ruleSpec, n, f, createRng(seed, 'adversary/rule'));
  if (attack.needs.rule && ruleSpec === undefined) {
    const what = attack.needs.rule === 'rule' ? 'the server’s rule' : 'the rule pool';
    throw new AttackCommandError(`${attack.name} needs ${what}: give it with --rule <spec>`);
  }
  let own: Float32Array[] = [];
  if (attack.needs.own) {
    if (ownFile === undefined) throw new AttackCommandError(`${attack.name} needs its workers’ own gradients: give them with --own <file> (shape [f, d] = [${f}, ${d}])`);
    own = readVectors(ownFile);
    if (own.length !== f || own[0].length !== d) {
      throw new AttackCommandError(`--own: ${ownFile}: shape [${own.length}, ${own[0]?.length ?? 0}], expected [f, d] = [${f}, ${d}]`);
    }
  }

  const vectors = attack.craft(
    attackContext({
      observed,
      theta: new Float32Array(d),
      n,
      f,
      round: 1,
      rng: createRng(seed, 'adversary'),
      ...(attack.needs.own ? { own } : {}),
      ...knowledge,
    }),
  );
  if (output !== undefined) {
    writeVectors(output, vectors);
    return undefined;
  }
  return resultJson({ attack: attack.spec, rule: knowledge.rule?.spec ?? null, n, f, d, seed, vectors });
}

/** Attacks that only a run can play: one that needs past θ, or a data-level one. */
function refuseRunOnly(attack: Attack): void {
  if (attack.needs.labels) {
    throw new AttackCommandError(`${attack.name} is a data-level attack (its workers train on altered labels): it only makes sense in a run (byzsim run)`);
  }
  if (attack.needs.history) {
    throw new AttackCommandError(`${attack.name} needs the θ of past rounds: it only makes sense in a run (byzsim run)`);
  }
}

interface RuleKnowledge {
  rule: Aggregator;
  pool: Aggregator[];
}

/**
 * What --rule tells the attack, as a run gives it (src/run/run.ts): a private
 * instance drawing from its own stream, and the pool's members.
 */
async function ruleKnowledge(spec: string, n: number, f: number, rng: Rng): Promise<RuleKnowledge> {
  const { registries } = await loadRuleModules(spec, process.cwd());
  const rule = createAggregator(spec, registries);
  if (!rule.requirement.check(n, f)) throw new AttackCommandError(`--rule: ${rule.spec} requires ${rule.requirement.text} (got n=${n}, f=${f})`);
  // Never the server's trusted gradient (fltrust's g₀): the adversary does not hold the server's data.
  const withStream = (given: Aggregator): Aggregator => {
    const r = withMedianReference(given);
    return { ...r, aggregate: (v, ctx) => r.aggregate(v, { f: ctx.f, rng: ctx.rng ?? rng }) };
  };
  return { rule: withStream(rule), pool: (rule.members ?? [rule]).map(withStream) };
}

/** One key per line; each vector compact, on its own line. */
function resultJson(r: { attack: string; rule: string | null; n: number; f: number; d: number; seed: number; vectors: Float32Array[] }): string {
  const head = (['attack', 'rule', 'n', 'f', 'd', 'seed'] as const).map((key) => `  ${JSON.stringify(key)}: ${JSON.stringify(r[key])}`);
  const rows = r.vectors.map((v) => `    ${JSON.stringify(vectorJson(v))}`);
  return `{\n${head.join(',\n')},\n  "vectors": [\n${rows.join(',\n')}\n  ]\n}`;
}
