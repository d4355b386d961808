/**
 * minsum — the AGR-agnostic Min-Sum attack.
 *
 *   v = μ + γ·p,   γ = max { γ ≥ 0 : Σᵢ ‖v − gᵢ‖₂² ≤ maxᵢ Σⱼ ‖gᵢ − gⱼ‖₂² }
 *
 * every Byzantine worker sending v: the farthest along p that v can go while
 * its sum of squared distances to the honest gradients stays within the
 * largest such sum of an honest gradient (a score like Krum's). μ, the gᵢ and
 * the perturbation p (`unit` −μ/‖μ‖ by default, `std` −σ, `sign` −sign μ) are
 * as in minmax.ts, over the honest set H of honest.ts (n − f gradients, the
 * unseen ones stood for by the mean of the seen: each stand-in adds γ²‖p‖²
 * to the left side and ‖gᵢ − μ‖² to each gᵢ's sum, so partial knowledge does
 * change γ here).
 *
 * γ is found by the same search as minmax's (doubling from γ₀ = 10, then 60
 * bisections: γ* to float64 precision, uncapped). Since Σᵢ (gᵢ − μ) = 0 the
 * left side is Σᵢ ‖gᵢ − μ‖² + |H|·γ²‖p‖², so γ* has a closed form; the search
 * is kept so that both attacks read like the paper and its code.
 *
 * `bound`: `max` (default) is the paper's right side, maxᵢ Σⱼ ‖gᵢ − gⱼ‖²;
 * `min` is the authors' released code, which compares with minᵢ Σⱼ ‖gᵢ − gⱼ‖²
 * (the best-scored honest gradient: a stricter bound, smaller γ). FLPoison's
 * MinSum uses max. With nothing observed the attack sends zero vectors.
 *
 * Reference: Shejwalkar, Houmansadr, Manipulating the Byzantine: Optimizing
 * Model Poisoning Attacks and Defenses for Federated Learning, NDSS 2021
 * (the AGR-agnostic Min-Sum attack).
 */
import type { HonestSet } from './honest.ts';
import { largestFeasible, offsets, perturbationOption, perturbedMean } from './minmax.ts';
import { pairwiseSquaredDistances } from '../kernels/vector.ts';
import { defineAttack } from './define.ts';

/** Min-Sum's γ over the honest set H along p, against the `max` (paper) or `min` (authors' code) bound. */
export function minsumGamma(H: HonestSet, p: Float32Array, bound = 'max'): number {
  const { a2, ap, p2 } = offsets(H, p);
  if (p2 === 0) return 0;
  const m = H.vectors.length;
  const P = pairwiseSquaredDistances(H.vectors);
  let limit = bound === 'min' ? Infinity : 0;
  for (let i = 0; i < m; i++) {
    let score = 0;
    for (let j = 0; j < m; j++) score += P[i * m + j];
    limit = bound === 'min' ? Math.min(limit, score) : Math.max(limit, score);
  }
  let sa2 = 0;
  let sap = 0;
  for (let i = 0; i < m; i++) {
    sa2 += a2[i];
    sap += ap[i];
  }
  return largestFeasible((gamma) => sa2 - 2 * gamma * sap + m * gamma * gamma * p2 <= limit);
}

export const minsum = defineAttack({
  name: 'minsum',
  summary: 'Each Byzantine worker sends μ + γp with the largest γ keeping its sum of squared distances to the honest gradients within theirs.',
  reference: 'Shejwalkar, Houmansadr, Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning, NDSS 2021',
  options: {
    perturbation: perturbationOption,
    bound: { description: 'right side: max (the paper’s maxᵢ Σⱼ ‖gᵢ − gⱼ‖²) or min (the authors’ code)', default: 'max', choices: ['max', 'min'] },
  },
  needs: { honest: true },
  craft: (ctx, { perturbation: kind, bound }) => perturbedMean(ctx, kind, (H, p) => minsumGamma(H, p, bound)),
});
