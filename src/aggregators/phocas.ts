/**
 * phocas — mean around the trimmed mean.
 *
 *   phocas(x₁, …, xₙ)[k] = (1 / (n − f)) Σ_{i ∈ Sₖ} xᵢ[k]
 *
 * where Sₖ holds the n − f values of coordinate k closest to the coordinate's
 * trimmed mean (the mean after dropping the f largest and f smallest values,
 * i.e. cwtm with b = f).
 * Requirement: n ≥ 2f + 1.
 *
 * Reference: Xie, Koyejo, Gupta, Phocas: dimensional Byzantine-resilient
 * stochastic gradient descent, arXiv:1805.09682, 2018.
 *
 * Deliberate choices:
 * - The trimming parameter b of the paper is tied to f (b = f), as in cwtm.
 * - When the last kept slot is contested by two values at the same distance on
 *   either side of the centre, each counts for half.
 * - NaN orders as +Infinity. With at most f non-finite values per coordinate
 *   they are trimmed from the centre and, being infinitely far from it, never
 *   kept, so the output stays finite.
 * - The output is within the range of all inputs; the trimmed mean itself is
 *   within the honest range, but the kept values need not all be honest.
 */
import { phocasVnBound } from './vn-bounds.ts';
import type { AggregationResult } from './types.ts';
import { commonDimension } from '../kernels/vector.ts';
import { closestMeanColumnwise } from '../kernels/subsets.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

export function phocasAggregate(vectors: readonly Float32Array[], f: number): AggregationResult {
  commonDimension(vectors, 'phocas');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`phocas requires ${requirement.text} (got n=${n}, f=${f})`);
  const aggregate = closestMeanColumnwise(vectors, f, 'trimmed', 'phocas');
  return { aggregate, diagnostics: { trimmed: f } };
}

export const phocas = defineRule({
  name: 'phocas',
  summary: 'Phocas: per coordinate, the mean of the n − f values closest to the trimmed mean.',
  reference: 'Xie, Koyejo, Gupta, Phocas: dimensional Byzantine-resilient SGD, arXiv:1805.09682, 2018',
  vnBound: (n, f) => phocasVnBound(n, f),
  requirement,
  aggregate: (vectors, ctx) => phocasAggregate(vectors, ctx.f),
});
