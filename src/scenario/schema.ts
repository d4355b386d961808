/**
 * The scenario schema (zod). Unknown keys are errors everywhere (`strictObject`);
 * every default here is documented in README.md ("Scenario format"). Cross-field rules
 * (f < n, rule requirements, scripted schedules, …) live in load.ts, where they can
 * be reported with the line of the offending node.
 */
import { z } from 'zod';
import type { ParamDeclaration } from '../registry.ts';
import type { OptionSpec } from '../spec.ts';
import { datasets } from '../learning/datasets/index.ts';
import { LIMITS } from './limits.ts';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();
const probability = z.number().min(0).max(1);

export const DistributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), value: nonNegative }),
  z.strictObject({ kind: z.literal('uniform'), min: nonNegative, max: nonNegative }),
  z.strictObject({ kind: z.literal('lognormal'), mu: z.number(), sigma: nonNegative }),
]);
export type Distribution = z.infer<typeof DistributionSchema>;

export const ScriptEntrySchema = z.strictObject({
  /**
   * Inclusive round range `"a-b"` or a single round `"a"` (rounds count from 1).
   * A bare YAML integer (`rounds: 3`) is read as that single round.
   */
  rounds: z.preprocess(
    (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v),
    z.string().regex(/^\d+(-\d+)?$/, 'must be a round "a" or a range "a-b"'),
  ),
  workers: z.array(z.number().int().nonnegative()),
});

export const ByzantineSchema = z.strictObject({
  f: z.number().int().nonnegative().default(0),
  /** A schedule spec (src/adversary/schedules/). */
  schedule: z.string().min(1).default('static'),
  script: z.array(ScriptEntrySchema).optional(),
});

/** A strict object of numbers with the declared ranges and defaults, e.g. a dataset's section. */
export function paramsSchema(params: Readonly<Record<string, ParamDeclaration>>): z.ZodType<Record<string, number>> {
  const shape = Object.fromEntries(
    Object.entries(params).map(([key, p]) => {
      let n = z.number();
      if (p.integer) n = n.int();
      if (p.min !== undefined) n = p.exclusiveMin ? n.gt(p.min) : n.min(p.min);
      if (p.max !== undefined) n = n.max(p.max);
      return [key, p.default === undefined ? n.optional() : n.default(p.default)];
    }),
  );
  const schema = z.strictObject(shape);
  return schema.default(schema.parse({})) as unknown as z.ZodType<Record<string, number>>;
}

/** A dataset's section: its numeric parameters and its word options (a `path`), with their defaults. */
function sectionSchema(params: Readonly<Record<string, ParamDeclaration>>, options: Readonly<Record<string, OptionSpec>> = {}): z.ZodType<Record<string, number | string>> {
  if (Object.keys(options).length === 0) return paramsSchema(params);
  const numbers = paramsSchema(params) as unknown as z.ZodDefault<z.ZodObject>;
  const words = Object.fromEntries(
    Object.entries(options).map(([key, o]) => [key, (o.choices ? z.enum(o.choices as [string, ...string[]]) : z.string()).default(o.default)]),
  );
  const schema = (numbers.unwrap() as z.ZodObject).extend(words);
  return schema.default(schema.parse({})) as unknown as z.ZodType<Record<string, number | string>>;
}

/** `data.<dataset>`: each registered dataset's parameters and options (src/learning/datasets/). */
const datasetSections = Object.fromEntries(datasets.list().map((d) => [d.name, sectionSchema(d.params, d.options)]));

/** The data section: the dataset, the partition, the batch size, and one parameter section per dataset. */
export interface DataSection {
  dataset: string;
  partition: string;
  batchSize: number;
  byzantine: 'none' | 'shards' | 'all';
  [dataset: string]: string | number | Record<string, number | string>;
}

export const DataSchema = z.strictObject({
  /** A dataset name (src/learning/datasets/); its parameters are the section of that name. */
  dataset: z.string().min(1).default('synthetic'),
  /** A partition spec (src/learning/partitions/). */
  partition: z.string().min(1).default('iid'),
  batchSize: positiveInt.default(32),
  /**
   * What the Byzantine workers hold: nothing (the training set is split among the honest workers only),
   * shards of their own (split among all n), or the whole training set (see README "Data").
   */
  byzantine: z.enum(['none', 'shards', 'all']).default('none'),
  ...datasetSections,
}) as unknown as z.ZodType<DataSection, Partial<DataSection>>;

