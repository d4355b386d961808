/**
 * mimic — every Byzantine worker sends the gradient of one honest worker.
 *
 *   vⱼ = g_{i*}
 *
 * Under heterogeneity this over-weights worker i*'s data and under-weights
 * everyone else's, while every Byzantine vector is a genuine honest gradient
 * that no outlier test can reject.
 *
 * `mimic(i=…)`: i* = i, a worker id (ByzFL's Mimic(ε) and FLPoison's Mimic
 * (choice) take a position among the honest vectors instead). When worker i
 * was not seen this round (partial knowledge, or i is Byzantine or ≥ n) the
 * adversary sends what it takes that gradient to be: the mean of those it saw
 * (honest.ts).
 *
 * Default, the heterogeneity-aware choice (the authors' MimicVariantAttacker):
 * in a warm-up of T rounds (`warmup`, default 1 as the authors'
 * `--mimic-warmup`) it estimates the direction z of largest variance of the
 * honest gradients by an online power iteration,
 *
 *   round 1:     μ ← ḡ₁,   z ← normalize(Σᵢ ⟨gᵢ − μ, z₀⟩ (gᵢ − μ)),   z₀ ~ N(0, I)
 *   round t ≤ T: μ ← ((t−1)μ + ḡ_t)/t,
 *                z ← normalize(((t−1) z + normalize(Σᵢ ⟨gᵢ − μ, z⟩ (gᵢ − μ)))/t)
 *
 * (ḡ_t the round's honest mean; the sums over the honest set of honest.ts,
 * the unseen stood for by ḡ_t; z kept when a sum is 0), and in each of those
 * rounds mimics i* = argmaxᵢ ⟨gᵢ, z⟩ over the gradients it saw (first on
 * ties). After the warm-up z is frozen, and `target`:
 *   fixed (default) — i* stays the last warm-up choice, as in the authors'
 *                     code (sending the mean of the seen when i* is unseen);
 *   argmax          — i* = argmaxᵢ ⟨gᵢ, z⟩ re-chosen every round (the
 *                     reading of EPFL's robust-collaborative-learning
 *                     `mimic_heuristic`, which takes |⟨gᵢ, z⟩|; byzsim keeps
 *                     the authors' signed product).
 * Rounds count only when the adversary crafts with at least one observed
 * gradient; z₀ is drawn from the adversary's stream (the authors seed a torch
 * generator with 0). With nothing observed the attack sends zero vectors.
 * The instance keeps μ, z, the round count and i* across rounds (one
 * instance per run).
 *
 * Reference: Karimireddy, He, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Bucketing, ICLR 2022 (the mimic attack; code:
 * epfml/byzantine-robust-noniid-optimizer, codes/attacks/mimic.py); first
 * proposed in He, Karimireddy, Jaggi, arXiv 2006.09365, 2020 (§3.3).
 */
import type { AttackContext } from './types.ts';
import { copies, gradientOf, honestSet, zeros, type HonestSet } from './honest.ts';
import { defineAttack } from './define.ts';

const params = {
  i: { description: 'worker id to mimic; −1: the heterogeneity-aware choice', default: -1, min: -1, integer: true },
  warmup: { description: 'T: rounds of the warm-up estimating z (heterogeneity-aware choice)', default: 1, min: 1, integer: true },
};

const options = {
  target: {
    description: 'after the warm-up: fixed (the last warm-up choice, as the authors’ code) or argmax (re-chosen each round)',
    default: 'fixed',
    choices: ['fixed', 'argmax'],
  },
};

interface Heuristic {
  /** Warm-up rounds done. */
  t: number;
  mu: Float64Array;
  z: Float64Array;
  /** The worker mimicked last. */
  target: number;
}

/** Σᵢ ⟨gᵢ − μ, z⟩ (gᵢ − μ) over H, and its norm. */
function powerStep(H: HonestSet, mu: Float64Array, z: Float64Array): { v: Float64Array; norm: number } {
  const d = mu.length;
  const v = new Float64Array(d);
  for (const g of H.vectors) {
    let w = 0;
    for (let j = 0; j < d; j++) w += (g[j] - mu[j]) * z[j];
    for (let j = 0; j < d; j++) v[j] += w * (g[j] - mu[j]);
  }
  let s = 0;
  for (let j = 0; j < d; j++) s += v[j] * v[j];
  return { v, norm: Math.sqrt(s) };
}

function normalize(z: Float64Array): void {
  let s = 0;
  for (let j = 0; j < z.length; j++) s += z[j] * z[j];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let j = 0; j < z.length; j++) z[j] /= norm;
}

/** One warm-up round: updates μ and z from this round's honest set. */
function warm(state: Heuristic | undefined, H: HonestSet, ctx: AttackContext): Heuristic {
  const d = H.mean.length;
  if (!state) {
    const mu = Float64Array.from(H.mean);
    const z = new Float64Array(d);
    for (let j = 0; j < d; j++) z[j] = ctx.rng.normal();
    normalize(z);
    const step = powerStep(H, mu, z);
    if (step.norm > 0) for (let j = 0; j < d; j++) z[j] = step.v[j] / step.norm;
    return { t: 1, mu, z, target: -1 };
  }
  const { t, mu, z } = state;
  for (let j = 0; j < d; j++) mu[j] = (t * mu[j] + H.mean[j]) / (t + 1);
  const step = powerStep(H, mu, z);
  if (step.norm > 0) {
    for (let j = 0; j < d; j++) z[j] = (t * z[j] + step.v[j] / step.norm) / (t + 1);
    normalize(z);
  }
  state.t = t + 1;
  return state;
}

/** The position, among the observed, of the gradient with the largest ⟨g, z⟩ (the first on ties). */
function argmaxAlong(observed: readonly Float32Array[], z: Float64Array): number {
  let best = 0;
  let bestValue = -Infinity;
  observed.forEach((g, i) => {
    let s = 0;
    for (let j = 0; j < g.length; j++) s += g[j] * z[j];
    if (s > bestValue) {
      bestValue = s;
      best = i;
    }
  });
  return best;
}

export const mimic = defineAttack({
  name: 'mimic',
  summary: 'Every Byzantine worker sends the gradient of one honest worker: worker i, or the one farthest along the honest gradients’ top variance direction.',
  reference: 'Karimireddy, He, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing, ICLR 2022',
  params,
  options,
  setup: (values) => ({ ...values, state: { heuristic: undefined as Heuristic | undefined } }),
  canonical: ({ i, warmup, target }): Record<string, number | string> => (i >= 0 ? { i } : { warmup, target }),
  needs: { honest: true },
  craft(ctx, { i, warmup, target, state }) {
    const H = honestSet(ctx);
    if (!H) return zeros(ctx.f, ctx.theta.length);
    if (i >= 0) return copies(gradientOf(ctx, i), ctx.f);
    const warming = !state.heuristic || state.heuristic.t < warmup;
    if (warming) state.heuristic = warm(state.heuristic, H, ctx);
    const h = state.heuristic!;
    if (warming || target === 'argmax') {
      const at = argmaxAlong(ctx.observed, h.z);
      h.target = ctx.observedFrom[at];
      return copies(ctx.observed[at], ctx.f);
    }
    return copies(gradientOf(ctx, h.target), ctx.f);
  },
});
