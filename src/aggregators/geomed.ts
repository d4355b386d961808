/**
 * geomed — geometric median by the smoothed Weiszfeld algorithm (RFA), with
 * the Vardi–Zhang correction at data points; ℓp geometric median by IRLS.
 *
 *   geomed(x₁, …, xₙ) ≈ argmin_z Σᵢ ‖z − xᵢ‖ₚ        (p = 2 by default)
 *
 * p = 2 (Weiszfeld, RFA). Each iteration sets βᵢ = 1 / ‖z − xᵢ‖ and
 * z ← T(z) = Σ βᵢxᵢ / Σ βᵢ; it stops after T iterations or once the
 * objective improves by less than tol × its value. Inputs within ν·s of z
 * (η of them; s is the data scale below) count as at z, where the plain step
 * is undefined or would stall, and Vardi and Zhang's modified step is taken
 * instead: with R = ‖Σ_{others} (xᵢ − z)/‖xᵢ − z‖‖, z is optimal if R ≤ η
 * (the solver stops), else z ← (1 − η/R)·T(z) + (η/R)·z, T over the others.
 * RFA's smoothing floors distances at ν instead (βᵢ = 1/max(ν, ‖z − xᵢ‖)),
 * which near an input moves z by about ν per iteration; both solve the same
 * problem and agree away from the inputs.
 *
 * p ≠ 2 (ℓp geometric median, p ≥ 1). Iteratively reweighted least squares,
 * coordinate by coordinate: with uᵢ = z − xᵢ,
 *
 *   z_j ← Σᵢ wᵢⱼ xᵢⱼ / Σᵢ wᵢⱼ,   wᵢⱼ = |uᵢⱼ|^{p−2} / ‖uᵢ‖ₚ^{p−1},
 *
 * the zero of the objective's gradient with the weights frozen, |uᵢⱼ| and
 * ‖uᵢ‖ₚ floored at ε (this is what keeps wᵢⱼ finite for p < 2), ε shrinking
 * tenfold per iteration from the data scale s to ν·s. For
 * 1 ≤ p ≤ 2 the step is a majorize–minimize step and decreases the objective;
 * for p > 2 it is only a descent direction (a positively scaled negative
 * gradient), so a step that would increase the objective is halved until it
 * does not. p = 1 is the coordinate-wise median (the objective separates).
 *
 * Requirement: n ≥ 2f + 1 (breakdown point 1/2).
 *
 * References: Pillutla, Kakade, Harchaoui, Robust Aggregation for Federated
 * Learning, IEEE Trans. Signal Processing 2022 (Algorithm 2, smoothed
 * Weiszfeld); Vardi, Zhang, The multivariate L1-median and associated data
 * depth, PNAS 97(4), 2000 (the modified Weiszfeld step at data points);
 * Brimberg, Love, Global convergence of a generalized iterative procedure for
 * the minisum location problem with ℓp distances, Operations Research 41(6),
 * 1993 (the ℓp Weiszfeld/IRLS step, convergent for 1 ≤ p ≤ 2); ℓp geomed
 * as a pool class: Ramezani-Kebrya et al., MixTailor, TMLR 2022.
 *
 * Deliberate differences from the RFA code:
 * - The start point is the coordinate-wise median, not the mean: it is already
 *   robust, finite with up to f non-finite inputs, and usually closer to the
 *   answer, so T = 8 goes further.
 * - ν is relative: the radius is ν·s with s the (lower) median distance from
 *   the start to the finite inputs, so the rule is scale-equivariant and never
 *   merges inputs that are close only in absolute terms (RFA's ν = 1e-6 is
 *   absolute: at small scales it averaged them). s = 0 means at least half the
 *   finite inputs equal the start, which is then a geometric median (for any
 *   p): it is returned exactly, without iterating.
 * - p = 2 is exact when the geometric median is an input: besides the
 *   Vardi–Zhang step, the input nearest the final iterate (ties by
 *   lexicographic order) is tested against the optimality condition R ≤ η and
 *   returned bit for bit if it passes. The test uses float64 differences of
 *   the inputs only, so it decides alike in translated or rescaled frames.
 * - An input with a non-finite coordinate gets weight 0 (it is infinitely far).
 * - The canonical spec omits p when p = 2, so `geomed(T=8, nu=…, tol=…)`
 *   specs and traces are unchanged.
 */
import { powerFunction } from '../kernels/power.ts';
import type { AggregationResult } from './types.ts';
import { commonDimension, coordinateMedian, isFiniteVector, squaredDistancesTo, weightedMeanOf } from '../kernels/vector.ts';
import { lexCompare } from '../kernels/subsets.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  T: {
    description:
      'maximum iterations; at most 10000: RFA needs only a few Weiszfeld steps and the convergence tests here use 2000, while each step costs a pass over the n inputs',
    default: 8,
    min: 1,
    max: 10_000,
    integer: true,
  },
  nu: {
    description: 'relative smoothing ν: inputs within ν·s count as at the iterate (p ≠ 2: floor of the IRLS weights), s the median distance from the start to the inputs',
    default: 1e-6,
    min: 1e-12,
  },
  tol: { description: 'stop when the relative objective improvement is below tol', default: 1e-6, min: 0 },
  p: { description: 'ℓp norm of the median (IRLS for p ≠ 2); 2 is the geometric median', default: 2, min: 1, omitAt: 2 },
};

