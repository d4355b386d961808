/**
 * defineAttack: an attack from its declarative parts — name, aliases,
 * summary, reference, parameters, what it needs to know — and how it crafts
 * the Byzantine vectors. The definition's `create` resolves the parameters
 * once and builds the canonical spec and the instance, as defineRule does
 * for rules. An attack that keeps state across rounds (a warm-up, a drawn
 * schedule) builds it in `setup`, which runs once per instance.
 */
import type { Attack, AttackContext, AttackDefinition, AttackNeeds } from './types.ts';
import { declareVariant, type OptionMap, type ParamMap, type Values, type VariantDeclaration } from '../registry.ts';

export interface AttackDeclaration<P extends ParamMap, O extends OptionMap, C> extends VariantDeclaration<P, O, C> {
  /** What the attack needs to know; a function when it depends on the parameters (e.g. a target rule). */
  needs: AttackNeeds | ((setup: C) => AttackNeeds);
  /** Exactly ctx.f vectors of the model's dimension. */
  craft(ctx: AttackContext, setup: C): Float32Array[];
}

export function defineAttack<P extends ParamMap = {}, O extends OptionMap = {}, C = Values<P, O>>(
  decl: AttackDeclaration<P, O, C>,
): AttackDefinition {
  const { variant, bind } = declareVariant(decl);
  const needsOf = (setup: C): AttackNeeds => (typeof decl.needs === 'function' ? decl.needs(setup) : decl.needs);
  return {
    ...variant,
    needs: needsOf(bind().setup),
    create(params, options): Attack {
      const { setup, spec } = bind(params, options);
      return { spec, name: decl.name, needs: needsOf(setup), craft: (ctx) => decl.craft(ctx, setup) };
    },
  };
}

/** What an attack needs, in words, for `byzsim list`, the README and validation messages. */
export function needsText(def: { needs: Readonly<AttackNeeds> }): string {
  const { needs } = def;
  const parts: string[] = [];
  if (needs.honest) parts.push('honest gradients');
  if (needs.own) parts.push('its own workers’ gradients');
  if (needs.rule === 'rule') parts.push('the server’s rule');
  if (needs.rule === 'pool') parts.push('the rule pool');
  if (needs.history) parts.push('past θ');
  if (needs.labels) parts.push('its workers’ labels');
  return parts.length ? `needs ${parts.join(', ')}` : 'blind';
}
