/**
 * `byzsim swarm --seed S --runs N [--first I] [--rounds R] [--out DIR]`:
 * swarm testing, as TigerBeetle's VOPR does it. Each run draws a whole
 * scenario from the seed — sizes, rule and pre-aggregators, attack, what the
 * adversary knows and sees, its schedule, the network's delays, drops,
 * duplicates and ordering, the server's quorum, timeout and missing policy,
 * compute and crafting times, a small synthetic task — prints what it drew,
 * checks it as `byzsim validate` would, runs it with the online checkers on
 * (src/sim/checkers/), then replays it in the same process, sliced, and
 * compares every event line and the trace hash.
 *
 * Run i is drawn from (S, i) alone: its streams are `swarm/<i>/<component>`
 * split from S as a run's are (src/sim/rng.ts), one per component, so that
 * `--seed S --first i --runs 1` draws run i again, and a new draw in one
 * component never shifts another's. Variants come from the registries, so a
 * new rule, attack, schedule or knowledge model is drawn the day it is
 * registered; its parameters are drawn within their declared ranges, narrowed
 * by SENSIBLE where a declared range is open or would make a run slow.
 *
 * At the first failure — a scenario validation refuses (a bug of this
 * generator), a checker violation, a run that throws, a replay that differs —
 * it writes the scenario as a YAML file (to --out, else a new temporary
 * directory) with the commands that reproduce it, and exits 1.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRng, createStreams, type Rng } from '../sim/rng.ts';
import type { ParamDeclaration, Registry, Variant } from '../registry.ts';
import { aggregators, createAggregator, preaggregators } from '../aggregators/index.ts';
import type { Requirement } from '../aggregators/types.ts';
import { attacks, createAttack } from '../attacks/index.ts';
import type { AttackNeeds } from '../attacks/types.ts';
import { schedules } from '../adversary/schedules/index.ts';
import { knowledgeModels } from '../adversary/knowledge/index.ts';
import { schedulingStrategies } from '../adversary/scheduling/index.ts';
import { orderings } from '../sim/orderings/index.ts';
import { datasets } from '../learning/datasets/index.ts';
import { partitions } from '../learning/partitions/index.ts';
import { models, modelShape } from '../learning/models/index.ts';
import { lrSchedules } from '../learning/lr-schedules.ts';
import { parseScenarioText, type LoadedScenario } from '../scenario/load.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { ScenarioSchema, type ScenarioInput } from '../scenario/schema.ts';
import { scenarioSplit } from '../run/task.ts';
import { createPlan } from '../run/plan.ts';
import { runPlan } from '../run/run.ts';
import { kernelPath } from '../kernels/path.ts';
import { formatSpec, parseSpec } from '../spec.ts';
import { UsageError } from './backend.ts';
import { CheckerViolation } from '../sim/checkers/index.ts';

export interface SwarmOptions {
  seed: number;
  runs: number;
  /** Index of the first run (default 0). */
  first?: number;
  /** Most rounds per scenario (default SWARM.rounds). */
  rounds?: number;
  /** Where a failing scenario is written (default: a new temporary directory). */
  out?: string;
  /** The --kernels the command was given, repeated in the reproducing commands. */
  kernels?: string;
}

/** Sizes that keep a run small: a thousand drawn scenarios run in a few minutes. */
export const SWARM = {
  /** Default and largest --rounds. */
  rounds: 12,
  maxRounds: 1000,
  workers: 25,
  trainSize: 400,
} as const;

/* ----------------------------------------------------------------------------------
 * Drawing.
 * -------------------------------------------------------------------------------- */

const chance = (rng: Rng, p: number): boolean => rng.next() < p;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];
const intIn = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
/** Three significant digits: specs and YAML stay readable, and every value is exactly what is printed. */
const short = (x: number): number => Number(x.toPrecision(3));
const logIn = (rng: Rng, lo: number, hi: number): number => short(Math.exp(rng.uniform(Math.log(lo), Math.log(hi))));
const linIn = (rng: Rng, lo: number, hi: number): number => short(rng.uniform(lo, hi));

/** A range to draw a parameter from: linear or log-uniform, integer or not. */
interface Range {
  lo: number;
  hi: number;
  log?: boolean;
}

/** What a parameter's sensible range may depend on. */
interface DrawContext {
  n: number;
  f: number;
  classes: number;
}

