/**
 * The aggregation rules by name, and construction from spec strings such as
 * `krum(m=2)` or `nnm > krum(m=2)`. Each rule is also exported as a plain
 * library function.
 */
import type { Aggregator, AggregatorDefinition } from './types.ts';
import { cwmed } from './cwmed.ts';
import { cwtm } from './cwtm.ts';
import { geomed } from './geomed.ts';
import { rfa } from './rfa.ts';
import { krum } from './krum.ts';
import { multikrum } from './multikrum.ts';
import { mean } from './mean.ts';
import { bulyan } from './bulyan.ts';
import { mda } from './mda.ts';
import { meamed } from './meamed.ts';
import { phocas } from './phocas.ts';
import { cc } from './cc.ts';
import { nm } from './nm.ts';
import { signmv } from './signmv.ts';
import { monna } from './monna.ts';
import { caf } from './caf.ts';
import { smea } from './smea.ts';
import { dnc } from './dnc.ts';
import { signguard } from './signguard.ts';
import { flame } from './flame.ts';
import { clustering } from './clustering.ts';
import { clippedclustering } from './clippedclustering.ts';
import { foolsgold } from './foolsgold.ts';
import { fltrust } from './fltrust.ts';
import { parseSpec, SpecError, unknownName } from '../spec.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { composeAggregator } from './compose.ts';
import { createPreAggregator, preaggregators } from '../preaggregators/index.ts';
import type { PreAggregatorDefinition } from '../preaggregators/types.ts';
import { defineMixtailor } from './mixtailor.ts';

export { meanAggregate, mean } from './mean.ts';
export { cwmedAggregate, cwmed } from './cwmed.ts';
export { cwtmAggregate, cwtm } from './cwtm.ts';
export { krumAggregate, krumScores, krumScoresLp, krum } from './krum.ts';
export { multikrum } from './multikrum.ts';
export { geomedAggregate, geomed, type GeomedOptions } from './geomed.ts';
export { rfaAggregate, rfa, type RfaOptions } from './rfa.ts';
export { bulyanAggregate, bulyanInner, bulyan } from './bulyan.ts';
export { mdaAggregate, mda } from './mda.ts';
export { meamedAggregate, meamed } from './meamed.ts';
export { phocasAggregate, phocas } from './phocas.ts';
export { ccAggregate, cc, type CcAggregator, type CcOptions } from './cc.ts';
export { nmAggregate, nm } from './nm.ts';
export { signmvAggregate, signmv } from './signmv.ts';
export { monnaAggregate, monna } from './monna.ts';
export { cafAggregate, caf } from './caf.ts';
export { smeaAggregate, smea } from './smea.ts';
export { dncAggregate, dnc } from './dnc.ts';
export { signguardAggregate, signguard, type SignguardOptions } from './signguard.ts';
export { flameAggregate, flame } from './flame.ts';
export { clusteringAggregate, clustering, cosineDistances, agglomerate, largerCluster, lexRanks, type Linkage } from './clustering.ts';
export { clippedclustering, type ClippedClusteringAggregator } from './clippedclustering.ts';
export { foolsgold, foolsgoldWeights, type FoolsgoldAggregator } from './foolsgold.ts';
export { fltrustAggregate, fltrust } from './fltrust.ts';
export { composeAggregator, pushCounts, minimalNText } from './compose.ts';
export { defineMixtailor, paperPool } from './mixtailor.ts';
export { defineRule, honestMajority, type RuleDeclaration } from './define.ts';
export { preaggregators, createPreAggregator } from '../preaggregators/index.ts';

/** MixTailor builds its pool with the shared registries' createAggregator (a hoisted function). */
export const mixtailor = defineMixtailor((spec) => createAggregator(spec));

export const aggregators: Registry<AggregatorDefinition> = createRegistry('aggregator', [
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
]);

/**
 * What a spec is resolved against: the shared registries by default, or
 * registries derived with `.with(def)` (a user's module, a test's rule).
 */
export interface Registries {
  aggregators?: Registry<AggregatorDefinition>;
  preaggregators?: Registry<PreAggregatorDefinition>;
}

/** Builds a rule from its spec; throws SpecError for any mistake in the spec. */
export function createAggregator(spec: string, registries: Registries = {}): Aggregator {
  const { aggregators: rules = aggregators, preaggregators: stages = preaggregators } = registries;
  const parsed = parseSpec(spec);
  const pre = parsed.slice(0, -1);
  const last = parsed[parsed.length - 1];
  for (const stage of pre) {
    if (stages.has(stage.name)) continue;
    if (rules.has(stage.name)) {
      throw new SpecError(`'${spec}': ${stage.name} is a rule; only the last stage of a composition may be a rule`);
    }
    throw unknownName(stages.kind, stage.name, stages.names());
  }
  if (!rules.has(last.name) && stages.has(last.name)) {
    throw new SpecError(`'${spec}': ${last.name} is a pre-aggregator; end the composition with a rule, e.g. '${spec} > krum'`);
  }
  const { def, params, options } = rules.resolve(last);
  const rule = def.create(params, options);
  return pre.length === 0 ? rule : composeAggregator(pre.map((stage) => createPreAggregator(stage, stages)), rule);
}
