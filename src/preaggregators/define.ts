/**
 * defineStage: a pre-aggregator from its declarative parts — name, aliases,
 * summary, reference, parameters, requirement, whether it draws random
 * numbers, what it does to the counts (n, f) — and its computation. The
 * definition's `create` resolves the parameters once and builds the canonical
 * spec and the instance, as defineRule does for rules.
 */
import type { CountTransform, PreAggregationContext, PreAggregationResult, PreAggregatorDefinition } from './types.ts';
import type { Requirement } from '../aggregators/types.ts';
import { declareAggregationStep, type RequirementOf } from '../aggregators/define.ts';
import type { OptionMap, ParamMap, Values, VariantDeclaration } from '../registry.ts';

/** What a stage does to (n, f): in words, as counts, and on expressions (for derived requirement text). */
export interface StageTransform<C> {
  /** e.g. `n′ = n, f′ = s·f`. */
  text: string;
  counts(n: number, f: number, setup: C): CountTransform;
  describe(n: string, f: string, setup: C): { n: string; f: string };
}

export interface StageDeclaration<P extends ParamMap, O extends OptionMap, C> extends VariantDeclaration<P, O, C> {
  requirement: RequirementOf<C>;
  /** Draws from ctx.rng, the server's stream (default false). */
  randomized?: boolean;
  /** Default: n′ = n, f′ = f in the worst case (output i depends on input i only, or is Byzantine). */
  transform?: StageTransform<C>;
  apply(vectors: readonly Float32Array[], ctx: PreAggregationContext, setup: C): PreAggregationResult;
}

const unchanged: StageTransform<unknown> = {
  text: 'n′ = n, f′ = f',
  counts: (n, f) => ({ n, f, bound: 'worst-case' }),
  describe: (n, f) => ({ n, f }),
};

/** Every input needed is one: n ≥ 1. */
export const anyCount: Requirement = {
  text: 'n ≥ 1',
  check: (n, f) => Number.isInteger(f) && f >= 0 && n >= 1,
};

export function defineStage<P extends ParamMap = {}, O extends OptionMap = {}, C = Values<P, O>>(
  decl: StageDeclaration<P, O, C>,
): PreAggregatorDefinition {
  const { definition, bind } = declareAggregationStep(decl);
  const transform = decl.transform ?? unchanged;
  return {
    ...definition,
    transform: transform.text,
    create(params, options) {
      const { setup, spec, requirement } = bind(params, options);
      return {
        spec,
        name: decl.name,
        randomized: definition.randomized,
        requirement,
        transform: (n, f) => transform.counts(n, f, setup),
        describe: (n, f) => transform.describe(n, f, setup),
        apply: (vectors, ctx) => decl.apply(vectors, ctx, setup),
      };
    },
  };
}