/**
 * Ranges for parameters whose declared range is open or wider than a small,
 * quick run wants, by `<registry kind>:<variant>.<parameter>` (`*` for every
 * variant of the kind). Always intersected with the declared range. Any other
 * parameter is drawn by `generic`.
 */
const SENSIBLE: Record<string, Range | ((ctx: DrawContext) => Range)> = {
  'aggregator:krum.m': { lo: 1, hi: 4 },
  'aggregator:multikrum.m': { lo: 1, hi: 4 },
  'aggregator:*.p': { lo: 1, hi: 4 },
  'aggregator:geomed.T': { lo: 1, hi: 20 },
  'aggregator:*.nu': { lo: 1e-9, hi: 1e-2, log: true },
  'aggregator:geomed.tol': { lo: 0, hi: 1e-3 },
  // Past maxSubsets search nodes, summed over its bisection, MDA throws mid-run (validation cannot foresee
  // it; a budget below about log2(n²/2) always fails): budgets a search of n ≤ 25 inputs completes within.
  'aggregator:mda.maxSubsets': { lo: 1e4, hi: 1e6, log: true },
  'aggregator:cc.tau': { lo: 0.01, hi: 100, log: true },
  'aggregator:cc.L': { lo: 1, hi: 5 },
  // monna's pivot names a worker, so a worker every drawn n has (worker 0); the server then fills a missing input with zero.
  'aggregator:monna.pivot': { lo: 0, hi: 0 },
  'aggregator:smea.maxSubsets': { lo: 1e2, hi: 1e4, log: true },
  'aggregator:dnc.b': { lo: 1, hi: 16 },
  'aggregator:dnc.niters': { lo: 1, hi: 5 },
  'aggregator:dnc.c': { lo: 0, hi: 2 },
  'aggregator:signguard.lower': { lo: 0, hi: 0.5 },
  'aggregator:signguard.upper': { lo: 1, hi: 5 },
  'aggregator:flame.lambda': { lo: 0, hi: 0.01 },
  'aggregator:foolsgold.kappa': { lo: 0.1, hi: 4, log: true },
  'pre-aggregator:bucketing.s': { lo: 1, hi: 6 },
  'pre-aggregator:resample.s': { lo: 1, hi: 3 },
  'pre-aggregator:resample-wr.s': { lo: 1, hi: 3 },
  'pre-aggregator:clip.tau': { lo: 0.01, hi: 100, log: true },
  'attack:signflip.scale': { lo: 0, hi: 10 },
  'attack:alie.z': { lo: -3, hi: 3 },
  'attack:*.eps': { lo: 0, hi: 10 },
  'attack:gaussian.sigma': { lo: 0, hi: 1000 },
  'attack:largenorm.scale': { lo: 1, hi: 1e30, log: true },
  // The searching attacks: lo < hi always (lo ≤ 1 < 2 ≤ hi); a few simulated aggregations each.
  'attack:*.lo': { lo: 1e-3, hi: 1, log: true },
  'attack:*.hi': { lo: 2, hi: 1e3, log: true },
  'attack:*.grid': { lo: 2, hi: 9 },
  'attack:*.refine': { lo: 0, hi: 6 },
  // A worker id, a missing one (≥ n) included.
  'attack:mimic.i': ({ n }) => ({ lo: -1, hi: n }),
  'attack:mimic.warmup': { lo: 1, hi: 4 },
  'knowledge model:partial.k': ({ n, f }) => ({ lo: 0, hi: n - f }),
  'schedule:*.c': ({ classes }) => ({ lo: 0, hi: classes - 1 }),
  'dataset:*.classes': { lo: 2, hi: 6 },
  'dataset:*.trainSize': ({ n }) => ({ lo: Math.max(n, 20), hi: SWARM.trainSize }),
  'dataset:*.features': { lo: 1, hi: 8 },
  'dataset:*.testSize': { lo: 1, hi: 80 },
  'dataset:*.separation': { lo: 0.1, hi: 3, log: true },
};

function sensible(kind: string, variant: string, param: string, ctx: DrawContext): Range | undefined {
  const found = SENSIBLE[`${kind}:${variant}.${param}`] ?? SENSIBLE[`${kind}:*.${param}`];
  return typeof found === 'function' ? found(ctx) : found;
}

