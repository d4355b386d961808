/**
 * mean — the arithmetic mean, byzsim's non-robust baseline.
 *
 *   mean(x₁, …, xₙ) = (1/n) Σᵢ xᵢ
 *
 * Requirement: none; any n ≥ 1 and any f are accepted so that scenarios can
 * compare against it, but a single Byzantine input moves the output anywhere,
 * and non-finite inputs (NaN, ±Infinity) propagate into the aggregate.
 *
 * Reference: the federated averaging baseline (McMahan et al., AISTATS 2017).
 */
import type { AggregationResult, Requirement } from './types.ts';
import { commonDimension, meanOf } from '../kernels/vector.ts';
import { defineRule } from './define.ts';

const requirement: Requirement = {
  text: 'none (not robust: any n ≥ 1, f ≥ 0)',
  check: (n, f) => n >= 1 && Number.isInteger(f) && f >= 0,
};

export function meanAggregate(vectors: readonly Float32Array[], f = 0): AggregationResult {
  commonDimension(vectors, 'mean');
  if (!requirement.check(vectors.length, f)) {
    throw new Error(`mean requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  }
  return { aggregate: meanOf(vectors), diagnostics: {} };
}

export const mean = defineRule({
  name: 'mean',
  aliases: ['average'],
  aliasSources: { average: 'ByzFL' },
  summary: 'Arithmetic mean (non-robust baseline).',
  reference: 'McMahan et al., Communication-Efficient Learning of Deep Networks from Decentralized Data, AISTATS 2017',
  requirement,
  aggregate: (vectors, ctx) => meanAggregate(vectors, ctx.f),
});
