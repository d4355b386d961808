/**
 * minmax — the AGR-agnostic Min-Max attack.
 *
 *   v = μ + γ·p,   γ = max { γ ≥ 0 : maxᵢ ‖v − gᵢ‖₂ ≤ max_{i,j} ‖gᵢ − gⱼ‖₂ }
 *
 * every Byzantine worker sending v: the farthest the Byzantine vector can go
 * along p while no honest gradient is farther from it than the honest
 * gradients are from each other (so a distance-based rule cannot tell it
 * apart). μ and the gᵢ are the honest set H of honest.ts (the gradients
 * seen, with their mean standing in for the unseen ones — which changes
 * nothing here: μ lies in their convex hull, so a stand-in is never the
 * farthest point). The perturbation p (`perturbation`):
 *
 *   unit   −μ/‖μ‖₂ (default)     std   −σ, coordinate-wise (unbiased)     sign   −sign(μ)
 *
 * (p = 0 — μ = 0, or one gradient seen — sends μ.) The paper writes
 * v = μ + γ·∇p with ∇p one of these; its code subtracts γ·μ/‖μ‖, γ·σ or
 * γ·sign(μ) from μ, the same vectors.
 *
 * γ is found by the authors' search, made exact: each maxᵢ ‖μ + γp − gᵢ‖ is
 * convex in γ and ≤ the diameter at γ = 0, so the feasible γ form an
 * interval [0, γ*]. byzsim doubles γ from the authors' γ₀ = 10 until it is
 * infeasible, then bisects 60 times, keeping the last feasible γ: γ* to
 * float64 precision, feasible as evaluated (‖aᵢ − γp‖² = ‖aᵢ‖² − 2γ⟨aᵢ, p⟩ +
 * γ²‖p‖² with aᵢ = gᵢ − μ, so each step costs O(n), not O(nd)). The
 * authors' loop starts at γ₀ = 10, halves its step each time and stops at
 * |Δγ| ≤ 1e-5, which can never exceed 2γ₀ = 20; byzsim does not cap γ.
 * With nothing observed the attack sends zero vectors.
 *
 * Reference: Shejwalkar, Houmansadr, Manipulating the Byzantine: Optimizing
 * Model Poisoning Attacks and Defenses for Federated Learning, NDSS 2021
 * (the AGR-agnostic Min-Max attack). Blades' MinMaxAdversary uses p = −σ and a
 * search on [0, 5] to 1e-2; FLPoison's MinMax follows the authors.
 */
import type { AttackContext } from './types.ts';
import { honestSet, copies, zeros, type HonestSet } from './honest.ts';
import { pairwiseSquaredDistances } from '../kernels/vector.ts';
import { defineAttack } from './define.ts';

export const perturbations = ['unit', 'std', 'sign'] as const;
export type Perturbation = (typeof perturbations)[number];

export const perturbationOption = {
  description: 'direction p of v = μ + γp: unit (−μ/‖μ‖), std (−σ) or sign (−sign μ)',
  default: 'unit',
  choices: perturbations,
};

/** The perturbation p over the honest set H (p = 0 when it has no direction). */
export function perturbation(H: HonestSet, kind: string): Float32Array {
  const { vectors, mean } = H;
  const d = mean.length;
  const p = new Float32Array(d);
  if (kind === 'unit') {
    let s = 0;
    for (let j = 0; j < d; j++) s += mean[j] * mean[j];
    const norm = Math.sqrt(s);
    if (norm > 0) for (let j = 0; j < d; j++) p[j] = -mean[j] / norm;
  } else if (kind === 'std') {
    const m = vectors.length;
    if (m > 1) {
      for (let j = 0; j < d; j++) {
        let ss = 0;
        for (const g of vectors) ss += (g[j] - mean[j]) ** 2;
        p[j] = -Math.sqrt(ss / (m - 1));
      }
    }
  } else {
    for (let j = 0; j < d; j++) p[j] = -Math.sign(mean[j]);
  }
  return p;
}

/** For each gᵢ of H, aᵢ = gᵢ − μ: ‖aᵢ‖² and ⟨aᵢ, p⟩ (float64), and ‖p‖². */
export function offsets(H: HonestSet, p: Float32Array): { a2: Float64Array; ap: Float64Array; p2: number } {
  const { vectors, mean } = H;
  const a2 = new Float64Array(vectors.length);
  const ap = new Float64Array(vectors.length);
  vectors.forEach((g, i) => {
    let s = 0;
    let t = 0;
    for (let j = 0; j < g.length; j++) {
      const a = g[j] - mean[j];
      s += a * a;
      t += a * p[j];
    }
    a2[i] = s;
    ap[i] = t;
  });
  let p2 = 0;
  for (let j = 0; j < p.length; j++) p2 += p[j] * p[j];
  return { a2, ap, p2 };
}

const GAMMA0 = 10;
const BISECTIONS = 60;

/**
 * The largest γ ≥ 0 with feasible(γ), when the feasible γ form an interval
 * [0, γ*] with γ* finite: doubling from γ₀ = 10 to bracket γ*, then 60
 * bisections; 0 when even γ = 0 fails (rounding at a degenerate input).
 */
export function largestFeasible(feasible: (gamma: number) => boolean): number {
  if (!feasible(0)) return 0;
  let lo = 0;
  let hi = GAMMA0;
  while (feasible(hi)) {
    lo = hi;
    hi *= 2;
    if (hi === Infinity) return lo;
  }
  for (let i = 0; i < BISECTIONS; i++) {
    const mid = (lo + hi) / 2;
    if (feasible(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** μ + γp, rounded once to float32. */
export function shifted(mean: Float32Array, gamma: number, p: Float32Array): Float32Array {
  const v = new Float32Array(mean.length);
  for (let j = 0; j < v.length; j++) v[j] = mean[j] + gamma * p[j];
  return v;
}

/** Min-Max's γ over the honest set H along p. */
export function minmaxGamma(H: HonestSet, p: Float32Array): number {
  const { a2, ap, p2 } = offsets(H, p);
  if (p2 === 0) return 0;
  const m = H.vectors.length;
  const P = pairwiseSquaredDistances(H.vectors);
  let diameter2 = 0;
  for (let i = 0; i < m * m; i++) diameter2 = Math.max(diameter2, P[i]);
  return largestFeasible((gamma) => {
    for (let i = 0; i < m; i++) if (a2[i] - 2 * gamma * ap[i] + gamma * gamma * p2 > diameter2) return false;
    return true;
  });
}

/** The Min-Max (or, given its γ, Min-Sum) vector for a context: f copies of μ + γp. */
export function perturbedMean(
  ctx: AttackContext,
  kind: string,
  gammaOf: (H: HonestSet, p: Float32Array) => number,
): Float32Array[] {
  const H = honestSet(ctx);
  if (!H) return zeros(ctx.f, ctx.theta.length);
  const p = perturbation(H, kind);
  return copies(shifted(H.mean, gammaOf(H, p), p), ctx.f);
}

export const minmax = defineAttack({
  name: 'minmax',
  summary: 'Each Byzantine worker sends μ + γp with the largest γ keeping it within the honest gradients’ diameter of every one of them.',
  reference: 'Shejwalkar, Houmansadr, Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning, NDSS 2021',
  options: { perturbation: perturbationOption },
  needs: { honest: true },
  craft: (ctx, { perturbation: kind }) => perturbedMean(ctx, kind, minmaxGamma),
});