/** A value within a parameter's declared range: within `range` when given, else near its default. */
function drawParam(rng: Rng, p: ParamDeclaration, range: Range | undefined): number {
  const min = p.min ?? -Infinity;
  const max = p.max ?? Infinity;
  let { lo, hi, log } = range ?? generic(p);
  lo = Math.max(lo, min);
  hi = Math.min(hi, max);
  let x: number;
  if (p.integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
    x = log && lo > 0 ? Math.min(hi, Math.max(lo, Math.round(logIn(rng, lo, hi)))) : intIn(rng, lo, hi);
  } else {
    x = log && lo > 0 ? logIn(rng, lo, hi) : linIn(rng, lo, hi);
    x = Math.min(hi, Math.max(lo, x));
  }
  // An excluded minimum drawn (or rounded onto): the default, which the declaration accepts (else the top of the range).
  return p.exclusiveMin && x <= min ? (p.default ?? hi) : x;
}

/** A parameter with no SENSIBLE entry: around its default (an `absent` one: its minimum, or 0), a decade either way. */
function generic(p: ParamDeclaration): Range {
  const d = p.default ?? p.min ?? 0;
  if (p.integer) return { lo: p.min ?? Math.min(0, d), hi: Math.max(d * 4, (p.min ?? 0) + 4) };
  if (d > 0) return { lo: d / 10, hi: d * 10, log: true };
  return { lo: p.min ?? d - 1, hi: p.max ?? d + 1 };
}

/** Word options with no `choices` whose values the swarm draws, by `<kind>:<variant>.<option>`. */
const OPTIONS: Record<string, (rng: Rng, ctx: DrawContext) => string> = {
  'aggregator:bulyan.inner': (rng) => pick(rng, ['krum', 'krum(p=1)', 'geomed', 'cwmed', 'cwtm', 'mean', 'mda', 'meamed', 'phocas']),
  'attack:random-eps.eps': (rng) => `[${Array.from({ length: intIn(rng, 1, 3) }, () => linIn(rng, 0, 10)).join(', ')}]`,
};

/**
 * A spec of `def`: each parameter left at its default or drawn (half the
 * time each), each option with choices left or drawn among them; `extra`
 * overrides options (a MixTailor pool). A spec the registry then refuses is
 * a bug of this generator (or an undeclared constraint of the variant).
 */
function drawSpec<D extends Variant>(registry: Registry<D>, def: D, rng: Rng, ctx: DrawContext, extra: Record<string, string> = {}): string {
  const values: Record<string, number | string> = {};
  for (const [key, p] of Object.entries(def.params)) {
    if (chance(rng, 0.5)) values[key] = drawParam(rng, p, sensible(registry.kind, def.name, key, ctx));
  }
  for (const [key, o] of Object.entries(def.options ?? {})) {
    const custom = OPTIONS[`${registry.kind}:${def.name}.${key}`];
    if (key in extra) values[key] = extra[key];
    else if (chance(rng, 0.5) && o.choices) values[key] = pick(rng, o.choices);
    else if (chance(rng, 0.5) && custom) values[key] = custom(rng, ctx);
  }
  return formatSpec(def.name, values);
}

/**
 * A MixTailor pool: the paper's, or a short list of drawn rules (stateless:
 * a rule drawn afresh each round cannot keep state), some after a
 * pre-aggregator, with uniform or drawn weights.
 */
function mixtailorOptions(rng: Rng, ctx: DrawContext): Record<string, string> {
  if (chance(rng, 0.5)) return {};
  const members = aggregators.list().filter((d) => d.name !== 'mixtailor' && !d.stateful);
  const member = () => {
    const rule = drawSpec(aggregators, pick(rng, members), rng, ctx);
    return chance(rng, 0.25) ? `${drawSpec(preaggregators, pick(rng, preaggregators.list()), rng, ctx)} > ${rule}` : rule;
  };
  const pool = Array.from({ length: intIn(rng, 1, 4) }, member);
  const options: Record<string, string> = { pool: `[${pool.join(', ')}]` };
  if (chance(rng, 0.5)) options.weights = `[${pool.map(() => intIn(rng, 1, 3)).join(', ')}]`;
  return options;
}

/** The server's rule: one registered rule after zero, one or two registered pre-aggregators. */
function drawRule(rng: Rng, ctx: DrawContext): string {
  const stages: string[] = [];
  const pres = chance(rng, 0.4) ? (chance(rng, 0.25) ? 2 : 1) : 0;
  for (let i = 0; i < pres; i++) stages.push(drawSpec(preaggregators, pick(rng, preaggregators.list()), rng, ctx));
  const rule = pick(rng, aggregators.list());
  stages.push(drawSpec(aggregators, rule, rng, ctx, rule.name === 'mixtailor' ? mixtailorOptions(rng, ctx) : {}));
  return stages.join(' > ');
}

