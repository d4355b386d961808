/**
 * signmv — sign majority vote (signSGD with majority vote).
 *
 *   signmv(x₁, …, xₙ)[k] = sign( Σᵢ sign(xᵢ[k]) )
 *
 * with sign(t) = 1 for t > 0, −1 for t < 0 and 0 for t = 0. The output is in
 * {−1, 0, 1}ᵈ: a direction, not a gradient estimate, so its scale is set by
 * the learning rate; 0 marks a tied vote.
 * Requirement: n ≥ 2f + 1 (honest inputs form a majority of the voters).
 *
 * Reference: Bernstein, Zhao, Azizzadenesheli, Anandkumar, signSGD with
 * Majority Vote is Communication Efficient and Fault Tolerant, ICLR 2019.
 *
 * Deliberate choices:
 * - Workers send full vectors and the server takes their signs, so that signmv
 *   composes with the other rules; the paper's workers send one bit each.
 * - ±Infinity votes ±1 like any other value of its sign; NaN (and ±0) abstains.
 *   A Byzantine input thus weighs one vote whatever it holds, and the output is
 *   always finite. A tie gives +0, never −0.
 */
import type { AggregationResult } from './types.ts';
import { commonDimension } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

export function signmvAggregate(vectors: readonly Float32Array[], f: number): AggregationResult {
  const d = commonDimension(vectors, 'signmv');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`signmv requires ${requirement.text} (got n=${n}, f=${f})`);
  const aggregate = new Float32Array(d);
  const ties = kernels().signVote(vectors, aggregate);
  return { aggregate, diagnostics: { ties } };
}

export const signmv = defineRule({
  name: 'signmv',
  summary: 'Sign majority vote: per coordinate, the sign of the sum of the inputs’ signs (output in {−1, 0, 1}).',
  reference: 'Bernstein et al., signSGD with Majority Vote is Communication Efficient and Fault Tolerant, ICLR 2019',
  requirement,
  aggregate: (vectors, ctx) => signmvAggregate(vectors, ctx.f),
});
