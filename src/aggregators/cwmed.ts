/**
 * cwmed — coordinate-wise median.
 *
 *   cwmed(x₁, …, xₙ)[k] = median(x₁[k], …, xₙ[k])
 *
 * For even n the median is the mean of the two middle values.
 * Requirement: n ≥ 2f + 1 (a Byzantine minority per coordinate).
 *
 * Reference: Yin, Chen, Ramchandran, Bartlett, Byzantine-Robust Distributed
 * Learning: Towards Optimal Statistical Rates, ICML 2018.
 *
 * Deliberate choice: NaN orders as +Infinity, so up to f non-finite values per
 * coordinate land at an end of the order and never reach the output.
 */
import { medianVnBound } from './vn-bounds.ts';
import type { AggregationResult } from './types.ts';
import { commonDimension, coordinateMedian } from '../kernels/vector.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

export function cwmedAggregate(vectors: readonly Float32Array[], f: number): AggregationResult {
  commonDimension(vectors, 'cwmed');
  if (!requirement.check(vectors.length, f)) {
    throw new Error(`cwmed requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  }
  return { aggregate: coordinateMedian(vectors), diagnostics: {} };
}

export const cwmed = defineRule({
  name: 'cwmed',
  aliases: ['median'],
  aliasSources: { median: 'ByzFL' },
  summary: 'Coordinate-wise median (mean of the two middle values for even n).',
  reference: 'Yin et al., Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates, ICML 2018',
  vnBound: (n, f) => medianVnBound(n, f),
  requirement,
  aggregate: (vectors, ctx) => cwmedAggregate(vectors, ctx.f),
});