/** Every (n, f) of the swarm's sizes the requirement accepts: the accepted f (ascending) by n. */
function acceptedCounts(requirement: Requirement): Map<number, number[]> {
  const byN = new Map<number, number[]>();
  for (let n = 1; n <= SWARM.workers; n++) {
    const fs = Array.from({ length: n }, (_, f) => f).filter((f) => requirement.check(n, f));
    if (fs.length > 0) byN.set(n, fs);
  }
  return byN;
}

/** A network delay or compute time: fixed, uniform or lognormal (virtual ms). */
function drawDistribution(rng: Rng, scale: number): Record<string, string | number> {
  switch (pick(rng, ['fixed', 'uniform', 'lognormal'] as const)) {
    case 'fixed':
      return { kind: 'fixed', value: chance(rng, 0.15) ? 0 : linIn(rng, 0, scale) };
    case 'uniform': {
      const min = linIn(rng, 0, scale / 2);
      return { kind: 'uniform', min, max: short(min + linIn(rng, 0, scale)) };
    }
    case 'lognormal':
      return { kind: 'lognormal', mu: linIn(rng, -1, Math.log(scale)), sigma: linIn(rng, 0, 1.2) };
  }
}

/** A probability: 0 half the time, sometimes 1, else up to 0.4. */
function drawProbability(rng: Rng): number {
  if (chance(rng, 0.5)) return 0;
  return chance(rng, 0.06) ? 1 : linIn(rng, 0, 0.4);
}

/** A script of non-overlapping round ranges with at most f distinct workers each, in the three forms rounds take. */
function drawScript(rng: Rng, rounds: number, n: number, f: number): { rounds: string | number; workers: number[] }[] {
  const script: { rounds: string | number; workers: number[] }[] = [];
  let next = intIn(rng, 1, Math.max(1, Math.min(rounds, 3)));
  for (let e = intIn(rng, 0, 3); e > 0 && next <= rounds; e--) {
    const last = intIn(rng, next, rounds);
    const form = last > next ? `${next}-${last}` : chance(rng, 0.5) ? next : String(next);
    script.push({ rounds: form, workers: rng.sample(n, intIn(rng, 0, f)) });
    next = last + 1 + intIn(rng, 0, 2);
  }
  return script;
}

/** The variants of a registry in a drawn order: the first that fits is taken. */
function shuffled<D extends Variant>(rng: Rng, registry: Registry<D>): D[] {
  return rng.shuffle(registry.list());
}

/** A fault of this generator: it drew what it must not. Reported as such, never as the simulator's. */
export class GeneratorError extends Error {
  override name = 'GeneratorError';
}

/**
 * Run `index`'s scenario, as a file would hold it (every field written,
 * defaults included where the draw kept them): a function of (seed, index)
 * and `maxRounds` alone.
 */