/** Every dataset's section of a data section, by dataset name: its numeric parameters, then its word options. */
export function datasetParams(data: DataSection): Record<string, Record<string, number>> {
  return Object.fromEntries(datasetSections_(data).map(([name, section]) => [name, Object.fromEntries(Object.entries(section).filter((e) => typeof e[1] === 'number')) as Record<string, number>]));
}

export function datasetOptions(data: DataSection): Record<string, Record<string, string>> {
  return Object.fromEntries(datasetSections_(data).map(([name, section]) => [name, Object.fromEntries(Object.entries(section).filter((e) => typeof e[1] === 'string')) as Record<string, string>]));
}

function datasetSections_(data: DataSection): [string, Record<string, number | string>][] {
  return Object.entries(data).filter((e): e is [string, Record<string, number | string>] => typeof e[1] === 'object' && e[1] !== null);
}

export const OptimizerSchema = z.strictObject({
  lr: z.number().positive().default(0.1),
  /** The server's momentum μ (0: plain SGD, the resampling paper's Algorithm 1 and the DP paper's eq. 1). */
  momentum: z.number().min(0).lt(1).default(0),
  /** Each honest worker sends m ← β·m + (1 − β)·g instead of g (ByzFL; Karimireddy et al. 2021). */
  workerMomentum: z.number().min(0).lt(1).default(0),
  /** λ: the server steps with g + λ·θ (PyTorch's SGD weight_decay, as ByzFL's server). */
  weightDecay: nonNegative.default(0),
  /** A learning-rate schedule spec (src/learning/lr-schedules.ts): `constant`, `step(every=100, gamma=0.1)`, `inverse-sqrt`. */
  schedule: z.string().min(1).default('constant'),
});

export const AdversarySchema = z.strictObject({
  /** A knowledge-model spec (src/adversary/knowledge/): `omniscient`, `partial(k=3)`, `none`. */
  knowledge: z.string().min(1).default('omniscient'),
  /** `partial`'s k written as its own field (`knowledge: partial` with `k: 3`); see resolve.ts. */
  k: z.number().int().nonnegative().optional(),
  /** Virtual time the adversary spends crafting, after its last observation. */
  craftTime: nonNegative.default(0),
  /** What it knows of the server's rule: its spec (a private instance), only MixTailor's pool, or nothing. */
  knows: z.enum(['nothing', 'pool', 'rule']).default('nothing'),
  /** Its attack sees the honest gradients of round t − staleness (0: this round's). */
  staleness: z.number().int().nonnegative().default(0),
  /** How it plays the network under `network.ordering: adversarial` (src/adversary/scheduling/). */
  scheduling: z.string().min(1).default('rush-and-stall'),
  /** Extra copies of its message each Byzantine worker sends per round: the server takes one per worker and ignores the rest. */
  flood: z.number().int().nonnegative().max(LIMITS.flood).default(0),
});

export const NetworkSchema = z.strictObject({
  delay: DistributionSchema.default({ kind: 'fixed', value: 5 }),
  drop: probability.default(0),
  duplicate: probability.default(0),
  /** An ordering spec (src/sim/orderings/). */
  ordering: z.string().min(1).default('fifo'),
  /** Bounds the adversary chooses honest delays within, under `ordering: adversarial`. */
  adversarialDelay: z
    .strictObject({ min: nonNegative.default(1), max: nonNegative.default(50) })
    .default({ min: 1, max: 50 }),
});

export const WorkerSchema = z.strictObject({
  computeTime: DistributionSchema.default({ kind: 'uniform', min: 10, max: 20 }),
});

export const ServerSchema = z.strictObject({
  /** Gradients to wait for: a number, `n` or `n-f`. Default `n`. */
  quorum: z
    .union([positiveInt, z.enum(['n', 'n-f'])], { error: 'must be a positive integer, "n" or "n-f"' })
    .default('n'),
  /** Round timeout in virtual ms, counted from the broadcast. */
  timeout: z.number().positive().default(1000),
  missing: z.enum(['zero', 'drop']).default('zero'),
  /**
   * Accept a rule whose requirement holds only in expectation (a stage such as
   * resample-wr can hand it more Byzantine-touched inputs than it tolerates).
   */
  allowInExpectation: z.boolean().default(false),
  /**
   * Training examples the server holds as trusted data (FLTrust's root dataset), drawn once from the
   * whole training set; each round it computes its own gradient on a minibatch of them for the rules
   * that need it (fltrust). 0: none.
   */
  trusted: z.number().int().nonnegative().default(0),
});

