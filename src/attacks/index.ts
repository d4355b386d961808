/**
 * The attacks by name, and construction from spec strings such as `alie(z=1.5)`.
 * `none` is not an attack: callers check `isNoAttack` and skip the adversary.
 */
import type { Attack, AttackDefinition } from './types.ts';
import { alie } from './alie.ts';
import { gaussian } from './gaussian.ts';
import { ipm } from './ipm.ts';
import { signflip } from './signflip.ts';
import { bitflip } from './bitflip.ts';
import { labelflip } from './labelflip.ts';
import { optAlie } from './opt-alie.ts';
import { optIpm } from './opt-ipm.ts';
import { optimal } from './optimal.ts';
import { minmaxPool } from './minmax-pool.ts';
import { inf } from './inf.ts';
import { nan } from './nan.ts';
import { zero } from './zero.ts';
import { largenorm } from './largenorm.ts';
import { mimic } from './mimic.ts';
import { mimic2 } from './mimic2.ts';
import { nmattack } from './nmattack.ts';
import { tailored } from './tailored.ts';
import { randomEps } from './random-eps.ts';
import { minmax } from './minmax.ts';
import { minsum } from './minsum.ts';
import { parseSpec, SpecError, unknownName } from '../spec.ts';
import { createRegistry, type Registry } from '../registry.ts';

export { alie, alieVector, alieZmax, inverseNormalCdf } from './alie.ts';
export { gaussian } from './gaussian.ts';
export { ipm } from './ipm.ts';
export { signflip, scaledMeanVectors } from './signflip.ts';
export { bitflip } from './bitflip.ts';
export { labelflip } from './labelflip.ts';
export { optAlie, optAlieSearch, type OptAlieChoice } from './opt-alie.ts';
export { optIpm, optIpmSearch, type OptIpmChoice } from './opt-ipm.ts';
export { optimal, optimalSearch, type OptimalChoice } from './optimal.ts';
export { minmaxPool, minmaxPoolSearch, type MinmaxChoice } from './minmax-pool.ts';
export { searchFactor, type FactorChoice, type SearchSettings } from './linesearch.ts';
export { simulatedRound, type SimulatedRound } from './simulate.ts';
export { honestSet, withStandIns, gradientOf, type HonestSet } from './honest.ts';
export { inf } from './inf.ts';
export { nan } from './nan.ts';
export { zero } from './zero.ts';
export { largenorm } from './largenorm.ts';
export { mimic } from './mimic.ts';
export { mimic2, mimic2Group } from './mimic2.ts';
export { nmattack, negativeNormalizedSum } from './nmattack.ts';
export { tailored, tailoredVectors } from './tailored.ts';
export { randomEps } from './random-eps.ts';
export { minmax, minmaxGamma, perturbation, type Perturbation } from './minmax.ts';
export { minsum, minsumGamma } from './minsum.ts';
export { defineAttack, needsText, type AttackDeclaration } from './define.ts';
export { attackContext, type ContextParts } from './context.ts';

export const attacks: Registry<AttackDefinition> = createRegistry('attack', [
  // What a corrupted worker does with its own gradient or data.
  signflip,
  bitflip,
  labelflip,
  // Blind payloads.
  gaussian,
  inf,
  nan,
  zero,
  largenorm,
  // Statistics of the honest gradients, and their tailored, searched variants.
  alie,
  optAlie,
  ipm,
  optIpm,
  tailored,
  randomEps,
  optimal,
  minmaxPool,
  minmax,
  minsum,
  // Heterogeneity: copies of honest workers, and against normalized means.
  mimic,
  mimic2,
  nmattack,
]);

export function isNoAttack(spec: string): boolean {
  return spec.trim() === 'none';
}

/** Builds an attack from its spec; throws SpecError for any mistake in the spec. */
export function createAttack(spec: string, registry: Registry<AttackDefinition> = attacks): Attack {
  const stages = parseSpec(spec);
  if (stages.length > 1) throw new SpecError(`'${spec}': attacks do not compose with '>'`);
  const [stage] = stages;
  if (stage.name === 'none') throw new SpecError(`'${spec}': none takes no parameters`);
  if (!registry.has(stage.name)) throw unknownName(registry.kind, stage.name, [...registry.names(), 'none']);
  const { def, params, options } = registry.resolve(stage);
  return def.create(params, options);
}