export function drawScenario(seed: number, index: number, maxRounds: number = SWARM.rounds): ScenarioInput {
  const stream = (component: string) => createRng(seed, `swarm/${index}/${component}`);

  // The rule first, then counts it accepts.
  const ruleRng = stream('rule');
  let rule = '';
  let accepted = new Map<number, number[]>();
  for (let attempt = 0; accepted.size === 0; attempt++) {
    if (attempt === 50) throw new GeneratorError(`no rule drawn in 50 attempts accepts any n ≤ ${SWARM.workers} (last: ${rule})`);
    rule = drawRule(ruleRng, { n: SWARM.workers, f: 0, classes: 2 });
    accepted = acceptedCounts(createAggregator(rule).requirement);
  }
  // n uniform or log-uniform on [1, SWARM.workers] (small systems are where edge cases live), moved to the
  // nearest n the rule accepts; then f among those it accepts at that n (0 only a tenth of the time if any other is).
  const countRng = stream('counts');
  const target = chance(countRng, 0.5) ? intIn(countRng, 1, SWARM.workers) : Math.round(Math.exp(countRng.uniform(0, Math.log(SWARM.workers))));
  const ns = [...accepted.keys()].sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || b - a);
  const n = ns[0];
  const fs = accepted.get(n)!;
  const positive = fs.filter((f) => f > 0);
  const f = positive.length > 0 && !chance(countRng, 0.1) ? pick(countRng, positive) : pick(countRng, fs);
  const rounds = intIn(countRng, 1, maxRounds);

  // The learning task: a generated dataset, a partition, a model, a minibatch that fits every shard.
  const dataRng = stream('data');
  const ctx0: DrawContext = { n, f, classes: 2 };
  const dataset = pick(dataRng, datasets.list().filter((d) => d.generated));
  const sectionValues: Record<string, number> = {};
  // Every parameter drawn: a dataset's defaults are sized for learning, not for a quick run.
  for (const [key, p] of Object.entries(dataset.params)) sectionValues[key] = drawParam(dataRng, p, sensible('dataset', dataset.name, key, ctx0));
  const shape = dataset.shape(datasets.resolve({ name: dataset.name, params: sectionValues, options: {} }).params);
  // A partition that gives every worker a shard (one that cannot, for these sizes, is drawn again; iid always can).
  let partitionSpec = 'iid';
  let smallest = 0;
  for (let attempt = 0; attempt < 8 && smallest < 1; attempt++) {
    const partition = pick(dataRng, partitions.list());
    partitionSpec = drawSpec(partitions, partition, dataRng, ctx0);
    // Split among all n workers or among the n − f honest ones (a static set), whichever the draw below makes it.
    const params = partitions.resolveSpec(partitionSpec).params;
    smallest = Math.min(partition.smallestShard(shape.train, n, params, shape.counts), n - f > 0 ? partition.smallestShard(shape.train, n - f, params, shape.counts) : 0);
  }
  if (smallest < 1) {
    partitionSpec = 'iid';
    smallest = partitions.resolveSpec('iid').def.smallestShard(shape.train, n, {});  // ≤ the n − f split's
  }
  if (smallest < 1) throw new GeneratorError(`${shape.train} training examples leave a worker of ${n} without a shard`);
  const batchSize = intIn(dataRng, 1, Math.min(32, smallest));
  const ctx: DrawContext = { n, f, classes: shape.classes };
  const loss = pick(dataRng, ['cross-entropy', 'mse'] as const);
  // A model that can be built for this data (no CNN without images, no binary model on three classes).
  const buildable = models.list().filter((m) => {
    try {
      m.create(models.resolve({ name: m.name, params: {}, options: {} }).params, modelShape(shape, loss));
      return true;
    } catch {
      return false;
    }
  });
  const model = drawSpec(models, pick(dataRng, buildable), dataRng, ctx);

  // The adversary: attack, schedule, what it knows of the rule, what it sees.
  const advRng = stream('adversary');
  const attack = f === 0 || chance(advRng, 0.08) ? 'none' : drawSpec(attacks, pick(advRng, attacks.list()), advRng, ctx);
  const needs: AttackNeeds = attack === 'none' ? {} : createAttack(attack).needs;
  const scheduleDef = pick(advRng, schedules.list());
  const schedule = drawSpec(schedules, scheduleDef, advRng, ctx);
  const scheduleNeeds = scheduleDef.needs?.(schedules.resolveSpec(schedule).options) ?? {};
  const script = scheduleDef.scripted ? drawScript(advRng, rounds, n, f) : undefined;
  const knowsRule = needs.rule === 'rule' || scheduleNeeds.rule === true;
  const knows = knowsRule ? 'rule' : needs.rule === 'pool' ? pick(advRng, ['pool', 'rule']) : pick(advRng, ['nothing', 'pool', 'rule']);
  const observing = needs.honest === true;
  const mustObserve = observing || scheduleNeeds.honest === true;
  let knowledge: { knowledge: string; k?: number } | undefined;
  for (const def of shuffled(advRng, knowledgeModels)) {
    for (let attempt = 0; attempt < 4 && !knowledge; attempt++) {
      const spec = drawSpec(knowledgeModels, def, advRng, ctx);
      const { params } = knowledgeModels.resolveSpec(spec);
      if (mustObserve && !def.observes(params)) continue;
      if (def.check?.(params, { n, f, observing })) continue;
      // partial's k also has a field of its own (adversary.k): write it there a third of the time.
      knowledge = def.name === 'partial' && chance(advRng, 0.33) ? { knowledge: 'partial', k: params.k } : { knowledge: spec };
    }
    if (knowledge) break;
  }
  if (!knowledge) throw new GeneratorError(`no knowledge model fits n=${n}, f=${f} for attack ${attack} and schedule ${schedule}`);
  const staleness = chance(advRng, 0.6) ? 0 : intIn(advRng, 1, 3);
  const craftTime = chance(advRng, 0.5) ? 0 : linIn(advRng, 0, 60);
  // Extra copies of each Byzantine message: only an attack's workers send them.
  const flood = attack === 'none' || chance(advRng, 0.7) ? 0 : intIn(advRng, 1, 4);

  // The network.
  const netRng = stream('network');
  const delay = drawDistribution(netRng, 20);
  const drop = drawProbability(netRng);
  const duplicate = drawProbability(netRng);
  const ordering = pick(netRng, orderings.list());
  const orderingSpec = drawSpec(orderings, ordering, netRng, ctx);
  const adversarialMin = linIn(netRng, 0, 10);
  const adversarialDelay = { min: adversarialMin, max: short(adversarialMin + linIn(netRng, 0, 60)) };
  const scheduling = ordering.adversarial && chance(netRng, 0.7) ? drawSpec(schedulingStrategies, pick(netRng, schedulingStrategies.list()), netRng, ctx) : undefined;

  // The server: quorum (a number, n or n-f), timeout, missing policy; a quorum the rule can take when missing gradients are dropped.
  const serverRng = stream('server');
  const drawnRule = createAggregator(rule);
  // monna trusts one worker's input every round: the server fills a missing one with zero rather than drop it.
  const missing = parseSpec(rule).some((stage) => stage.name === 'monna') ? 'zero' : pick(serverRng, ['zero', 'drop'] as const);
  // A rule scoring against the server's own gradient gets trusted examples (a few, as FLTrust's root set is small).
  const trusted = drawnRule.needsReference ? intIn(serverRng, 1, Math.min(shape.train, 40)) : 0;
  const requirement = drawnRule.requirement;
  const takes = (q: number) => missing === 'zero' || q >= n || requirement.check(q, f);
  const symbolic: ('n' | 'n-f')[] = takes(n - f) ? ['n', 'n-f'] : ['n'];
  const quorum = chance(serverRng, 0.5) ? pick(serverRng, symbolic) : pick(serverRng, Array.from({ length: n }, (_, i) => i + 1).filter(takes));
  const timeout = logIn(serverRng, 5, 400);
  // A rule whose requirement holds only in expectation (after resample-wr) runs only when the scenario opts in.
  const allowInExpectation = (requirement.inExpectation === true && f > 0) || chance(serverRng, 0.3);
  const computeTime = drawDistribution(stream('worker'), 30);

  const optRng = stream('optimizer');
  const lr = logIn(optRng, 0.005, 1);
  const momentum = chance(optRng, 0.5) ? 0 : linIn(optRng, 0, 0.99);
  const workerMomentum = chance(optRng, 0.5) ? 0 : linIn(optRng, 0, 0.99);
  const weightDecay = chance(optRng, 0.6) ? 0 : logIn(optRng, 1e-5, 1e-2);
  const lrSchedule = drawSpec(lrSchedules, pick(optRng, lrSchedules.list()), optRng, ctx);
  // What the Byzantine workers hold: a shard or the whole set when the attack needs their own data and the set is fixed.
  const needsData = needs.own === true || needs.labels !== undefined;
  const byzantineData = pick(optRng, needsData && scheduleDef.fixed ? (['shards', 'all'] as const) : (['none', 'shards', 'all'] as const));
  const evalRng = stream('eval');
  const every = intIn(evalRng, 1, rounds + 1);
  const perClass = chance(evalRng, 0.3);
  const trainSize = chance(evalRng, 0.3) ? 0 : intIn(evalRng, 1, 200);
  const trace = pick(evalRng, ['full', 'aggregates', 'off'] as const);
  const dp = drawDp(stream('dp'), n);

  const input = {
    name: `swarm-${seed}-${index}`,
    seed: stream('seed').int(2 ** 31),
    rounds,
    workers: n,
    byzantine: { f, schedule, ...(script ? { script } : {}) },
    data: { dataset: dataset.name, partition: partitionSpec, batchSize, byzantine: byzantineData, [dataset.name]: sectionValues },
    model,
    loss,
    optimizer: { lr, momentum, workerMomentum, weightDecay, schedule: lrSchedule },
    aggregator: rule,
    attack,
    adversary: { ...knowledge, craftTime, knows, staleness, flood, ...(scheduling ? { scheduling } : {}) },
    network: { delay, drop, duplicate, ordering: orderingSpec, adversarialDelay },
    worker: { computeTime },
    server: { quorum, timeout, missing, allowInExpectation, ...(trusted > 0 ? { trusted } : {}) },
    eval: { every, perClass, trainSize },
    ...(dp ? { dp } : {}),
    output: { trace },
  } as ScenarioInput;
  // A partition that can fail on the drawn labels (dirichlet's redraws for `min`) is checked on the data the run
  // draws, and replaced by iid if it fails: validation cannot foresee it, and the swarm tests the simulator.
  try {
    const parsed = ScenarioSchema.parse(input);
    scenarioSplit(parsed, createStreams(parsed.seed));
  } catch {
    const iid = partitions.resolveSpec('iid').def.smallestShard(shape.train, n, {});
    input.data = { ...input.data, partition: 'iid', batchSize: Math.min(batchSize, iid) };
  }
  return input;
}