export const EvalSchema = z.strictObject({
  every: positiveInt.default(5),
  /** Also record each class's test accuracy with every evaluation. */
  perClass: z.boolean().default(false),
  /** Training examples the training loss is measured on at each evaluation (a fixed sample of the honest workers' data; 0: none). */
  trainSize: z.number().int().nonnegative().default(1000),
});

/**
 * Differential privacy on the honest workers (src/learning/dp/, src/run/dp.ts): DP-SGD's
 * clipping to G_max, then Gaussian noise of std `sigma` per coordinate, or calibrated from a
 * per-step (ε, δ) by the DP paper's s = 2·G_max·√(2 ln(1.25/δ)) / (b·ε). Exactly one of
 * `epsilon` and `sigma` (load.ts); `delta` with either, unless `sigma: 0` (clipping only, no
 * noise: the DP paper's runs without DP, which clip too).
 */
export const DpSchema = z.strictObject({
  /** G_max: every per-example gradient (or the minibatch gradient, with clipping: batch) is scaled to norm ≤ clip. */
  clip: z.number().positive(),
  /** Per-step ε > 0 the noise is calibrated from (with delta). */
  epsilon: z.number().positive().optional(),
  /** Per-step δ in (0, 1). */
  delta: z.number().gt(0).lt(1).optional(),
  /** The noise's standard deviation per coordinate of the averaged gradient, instead of epsilon (0: clip only, no noise). */
  sigma: z.number().nonnegative().optional(),
  /** Clip each example's gradient (DP-SGD; default) or the minibatch gradient as a whole (the DP paper's code; no DP guarantee). */
  clipping: z.enum(['example', 'batch']).default('example'),
  /** Which workers apply DP in the rounds they are honest: `all` (default) or a list of worker indices. */
  workers: z.union([z.literal('all'), z.array(z.number().int().nonnegative())], { error: 'must be "all" or a list of worker indices' }).default('all'),
});
export type DpSection = z.output<typeof DpSchema>;

export const OutputSchema = z.strictObject({
  dir: z.string().min(1).optional(),
  /** What trace.jsonl holds: every event, the aggregation-level events only, or none; the trace hash covers every event either way. */
  trace: z.enum(['full', 'aggregates', 'off']).default('full'),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1).optional(),
  seed: z.number().int().nonnegative().default(1),
  rounds: positiveInt.max(LIMITS.rounds).default(50),
  workers: positiveInt.max(LIMITS.workers).default(10),
  byzantine: ByzantineSchema.default(ByzantineSchema.parse({})),
  data: DataSchema.default(DataSchema.parse({})),
  /** A model spec (src/learning/models/). */
  model: z.string().min(1).default('logreg'),
  /** The loss the workers' gradients are of: cross-entropy, or mse (the DP paper's). */
  loss: z.enum(['cross-entropy', 'mse']).default('cross-entropy'),
  optimizer: OptimizerSchema.default(OptimizerSchema.parse({})),
  /** Rule spec, e.g. `cwtm`, `krum(m=3)`. */
  aggregator: z.string().min(1).default('mean'),
  /** Attack spec, e.g. `alie`, `ipm(eps=0.1)`, or `none`. */
  attack: z.string().min(1).default('none'),
  adversary: AdversarySchema.default(AdversarySchema.parse({})),
  network: NetworkSchema.default(NetworkSchema.parse({})),
  worker: WorkerSchema.default(WorkerSchema.parse({})),
  server: ServerSchema.default(ServerSchema.parse({})),
  eval: EvalSchema.default(EvalSchema.parse({})),
  /** Differential privacy on the honest workers; absent: none. */
  dp: DpSchema.optional(),
  output: OutputSchema.default(OutputSchema.parse({})),
});

/** A scenario after parsing: every default filled in. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** A scenario as written in a file. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
