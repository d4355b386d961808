/**
 * The attacks by name, and construction from spec strings such as `alie(z=1.5)`.
 * `none` is not an attack: callers check `isNoAttack` and skip the adversary.
 */
import type { Attack, AttackDefinition } from './types.ts';
import { alie } from './alie.ts';
import { gaussian } from './gaussian.ts';
import { ipm } from './ipm.ts';
import { signflip } from './signflip.ts';
import { parseSpec, SpecError, unknownName } from '../spec.ts';
import { createRegistry, type Registry } from '../registry.ts';

export { alie, alieVector, alieZmax, inverseNormalCdf } from './alie.ts';
export { gaussian } from './gaussian.ts';
export { ipm } from './ipm.ts';
export { signflip, scaledMeanVectors } from './signflip.ts';
export { defineAttack, needsText, type AttackDeclaration } from './define.ts';

export const attacks: Registry<AttackDefinition> = createRegistry('attack', [signflip, alie, ipm, gaussian]);

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