/**
 * A dp section a third of the time: a clip, then a noise level — a per-step ε (with δ), a σ (with δ,
 * or without it at σ = 0, clipping alone) — the clipping's scope and the workers applying it (all, or some).
 */
function drawDp(rng: Rng, n: number): ScenarioInput['dp'] {
  if (!chance(rng, 0.33)) return undefined;
  const clip = logIn(rng, 1e-3, 10);
  const delta = logIn(rng, 1e-8, 0.1);
  const noise = chance(rng, 0.5) ? { epsilon: logIn(rng, 0.05, 5), delta } : chance(rng, 0.2) ? { sigma: 0 } : { sigma: logIn(rng, 1e-4, 1), delta };
  const workers = chance(rng, 0.7) ? 'all' : rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, intIn(rng, 0, n));
  return { clip, ...noise, clipping: pick(rng, ['example', 'batch'] as const), workers };
}

/** The drawn parameters on a few lines, `path=value` as the YAML has them (distributions as `kind(field=value)`). */
export function describeScenario(input: ScenarioInput): string {
  const parts: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      if (typeof o.kind === 'string') {
        const { kind, ...rest } = o;
        parts.push(`${path}=${kind}(${Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(', ')})`);
        return;
      }
      for (const [k, v] of Object.entries(o)) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    const shown = typeof value === 'string' && /[\s>]/.test(value) ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : String(value);
    parts.push(`${path}=${shown}`);
  };
  walk(input, '');
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line.length > 0 && line.length + part.length > 118) {
      lines.push(line);
      line = '';
    }
    line += (line ? ' ' : '') + part;
  }
  if (line) lines.push(line);
  return lines.map((l) => `  ${l}`).join('\n');
}