export type GeomedOptions = Partial<Record<keyof typeof params, number>>;

/** Lower median of the finite entries of `values` (non-finite inputs are marked in `finite`). */
function lowerMedian(values: Float64Array, finite: readonly boolean[]): number {
  const kept = Float64Array.from(values.filter((_, i) => finite[i])).sort();
  return kept[(kept.length - 1) >> 1];
}

/**
 * ‖Σ_{i: near < distᵢ < ∞} (xᵢ − z)/distᵢ‖, summed in float64 from exact
 * float64 differences of the float32 inputs.
 */
function unitSumNorm(vectors: readonly Float32Array[], dist: Float64Array, z: Float32Array, near: number): number {
  const d = z.length;
  const acc = new Float64Array(d);
  for (let i = 0; i < vectors.length; i++) {
    const r = dist[i];
    if (!(r > near && r < Infinity)) continue;
    const w = 1 / r;
    const x = vectors[i];
    for (let j = 0; j < d; j++) acc[j] += w * (x[j] - z[j]);
  }
  let s = 0;
  for (let j = 0; j < d; j++) s += acc[j] * acc[j];
  return Math.sqrt(s);
}

/** Euclidean distances from z to every input; +Infinity for non-finite inputs. */
function distancesTo(z: Float32Array, vectors: readonly Float32Array[], finite: readonly boolean[], out: Float64Array): Float64Array {
  squaredDistancesTo(z, vectors, out);
  for (let i = 0; i < vectors.length; i++) out[i] = finite[i] ? Math.sqrt(out[i]) : Infinity;
  return out;
}

const sumFinite = (dist: Float64Array): number => dist.reduce((s, r) => (r < Infinity ? s + r : s), 0);

interface Solution {
  z: Float32Array;
  iterations: number;
  objective: number;
}

/** Weiszfeld from z with the Vardi–Zhang step at data points, then the exactness test at the nearest input. */
function weiszfeld(
  vectors: readonly Float32Array[],
  finite: readonly boolean[],
  start: Float32Array,
  dist: Float64Array,
  floor: number,
  T: number,
  tol: number,
): Solution {
  const n = vectors.length;
  const d = start.length;
  const beta = new Float64Array(n);
  const finiteCount = finite.filter(Boolean).length;
  let z = start;
  let objective = sumFinite(dist);
  let iterations = 0;
  while (iterations < T) {
    // Inputs within the floor count as at z (η of them): the Vardi–Zhang step jumps off them
    // where the smoothed step would creep at ν·s per iteration.
    let eta = 0;
    for (let i = 0; i < n; i++) {
      const r = dist[i];
      if (r <= floor) eta++;
      beta[i] = r > floor && r < Infinity ? 1 / r : 0;
    }
    if (eta === finiteCount) break;
    const next = weightedMeanOf(vectors, beta);
    if (eta > 0) {
      const R = unitSumNorm(vectors, dist, z, floor);
      if (R <= eta) break;
      const a = eta / R;
      for (let j = 0; j < d; j++) next[j] = (1 - a) * next[j] + a * z[j];
    }
    iterations++;
    z = next;
    distancesTo(z, vectors, finite, dist);
    const value = sumFinite(dist);
    const done = Math.abs(objective - value) <= tol * value;
    objective = value;
    if (done) break;
  }

  // The nearest input (first in lexicographic order on ties) is the geometric median iff R ≤ η there.
  let k = -1;
  for (let i = 0; i < n; i++) {
    if (!(dist[i] < Infinity)) continue;
    if (k < 0 || dist[i] < dist[k] || (dist[i] === dist[k] && lexCompare(vectors[i], vectors[k]) < 0)) k = i;
  }
  if (k < 0 || dist[k] === 0) return { z, iterations, objective };
  const x = vectors[k];
  const toX = distancesTo(x, vectors, finite, new Float64Array(n));
  const eta = toX.reduce((c, r) => (r === 0 ? c + 1 : c), 0);
  if (unitSumNorm(vectors, toX, x, 0) <= eta) return { z: x.slice(), iterations, objective: sumFinite(toX) };
  return { z, iterations, objective };
}

