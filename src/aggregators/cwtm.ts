/**
 * cwtm — coordinate-wise trimmed mean.
 *
 *   cwtm(x₁, …, xₙ)[k] = (1 / (n − 2f)) Σ_{i = f+1}^{n−f} x₍ᵢ₎[k]
 *
 * where x₍₁₎[k] ≤ … ≤ x₍ₙ₎[k] are the k-th coordinates sorted: the f largest
 * and f smallest values of each coordinate are dropped and the rest averaged.
 * Requirement: n ≥ 2f + 1.
 *
 * References: Yin et al., ICML 2018; Allouah et al., Fixing by Mixing,
 * AISTATS 2023 (cwtm is (f, κ)-robust with κ = O(f / (n − 2f))).
 *
 * Deliberate choice: NaN orders as +Infinity, so up to f non-finite values per
 * coordinate are trimmed rather than averaged.
 */
import { trimmedMeanVnBound } from './vn-bounds.ts';
import type { AggregationResult } from './types.ts';
import { commonDimension, coordinateTrimmedMean } from '../kernels/vector.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

export function cwtmAggregate(vectors: readonly Float32Array[], f: number): AggregationResult {
  commonDimension(vectors, 'cwtm');
  if (!requirement.check(vectors.length, f)) {
    throw new Error(`cwtm requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  }
  return { aggregate: coordinateTrimmedMean(vectors, f), diagnostics: { trimmed: f } };
}

export const cwtm = defineRule({
  name: 'cwtm',
  aliases: ['trmean'],
  aliasSources: { trmean: 'ByzFL' },
  summary: 'Coordinate-wise trimmed mean: drop the f largest and f smallest values of each coordinate.',
  reference: 'Yin et al., Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates, ICML 2018',
  vnBound: (n, f) => trimmedMeanVnBound(n, f),
  requirement,
  aggregate: (vectors, ctx) => cwtmAggregate(vectors, ctx.f),
});
