/**
 * defineAttack: an attack from its declarative parts — name, aliases,
 * summary, reference, parameters, what it needs to know — and how it crafts
 * the Byzantine vectors. The definition's `create` resolves the parameters
 * once and builds the canonical spec and the instance, as defineRule does
 * for rules.
 */
import type { Attack, AttackContext, AttackDefinition } from './types.ts';
import { declareVariant, type OptionMap, type ParamMap, type Values, type VariantDeclaration } from '../registry.ts';

export interface AttackDeclaration<P extends ParamMap, O extends OptionMap, C> extends VariantDeclaration<P, O, C> {
  /** Whether the attack reads honest gradients (then the knowledge model must not be `none`). */
  needsObservation: boolean;
  /** Exactly ctx.f vectors of the model's dimension. */
  craft(ctx: AttackContext, setup: C): Float32Array[];
}

export function defineAttack<P extends ParamMap = {}, O extends OptionMap = {}, C = Values<P, O>>(
  decl: AttackDeclaration<P, O, C>,
): AttackDefinition {
  const { variant, bind } = declareVariant(decl);
  const { needsObservation } = decl;
  return {
    ...variant,
    needsObservation,
    create(params, options): Attack {
      const { setup, spec } = bind(params, options);
      return { spec, name: decl.name, needsObservation, craft: (ctx) => decl.craft(ctx, setup) };
    },
  };
}

/** What an attack needs, in words, for `byzsim list` and the README. */
export function needsText(def: Pick<AttackDefinition, 'needsObservation'>): string {
  return def.needsObservation ? 'observes honest gradients' : 'blind';
}
