/**
 * defineRule: an aggregation rule from its declarative parts — name, aliases,
 * summary, reference, parameters and options, requirement, whether it keeps
 * state or draws random numbers — and its computation. The definition's
 * `create` resolves the parameters once, builds the canonical spec and the
 * instance; adding a rule is one file ending in one `defineRule` call.
 *
 *   export const krum = defineRule({
 *     name: 'krum', summary: '…', reference: '…', params,
 *     requirement: ({ m }) => requirementFor(m),
 *     aggregate: (vectors, ctx, { m, p }) => krumAggregate(vectors, ctx.f, { m, p }),
 *   });
 *
 * A stateless rule gives `aggregate`, called with the instance's setup (the
 * resolved values by default). A stateful rule gives `init` instead, called
 * once per instance with the setup, returning the instance's own `aggregate`
 * and any members it exposes (cc: `centre`, `reset()`), closing over its state.
 */
import type { AggregationContext, AggregationResult, Aggregator, AggregatorDefinition, Requirement } from './types.ts';
import { declareVariant, type OptionMap, type ParamMap, type Values, type VariantDeclaration } from '../registry.ts';

/** What an instance adds to the spec, name and flags the helper fills in. */
export type RuleState = Pick<Aggregator, 'aggregate'>;

/** A requirement on (n, f), fixed or computed from an instance's setup (rules and pre-aggregators). */
export type RequirementOf<C> = Requirement | ((setup: C) => Requirement);

interface RuleParts<P extends ParamMap, O extends OptionMap, C> extends VariantDeclaration<P, O, C> {
  requirement: RequirementOf<C>;
  /** Keeps state across calls (default false); give `init`. */
  stateful?: boolean;
  /** Draws from ctx.rng, the server's stream (default false). */
  randomized?: boolean;
  /** Invariants the rule claims, when it declares its own rather than in src/invariants/catalog.ts. */
  invariants?: readonly string[];
  /** k_F(n, f) of the VN-ratio condition (./vn-bounds.ts), for the instances the DP paper's bound is about (undefined for others). */
  vnBound?: (n: number, f: number, setup: C) => number | undefined;
  /** Reads ctx.reference, the server's gradient on trusted data (fltrust). */
  needsReference?: boolean;
}

export type RuleDeclaration<P extends ParamMap, O extends OptionMap, C, S extends RuleState> = RuleParts<P, O, C> &
  (
    | { aggregate(vectors: readonly Float32Array[], ctx: AggregationContext, setup: C): AggregationResult; init?: never }
    | { init(setup: C): S; aggregate?: never }
  );

/** The requirement every rule with an honest majority states: n ≥ 2f + 1. */
export const honestMajority: Requirement = {
  text: 'n ≥ 2f + 1',
  check: (n, f) => Number.isInteger(f) && f >= 0 && n >= 2 * f + 1,
};

/**
 * declareVariant for a step of the server's aggregation (a rule or a
 * pre-aggregator), which states a requirement on (n, f) and may draw from the
 * server's stream: the definition gains `requirement` (for given parameters,
 * without building an instance) and `randomized`, and `bind` also gives the
 * instance's requirement.
 */
export function declareAggregationStep<P extends ParamMap, O extends OptionMap, C>(
  decl: VariantDeclaration<P, O, C> & { requirement: RequirementOf<C>; randomized?: boolean },
) {
  const { variant, bind } = declareVariant(decl);
  const of = (setup: C): Requirement => (typeof decl.requirement === 'function' ? decl.requirement(setup) : decl.requirement);
  return {
    definition: {
      ...variant,
      requirement: (params?: Record<string, number>, options?: Record<string, string>) => of(bind(params, options).setup),
      randomized: decl.randomized ?? false,
    },
    bind(params?: Record<string, number>, options?: Record<string, string>) {
      const bound = bind(params, options);
      return { ...bound, requirement: of(bound.setup) };
    },
  };
}

export function defineRule<P extends ParamMap = {}, O extends OptionMap = {}, C = Values<P, O>>(
  decl: RuleParts<P, O, C> & { aggregate(vectors: readonly Float32Array[], ctx: AggregationContext, setup: C): AggregationResult },
): AggregatorDefinition;
export function defineRule<P extends ParamMap = {}, O extends OptionMap = {}, C = Values<P, O>, S extends RuleState = RuleState>(
  decl: RuleParts<P, O, C> & { init(setup: C): S },
): AggregatorDefinition<Aggregator & S>;
export function defineRule<P extends ParamMap, O extends OptionMap, C, S extends RuleState>(
  decl: RuleDeclaration<P, O, C, S>,
): AggregatorDefinition<Aggregator & S> {
  const { definition, bind } = declareAggregationStep(decl);
  const stateful = decl.stateful ?? false;
  const { randomized } = definition;
  return {
    ...definition,
    ...(decl.invariants ? { invariants: decl.invariants } : {}),
    stateful,
    create(params, options) {
      const { setup, spec, requirement } = bind(params, options);
      const { vnBound } = decl;
      const base = {
        spec,
        name: decl.name,
        requirement,
        stateful,
        randomized,
        ...(vnBound ? { vnBound: (n: number, f: number) => vnBound(n, f, setup) } : {}),
        ...(decl.needsReference ? { needsReference: true } : {}),
      };
      if (decl.init) return Object.assign(decl.init(setup), base);
      const { aggregate } = decl;
      return { ...base, aggregate: (vectors, ctx) => aggregate(vectors, ctx, setup) } as Aggregator & S;
    },
  };
}
