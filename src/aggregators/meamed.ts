/**
 * meamed — mean around the median.
 *
 *   meamed(x₁, …, xₙ)[k] = (1 / (n − f)) Σ_{i ∈ Sₖ} xᵢ[k]
 *
 * where Sₖ holds the n − f values of coordinate k closest to the coordinate's
 * median (the mean of the two middle values for even n).
 * Requirement: n ≥ 2f + 1.
 *
 * Reference: Xie, Koyejo, Gupta, Generalized Byzantine-tolerant SGD,
 * arXiv:1802.10116, 2018 (mean-around-median).
 *
 * Deliberate choices:
 * - When the last kept slot is contested by two values at the same distance on
 *   either side of the median, each counts for half; the paper leaves ties open.
 * - NaN orders as +Infinity. With at most f non-finite values per coordinate
 *   the median is finite and the n − f finite values are all closer to it, so
 *   no non-finite value reaches the output.
 * - The output is within the range of all inputs, not always within the range
 *   of the honest ones: a Byzantine value just beyond the honest extreme but
 *   near the median can be kept in place of a far honest value.
 */
import { meamedVnBound } from './vn-bounds.ts';
import type { AggregationResult } from './types.ts';
import { commonDimension } from '../kernels/vector.ts';
import { closestMeanColumnwise } from '../kernels/subsets.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

export function meamedAggregate(vectors: readonly Float32Array[], f: number): AggregationResult {
  commonDimension(vectors, 'meamed');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`meamed requires ${requirement.text} (got n=${n}, f=${f})`);
  const aggregate = closestMeanColumnwise(vectors, f, 'median', 'meamed');
  return { aggregate, diagnostics: { trimmed: f } };
}

export const meamed = defineRule({
  name: 'meamed',
  summary: 'Mean around the median: per coordinate, the mean of the n − f values closest to the median.',
  reference: 'Xie, Koyejo, Gupta, Generalized Byzantine-tolerant SGD, arXiv:1802.10116, 2018',
  vnBound: (n, f) => meamedVnBound(n, f),
  requirement,
  aggregate: (vectors, ctx) => meamedAggregate(vectors, ctx.f),
});
