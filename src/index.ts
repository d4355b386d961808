/**
 * byzsim as a library: the aggregation rules as plain functions, the rule and
 * attack registries, vectors files, and the simulator.
 *
 *   import { cwtm, krum } from 'byzsim';
 *   cwtm(vectors, 1);               // Float32Array
 *   krum(vectors, 1, { m: 2 });     // Multi-Krum
 *   krum.withDiagnostics(vectors, 1).diagnostics.selected;
 *
 * Every rule has the same call shape, `rule(vectors, f, params?, context?)`,
 * named as in the literature and as in scenario files. Importing this module
 * loads the rules, the scenario schema (zod) and the YAML loader, but not the
 * simulator (xstate, rxjs, the learning code) nor tfjs: runScenario loads them
 * on its first call.
 */
import { aggregators } from './aggregators/index.ts';
import type { AggregationResult, AggregatorDefinition } from './aggregators/types.ts';
import { createRng, type Rng } from './sim/rng.ts';
import type { Scenario } from './scenario/schema.ts';
import type { RunOptions, RunResult } from './run/run.ts';

/** Numeric parameters (`{ m: 2 }`) and word-valued options (`{ pool: '[krum, cwmed]' }`) by name. */
export type RuleParams = Record<string, number | string>;

export interface RuleContext {
  /** The stream randomized rules draw from; by default the `server` stream of `seed`. */
  rng?: Rng;
  /** Seed of the default stream (1 when omitted): the same seed gives the same output. */
  seed?: number | string;
  /** The worker each input came from (monna's pivot, foolsgold's history); positions by default. */
  senders?: readonly number[];
  /** The server's gradient on trusted data, for fltrust. */
  reference?: ArrayLike<number>;
}

/**
 * An aggregation rule as a plain function: n vectors of dimension d in, one
 * vector out. Parameters are checked on every call against the rule's
 * declaration, and (n, f) against its requirement (RangeError when unmet).
 * Each call starts from a fresh instance: a stateful rule's state does not
 * carry over, so for round-by-round use keep `createAggregator(spec)`.
 */
export interface Rule {
  (vectors: readonly ArrayLike<number>[], f: number, params?: RuleParams, context?: RuleContext): Float32Array;
  /** The same call, with what the rule reports beside its output. */
  withDiagnostics(vectors: readonly ArrayLike<number>[], f: number, params?: RuleParams, context?: RuleContext): AggregationResult;
  /** Name, documentation, parameters and requirement. */
  readonly definition: AggregatorDefinition;
}

function rule(definition: AggregatorDefinition): Rule {
  const withDiagnostics: Rule['withDiagnostics'] = (vectors, f, params = {}, context = {}) => {
    const numeric: Record<string, number> = {};
    const words: Record<string, string> = {};
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === 'number') numeric[key] = value;
      else words[key] = value;
    }
    const aggregator = definition.create(numeric, words);
    if (!aggregator.requirement.check(vectors.length, f)) {
      throw new RangeError(`${aggregator.spec} requires ${aggregator.requirement.text} (got n=${vectors.length}, f=${f})`);
    }
    const rows = vectors.map((v) => (v instanceof Float32Array ? v : Float32Array.from(v)));
    return aggregator.aggregate(rows, {
      f,
      rng: context.rng ?? createRng(context.seed ?? 1, 'server'),
      ...(context.senders ? { senders: context.senders } : {}),
      ...(context.reference ? { reference: Float32Array.from(context.reference) } : {}),
    });
  };
  const call = (vectors: readonly ArrayLike<number>[], f: number, params?: RuleParams, context?: RuleContext) =>
    withDiagnostics(vectors, f, params, context).aggregate;
  Object.defineProperty(call, 'name', { value: definition.name });
  return Object.assign(call, { withDiagnostics, definition });
}

const plain = Object.fromEntries(aggregators.list().map((def) => [def.name, rule(def)])) as Record<string, Rule>;

// One export per registered rule; test/api.test.ts checks that none is missing and none is undefined.
export const {
  mean,
  cwmed,
  cwtm,
  krum,
  multikrum,
  geomed,
  rfa,
  bulyan,
  mda,
  meamed,
  phocas,
  cc,
  nm,
  signmv,
  monna,
  caf,
  smea,
  dnc,
  signguard,
  flame,
  clustering,
  clippedclustering,
  foolsgold,
  fltrust,
  mixtailor,
} = plain;

export { aggregators, createAggregator, type Registries } from './aggregators/index.ts';
export { preaggregators, createPreAggregator } from './preaggregators/index.ts';
export { defineAggregator } from './invariants/define.ts';
export type { Registry, Variant } from './registry.ts';
export type {
  AggregationContext,
  AggregationDiagnostics,
  AggregationResult,
  Aggregator,
  AggregatorDefinition,
  ParamSpec,
  Requirement,
} from './aggregators/types.ts';

export { attacks, createAttack, isNoAttack } from './attacks/index.ts';
export type { Attack, AttackContext, AttackDefinition, AttackParamSpec } from './attacks/types.ts';

export { SpecError, parseSpec } from './spec.ts';
export { createRng, createStreams, type Rng, type Streams } from './sim/rng.ts';

export { readVectors, writeVectors, parseVectorsJson, VectorsError } from './io/vectors.ts';
export { readNpy, writeNpy, decodeNpy, encodeNpy, NpyError, type NpyArray, type NpyDtype } from './io/npy.ts';

export { ScenarioSchema, type Scenario, type ScenarioInput } from './scenario/schema.ts';
export { loadScenario, parseScenarioText, type LoadResult, type LoadedScenario } from './scenario/load.ts';
export { ScenarioError, type ScenarioIssue } from './scenario/errors.ts';
export type { RunOptions, RunResult, HistoryPoint, PrivacySpent, VnCondition } from './run/run.ts';

// Differential privacy: the DP paper's calibration, the accountant, the VN-ratio bounds k_F(n, f).
export { gaussianSigma, gaussianEpsilon, noiseMultiplier, noiseVariance } from './learning/dp/calibrate.ts';
export { basicComposition, subsampledGaussianRdp, subsampledGaussianEpsilon, rdpToDp, DEFAULT_RDP_ORDERS } from './learning/dp/accountant.ts';
export { mdaVnBound, krumVnBound, medianVnBound, meamedVnBound, trimmedMeanVnBound, phocasVnBound, krumEta, type VnBound } from './aggregators/vn-bounds.ts';

/** Runs a scenario (see src/run/run.ts); loads the simulator on first use. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const run = await import('./run/run.ts');
  return run.runScenario(scenario, options);
}