/** Σ over finite inputs of ‖z − xᵢ‖ₚ (scaled by the largest |uᵢⱼ| so that |·|ᵖ cannot overflow); norms into `norms`. */
function lpObjective(z: Float32Array, vectors: readonly Float32Array[], finite: readonly boolean[], p: number, norms: Float64Array): number {
  const d = z.length;
  const pow = powerFunction(p);
  let total = 0;
  for (let i = 0; i < vectors.length; i++) {
    if (!finite[i]) {
      norms[i] = Infinity;
      continue;
    }
    const x = vectors[i];
    let top = 0;
    for (let j = 0; j < d; j++) {
      const t = Math.abs(z[j] - x[j]);
      if (t > top) top = t;
    }
    let s = 0;
    if (top > 0) for (let j = 0; j < d; j++) s += pow(Math.abs(z[j] - x[j]) / top);
    norms[i] = top * s ** (1 / p);
    total += norms[i];
  }
  return total;
}

/**
 * IRLS for the ℓp geometric median, p ≠ 2. The floor starts at the data scale
 * s and shrinks tenfold per iteration down to ν·s (ε-continuation): with ν·s
 * from the start, a coordinate that begins at an input's value (as the
 * coordinate-wise median's do) would get weight ~(ν·s)^{p−2} and, for p < 2,
 * barely move. A step that would not decrease the objective is halved up to
 * 30 times; if none does, the floor shrinks, and at ν·s the solver stops.
 */
function lpIrls(
  vectors: readonly Float32Array[],
  finite: readonly boolean[],
  start: Float32Array,
  p: number,
  scale: number,
  floor: number,
  T: number,
  tol: number,
): Solution {
  const n = vectors.length;
  const d = start.length;
  const num = new Float64Array(d);
  const den = new Float64Array(d);
  let norms = new Float64Array(n);
  let trial = new Float64Array(n);
  let z = start;
  let objective = lpObjective(z, vectors, finite, p, norms);
  let eps = Math.max(floor, scale);
  const powWeight = powerFunction(p - 2);
  let iterations = 0;
  while (iterations < T) {
    num.fill(0);
    den.fill(0);
    for (let i = 0; i < n; i++) {
      if (!finite[i]) continue;
      const x = vectors[i];
      const N = Math.max(eps, norms[i]);
      for (let j = 0; j < d; j++) {
        // (a/N)^{p−2}/N rather than a^{p−2}/N^{p−1}: a ≤ N for p > 2, so nothing overflows.
        const w = powWeight(Math.max(eps, Math.abs(z[j] - x[j])) / N) / N;
        num[j] += w * x[j];
        den[j] += w;
      }
    }
    iterations++;
    const target = Float64Array.from(num, (s, j) => (den[j] > 0 ? s / den[j] : z[j]));
    let next = Float32Array.from(target);
    let value = lpObjective(next, vectors, finite, p, trial);
    for (let halvings = 0; value > objective && halvings < 30; halvings++) {
      for (let j = 0; j < d; j++) target[j] = 0.5 * (target[j] + z[j]);
      next = Float32Array.from(target);
      value = lpObjective(next, vectors, finite, p, trial);
    }
    const shrunk = eps > floor;
    eps = Math.max(floor, eps / 10);
    if (value > objective) {
      if (shrunk) continue;
      break;
    }
    z = next;
    [norms, trial] = [trial, norms];
    const done = !shrunk && objective - value <= tol * value;
    objective = value;
    if (done) break;
  }
  return { z, iterations, objective };
}

export function geomedAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: GeomedOptions = {},
): AggregationResult {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const { T, nu, tol, p } = resolveParams('geomed', params, given as Record<string, number>);
  commonDimension(vectors, 'geomed');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`geomed requires ${requirement.text} (got n=${n}, f=${f})`);

  const finite = vectors.map(isFiniteVector);
  const start = coordinateMedian(vectors);
  if (!finite.some(Boolean) || !isFiniteVector(start)) {
    // More than f non-finite inputs: outside the contract, return the median as is.
    return { aggregate: start, diagnostics: { iterations: 0 } };
  }
  const dist = distancesTo(start, vectors, finite, new Float64Array(n));
  const scale = lowerMedian(dist, finite);
  if (scale === 0) {
    // At least half the finite inputs equal the start: it is a geometric median, for any ℓp.
    const objective = p === 2 ? sumFinite(dist) : lpObjective(start, vectors, finite, p, new Float64Array(n));
    return { aggregate: start, diagnostics: { iterations: 0, objective } };
  }
  const floor = nu * scale;
  const { z, iterations, objective } =
    p === 2 ? weiszfeld(vectors, finite, start, dist, floor, T, tol) : lpIrls(vectors, finite, start, p, scale, floor, T, tol);
  return { aggregate: z, diagnostics: { iterations, objective } };
}

export const geomed = defineRule({
  name: 'geomed',
  aliases: ['geometric-median'],
  summary: 'Geometric median by the smoothed Weiszfeld algorithm (RFA, Vardi–Zhang at data points), started at the coordinate-wise median; ℓp by IRLS.',
  reference: 'Pillutla et al., Robust Aggregation for Federated Learning, IEEE TSP 2022',
  params,
  requirement,
  aggregate: (vectors, ctx, values) => geomedAggregate(vectors, ctx.f, values),
});
