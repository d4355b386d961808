/**
 * defineAggregator: a user rule as an AggregatorDefinition, usable by
 * scenarios, the library API, `byzsim aggregate` and `byzsim fuzz`, carrying
 * the invariants it claims and, optionally, the κ it claims. A thin layer over
 * defineRule (src/aggregators/define.ts): it adds the checks a rule written
 * outside byzsim needs (the requirement on every call, the output's shape)
 * and the user-facing call shape `aggregate(vectors, f, rng)`.
 *
 * @example
 * // my-rule.ts — `byzsim fuzz --rule ./my-rule.ts --n 10 --f 3`
 * import { defineAggregator } from 'byzsim';
 * export default defineAggregator({
 *   name: 'trimmed',
 *   summary: 'coordinate-wise trimmed mean',
 *   requirement: { text: 'n ≥ 2f + 1', check: (n, f) => n >= 2 * f + 1 },
 *   properties: ['permutation-invariance', 'identity', 'translation-equivariance', 'finite-output', 'kappa-robustness'],
 *   kappa: { formula: '6f/(n−2f)·(1 + f/(n−2f))', value: (n, f) => …, citation: 'Allouah et al., AISTATS 2023' },
 *   aggregate(vectors, f) {
 *     const d = vectors[0].length;
 *     return Float32Array.from({ length: d }, (_, j) => {
 *       const col = vectors.map((x) => x[j]).sort((a, b) => a - b).slice(f, vectors.length - f);
 *       return col.reduce((s, v) => s + v, 0) / col.length;
 *     });
 *   },
 * });
 */
import type { AggregationDiagnostics, AggregatorDefinition, Requirement } from '../aggregators/types.ts';
import { defineRule, type RuleState } from '../aggregators/define.ts';
import type { Rng } from '../sim/rng.ts';
import type { KappaCondition, KappaEntry } from './kappa.ts';
import { isInvariantName, type InvariantName } from './names.ts';

export type AggregateFn = (
  vectors: readonly Float32Array[],
  f: number,
  rng?: Rng,
) => Float32Array | { aggregate: Float32Array; diagnostics?: AggregationDiagnostics };

interface Common {
  name: string;
  summary?: string;
  reference?: string;
  /** Which (n, f) the rule accepts; default n > 2f. */
  requirement?: ((n: number, f: number) => boolean) | Requirement;
  randomized?: boolean;
  /** Invariants the rule claims (see src/invariants/properties.ts); default permutation invariance only. */
  properties?: InvariantName[];
  /** The κ the rule claims, checked by `kappa-robustness`. */
  kappa?: { formula: string; value: (n: number, f: number) => number; citation: string; condition?: KappaCondition };
  /** An iterative solver: metamorphic checks allow a relative 1e-4. */
  approximate?: boolean;
}

export type AggregatorDeclaration =
  | (Common & { stateful?: false; aggregate: AggregateFn })
  /** A stateful rule gives `init`, called once per instance, returning that instance's aggregate function. */
  | (Common & { stateful: true; init: () => AggregateFn });

export interface UserAggregatorDefinition extends AggregatorDefinition {
  invariants: InvariantName[];
  kappa?: KappaEntry;
  approximate: boolean;
}

const defaultRequirement: Requirement = { text: 'n > 2f', check: (n, f) => Number.isInteger(f) && f >= 0 && n > 2 * f };

export function defineAggregator(decl: AggregatorDeclaration): UserAggregatorDefinition {
  const { name } = decl;
  const requirement: Requirement =
    decl.requirement === undefined
      ? defaultRequirement
      : typeof decl.requirement === 'function'
        ? { text: `custom requirement of ${name}`, check: decl.requirement }
        : decl.requirement;
  const invariants = decl.properties ?? ['permutation-invariance'];
  const unknown = invariants.filter((p) => !isInvariantName(p));
  if (unknown.length) throw new TypeError(`defineAggregator(${name}): unknown properties ${unknown.join(', ')}`);
  if (invariants.includes('kappa-robustness') && !decl.kappa) {
    throw new TypeError(`defineAggregator(${name}): 'kappa-robustness' needs kappa`);
  }
  const kappa: KappaEntry | undefined = decl.kappa && {
    rule: name,
    formula: decl.kappa.formula,
    value: decl.kappa.value,
    citation: decl.kappa.citation,
    verified: 'claimed by the rule author',
    condition: decl.kappa.condition ?? defaultRequirement,
  };
  const checked = (fn: AggregateFn): RuleState => ({
    aggregate(vectors, ctx) {
      if (!requirement.check(vectors.length, ctx.f)) {
        throw new Error(`${name} requires ${requirement.text} (got n=${vectors.length}, f=${ctx.f})`);
      }
      const out = fn(vectors, ctx.f, ctx.rng);
      const result = out instanceof Float32Array ? { aggregate: out, diagnostics: {} } : { aggregate: out.aggregate, diagnostics: out.diagnostics ?? {} };
      if (!(result.aggregate instanceof Float32Array) || result.aggregate.length !== vectors[0].length) {
        throw new Error(`${name}: aggregate must return a Float32Array of dimension ${vectors[0].length}`);
      }
      return result;
    },
  });
  const rule = defineRule({
    name,
    summary: decl.summary ?? name,
    reference: decl.reference ?? 'user-defined',
    requirement,
    stateful: decl.stateful === true,
    randomized: decl.randomized ?? false,
    invariants,
    init: () => checked(decl.stateful === true ? decl.init() : decl.aggregate),
  });
  return { ...rule, invariants, approximate: decl.approximate ?? false, ...(kappa ? { kappa } : {}) };
}
