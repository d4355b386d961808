/**
 * nm — normalized mean: RFA with a single Weiszfeld step from the origin.
 *
 *   nm(x₁, …, xₙ) = Σᵢ βᵢxᵢ / Σᵢ βᵢ,   βᵢ = 1 / max(ν·s, ‖xᵢ‖₂)
 *
 * with s the (lower) median of the finite inputs' norms.
 *
 * The numerator is Σᵢ xᵢ/‖xᵢ‖₂, the "normalized mean" NM of He, Karimireddy,
 * Jaggi (eq. 4: each input enters as a unit vector, so a Byzantine input moves
 * the direction by at most one unit whatever its norm); dividing by Σᵢ βᵢ is
 * what RFA's Weiszfeld step with T = 1 started at z = 0 does, and gives the
 * output the scale of the inputs (a convex combination of them) instead of a
 * norm that grows with n.
 * Requirement: n ≥ 2f + 1 (honest unit vectors outnumber Byzantine ones). NM
 * has no breakdown-point guarantee; the requirement only keeps it to an
 * honest majority, like the other rules.
 *
 * References: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020 (§3.2,
 * eq. (4), "RFA with T = 1"); Pillutla, Kakade, Harchaoui, Robust
 * Aggregation for Federated Learning, IEEE TSP 2022.
 *
 * Deliberate choices:
 * - ν (default 1e-6, as in geomed) bounds the weight of a near-zero input,
 *   relative to the median norm s, so that nm(a·x) = a·nm(x) for a > 0 (RFA
 *   and the bucketing paper's code, which uses ν = 0.1, floor at an absolute
 *   ν). A zero input keeps the RFA meaning: no direction, but the largest
 *   weight, 1/(ν·s), pulling the output toward the origin. When s = 0 (at
 *   least half the finite inputs are zero) every floor is 0, the zero inputs'
 *   weights are unbounded, and the output is exactly the zero vector — the
 *   limit of the weighted mean, at every scale.
 * - An input with a non-finite coordinate gets weight 0 (it is infinitely far
 *   from the origin), so up to n − 1 non-finite inputs leave a finite output.
 * - Not translation-equivariant: the origin is special by design.
 */
import type { AggregationResult } from './types.ts';
import { commonDimension, isFiniteVector, norm, weightedMeanOf } from '../kernels/vector.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  nu: { description: 'relative smoothing ν: norms below ν·s count as ν·s, s the median input norm', default: 1e-6, min: 1e-12 },
};

export function nmAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { nu?: number } = {},
): AggregationResult {
  const { nu } = resolveParams('nm', params, options.nu === undefined ? {} : { nu: options.nu });
  commonDimension(vectors, 'nm');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`nm requires ${requirement.text} (got n=${n}, f=${f})`);
  const norms = vectors.map((x) => (isFiniteVector(x) ? norm(x) : Infinity));
  const finiteNorms = norms.filter((r) => r < Infinity).sort((a, b) => a - b);
  if (finiteNorms.length === 0) {
    // Every input non-finite: outside the contract; NaN says so rather than 0/0 by accident.
    return { aggregate: new Float32Array(vectors[0].length).fill(NaN), diagnostics: { weights: Array(n).fill(0) } };
  }
  const scale = finiteNorms[(finiteNorms.length - 1) >> 1];
  if (scale === 0) {
    // The limit ν·s → 0: only the zero inputs keep (equal, unbounded) weight.
    const weights = norms.map((r) => (r === 0 ? 1 : 0));
    return { aggregate: new Float32Array(vectors[0].length), diagnostics: { weights } };
  }
  const floor = nu * scale;
  const weights = Float64Array.from(norms, (r) => (r < Infinity ? 1 / Math.max(floor, r) : 0));
  return { aggregate: weightedMeanOf(vectors, weights), diagnostics: { weights: Array.from(weights) } };
}

export const nm = defineRule({
  name: 'nm',
  summary: 'Normalized mean (RFA with T = 1): inputs weighted by 1/‖xᵢ‖, so each contributes a unit vector.',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020',
  params,
  requirement,
  aggregate: (vectors, ctx, values) => nmAggregate(vectors, ctx.f, values),
});