/* ----------------------------------------------------------------------------------
 * Running.
 * -------------------------------------------------------------------------------- */

/** One run's outcome: passed, or what failed and the detail to print. */
export type SwarmOutcome =
  | { ok: true; events: number; hash: string; slice: number }
  | { ok: false; failure: 'generator' | 'checker' | 'crash' | 'replay'; detail: string };

/**
 * Validates a drawn scenario as `byzsim validate` would (its YAML text,
 * through the loader), runs it with the checkers on, and replays it in
 * slices of a drawn size, comparing every line and the hash.
 */
export async function runDrawn(seed: number, index: number, input: ScenarioInput, file = `swarm-${seed}-${index}.yaml`): Promise<SwarmOutcome> {
  let scenario: LoadedScenario;
  try {
    scenario = parseScenarioText(stringify(input), file);
  } catch (err) {
    if (err instanceof ScenarioError) return { ok: false, failure: 'generator', detail: `the drawn scenario does not validate (a bug of the swarm's generator):\n${err.message}` };
    throw err;
  }
  const plan = createPlan(scenario, { backend: 'ts', kernels: kernelPath() });
  const lines: string[] = [];
  let first;
  try {
    first = await runPlan(plan, { sinks: [(line) => void lines.push(line)] });
  } catch (err) {
    const e = err as Error;
    if (e instanceof CheckerViolation) return { ok: false, failure: 'checker', detail: e.message };
    return { ok: false, failure: 'crash', detail: `the run threw: ${e.stack ?? String(e)}` };
  }
  // The replay is sliced: slicing decides when control returns, never what happens.
  const slice = Math.round(Math.exp(createRng(seed, `swarm/${index}/replay`).uniform(Math.log(3), Math.log(5000))));
  let at = 0;
  let differs: { index: number; expected: string; actual: string } | undefined;
  let again;
  try {
    again = await runPlan(plan, {
      slice: { maxEvents: slice },
      // Compared without throwing: a sink that throws inside the simulation does not stop it cleanly.
      sinks: [
        (line) => {
          if (differs === undefined && line !== lines[at]) differs = { index: at, expected: lines[at] ?? '<end of the first run>', actual: line };
          at++;
        },
      ],
    });
  } catch (err) {
    const e = err as Error;
    return { ok: false, failure: 'replay', detail: `the replay (sliced by ${slice} events) threw where the run did not: ${e.stack ?? String(e)}` };
  }
  if (differs) {
    return { ok: false, failure: 'replay', detail: `the replay (sliced by ${slice} events) diverges at event ${differs.index}\n  expected: ${differs.expected}\n  actual:   ${differs.actual}` };
  }
  if (again.events !== first.events || again.traceHash !== first.traceHash) {
    return { ok: false, failure: 'replay', detail: `the replay (sliced by ${slice} events) has ${again.events} events with hash ${again.traceHash}; the run had ${first.events} with hash ${first.traceHash}` };
  }
  return { ok: true, events: first.events, hash: first.traceHash, slice };
}

