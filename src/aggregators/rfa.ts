/**
 * rfa — RFA as He, Karimireddy and Jaggi run it: exactly T smoothed Weiszfeld
 * steps started from the origin, with an absolute smoothing ν.
 *
 *   z₀ = 0;   for k = 1, …, T:   βᵢ = αᵢ / max(ν, ‖z_{k−1} − xᵢ‖₂),   z_k = Σᵢ βᵢxᵢ / Σᵢ βᵢ,
 *
 * αᵢ = 1/n (it cancels); the output is z_T. T = 1 is their "RFA with T = 1", the
 * normalized mean Σ xᵢ/‖xᵢ‖ (eq. (4)) divided by Σ 1/‖xᵢ‖; T = 8 is the
 * geometric-median approximation of their figures (RFA-T1 and RFA-T8; T3 in
 * Figure 4), and what their scripts run (`RFA(T=8)`). ν = 0.1 is the default of
 * their RFA class.
 * Requirement: n ≥ 2f + 1 (the geometric median's breakdown point, 1/2).
 *
 * References: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, arXiv:2006.09365v1, 2020 (§3.2,
 * eq. (4); Figures 1–4); the authors' code, epfml/byzantine-robust-noniid-optimizer
 * (utils.py and legacy.py call `RFA(T=8)`; codes/aggregator/rfa.py,
 * `smoothed_weiszfeld` and `RFA(T, nu=0.1)`, as read in a fork of it and in
 * the same authors' epfml/byzantine-robust-optimizer); Pillutla, Kakade,
 * Harchaoui, Robust Aggregation for Federated Learning, IEEE Transactions on
 * Signal Processing 70, 2022 (the smoothed Weiszfeld algorithm).
 *
 * Deliberate differences from the authors' code:
 * - float64 throughout (their tensors are float32), rounded to float32 once,
 *   at the end; the weighted mean is computed as z + Σ βᵢ(xᵢ − z)/Σ βᵢ by
 *   byzsim's float64 kernels, the same point up to float64 rounding.
 * - An input with a non-finite coordinate gets weight 0 (it is infinitely
 *   far), where their loop would return NaN; if every input is non-finite the
 *   output is NaN, outside the contract.
 * It is not `geomed`, which solves for the geometric median (start at the
 * coordinate-wise median, relative ν, a stopping rule on the step): rfa is
 * the fixed-T procedure the resampling paper evaluates, translation- and
 * scale-dependent by design (the origin and ν are absolute).
 */
import type { AggregationResult } from './types.ts';
import { commonDimension, isFiniteVector } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  T: {
    description: 'Weiszfeld steps, all taken (no stopping rule); at most 10000: the paper runs 1, 3 and 8, each step costs a pass over the n inputs',
    default: 8,
    min: 1,
    max: 10_000,
    integer: true,
  },
  nu: { description: 'absolute smoothing ν: distances below ν count as ν (the authors’ default 0.1)', default: 0.1, min: 0, exclusiveMin: true },
};

export type RfaOptions = Partial<Record<keyof typeof params, number>>;

export function rfaAggregate(vectors: readonly Float32Array[], f: number, options: RfaOptions = {}): AggregationResult {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const { T, nu } = resolveParams('rfa', params, given as Record<string, number>);
  const d = commonDimension(vectors, 'rfa');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`rfa requires ${requirement.text} (got n=${n}, f=${f})`);
  const rows = vectors.filter(isFiniteVector);
  const m = rows.length;
  if (m === 0) return { aggregate: new Float32Array(d).fill(NaN), diagnostics: { iterations: 0 } };

  const z = new Float64Array(d);
  const squared = new Float64Array(m);
  const scales = new Float64Array(m);
  for (let k = 0; k < T; k++) {
    kernels().squaredDistancesTo64(z, rows, squared);
    let total = 0;
    for (let i = 0; i < m; i++) {
      scales[i] = 1 / Math.max(nu, Math.sqrt(squared[i]));
      total += scales[i];
    }
    // Σ βᵢxᵢ / Σ βᵢ as z + (1/m) Σ sᵢ(xᵢ − z), sᵢ = m·βᵢ/Σβ: the same point, by the float64 kernel.
    for (let i = 0; i < m; i++) scales[i] = (m * scales[i]) / total;
    kernels().clipStep(rows, scales, m, z);
  }
  return { aggregate: Float32Array.from(z), diagnostics: { iterations: T } };
}

export const rfa = defineRule({
  name: 'rfa',
  summary: 'RFA as run in the resampling paper: exactly T smoothed Weiszfeld steps from the origin, absolute smoothing ν (RFA-T1 is a normalized mean, RFA-T8 the default).',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, 2020 (RFA-T1, RFA-T8); Pillutla et al., IEEE TSP 2022',
  params,
  requirement,
  aggregate: (vectors, ctx, values) => rfaAggregate(vectors, ctx.f, values),
});