export async function swarmCommand(options: SwarmOptions): Promise<number> {
  const { seed, runs } = options;
  const firstIndex = options.first ?? 0;
  const maxRounds = options.rounds ?? SWARM.rounds;
  if (maxRounds < 1 || maxRounds > SWARM.maxRounds) throw new UsageError(`--rounds must be in [1, ${SWARM.maxRounds}] (got ${maxRounds})`);
  const kernels = options.kernels ? ` --kernels ${options.kernels}` : '';
  const roundsFlag = options.rounds === undefined ? '' : ` --rounds ${maxRounds}`;
  const started = performance.now();
  for (let index = firstIndex; index < firstIndex + runs; index++) {
    const t0 = performance.now();
    let input: ScenarioInput;
    try {
      input = drawScenario(seed, index, maxRounds);
    } catch (err) {
      // The draw itself failed: nothing to write, the (seed, index) reproduces it.
      console.error(`swarm run ${index} (seed ${seed}): the generator failed: ${(err as Error).stack ?? String(err)}`);
      console.error(`  reproduce: byzsim swarm --seed ${seed} --first ${index} --runs 1${roundsFlag}${kernels}`);
      return 1;
    }
    console.log(`swarm run ${index} (seed ${seed}):\n${describeScenario(input)}`);
    const outcome = await runDrawn(seed, index, input);
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    if (outcome.ok) {
      console.log(`  ok: ${outcome.events} events, hash ${outcome.hash.slice(0, 16)}…, every checker held, replay (slices of ${outcome.slice}) identical (${seconds} s)`);
      continue;
    }
    const dir = options.out ?? mkdtempSync(join(tmpdir(), 'byzsim-swarm-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${input.name}.yaml`);
    const runDir = join(dir, String(input.name));
    const reproduce = [
      // A replay that differs is a determinism bug: run it, then replay its trace in another process.
      `byzsim run ${file} --out ${runDir} --force${kernels}${outcome.failure === 'replay' ? ` && byzsim replay ${join(runDir, 'trace.jsonl')}${kernels}` : ''}`,
      `byzsim swarm --seed ${seed} --first ${index} --runs 1${roundsFlag}${kernels}`,
    ];
    const header = [
      `byzsim swarm --seed ${seed}, run ${index}: ${outcome.failure} failure`,
      ...outcome.detail.split('\n'),
      'reproduce with either of:',
      ...reproduce.map((c) => `  ${c}`),
    ];
    writeFileSync(file, header.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' + stringify(input));
    console.error(`swarm run ${index} (seed ${seed}) failed (${outcome.failure}):\n${outcome.detail}`);
    console.error(`  scenario written to ${file}; reproduce with either of:\n${reproduce.map((c) => `    ${c}`).join('\n')}`);
    return 1;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`swarm seed ${seed}: ${runs} runs (${firstIndex}..${firstIndex + runs - 1}) passed — every checker held, every replay identical — in ${seconds.toFixed(1)} s`);
  return 0;
}
