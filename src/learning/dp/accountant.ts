/**
 * Privacy accounting for one worker that releases T noised gradients.
 *
 * Basic composition (Dwork & Roth, The Algorithmic Foundations of
 * Differential Privacy, 2014, Thm 3.16): T steps, each (ε, δ)-DP, are
 * (T·ε, T·δ)-DP.
 *
 * Rényi DP of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar,
 * Zhang, Rényi Differential Privacy of the Sampled Gaussian Mechanism,
 * arXiv:1908.10530, 2019, §3; the moments accountant of Abadi et al., Deep
 * Learning with Differential Privacy, CCS 2016), sampling rate q, noise
 * multiplier z (noise std over the L2 sensitivity), order α > 1:
 *
 *   μ₀ = N(0, z²),  μ = (1 − q)·μ₀ + q·N(1, z²),  A_α = E_{x~μ₀}[(μ(x)/μ₀(x))^α]
 *   RDP(α) = T · ln A_α / (α − 1)
 *   integer α:     A_α = Σ_{i=0..α} C(α, i)·q^i·(1 − q)^(α−i)·exp((i² − i)/(2z²))
 *   fractional α:  A_α split at x₀ = z²·ln(1/q − 1) + 1/2 into two binomial
 *                  series whose terms carry ½·erfc((i − x₀)/(√2·z)) and
 *                  ½·erfc((x₀ − (α − i))/(√2·z)), summed in log space.
 *
 * RDP → (ε, δ), minimised over the orders:
 *   improved   ε = RDP(α) + ln(1 − 1/α) − (ln δ + ln α)/(α − 1)
 *              (Balle, Barthe, Gaboardi, Hsu, Sato, AISTATS 2020, Thm 21;
 *              Canonne, Kamath, Steinke, NeurIPS 2020, Prop. 12)
 *   classical  ε = RDP(α) − ln δ/(α − 1)   (Mironov, Rényi Differential Privacy, CSF 2017, Prop. 3)
 *
 * The RDP computation is TensorFlow Privacy's `rdp_accountant.py`
 * (`_compute_rdp`, `_compute_log_a_int`, `_compute_log_a_frac`, `_log_add`,
 * `_log_sub`) and the improved conversion its `_compute_eps`, with the
 * special cases of the current `dp_accounting` (google/differential-privacy,
 * `rdp_privacy_accountant.py`): ε = 0 once δ² > 1 − e^(−RDP) (the KL bound
 * δ ≤ √(1 − e^(−KL)) already holds), ∞ for α ≤ 1.01 where the formula is
 * unstable, 0 for a negative RDP (rounding), z = 0 → ∞. Deliberate
 * differences:
 *   - the fractional series keeps the signs of C(α, i) as TF Privacy and
 *     Opacus do; the current dp_accounting sums |C(α, i)|, an upper bound
 *     (6.7058e-4 instead of the exact 6.5007e-4 at q = 0.01, z = 2.5,
 *     α = 1.5, 50 steps — an mpmath quadrature agrees with the signed sum);
 *   - ln(1 − q) as log1p(−q) (as dp_accounting does), accurate for tiny q;
 *   - log C(α, i) by the product recurrence, scipy's gammaln being absent;
 *   - α = ∞ is accepted by the conversion (ε = RDP(∞), pure DP) instead of
 *     yielding NaN, and T = 0 gives RDP 0 instead of 0·∞ = NaN;
 *   - an RDP that rounds below 0 (ln A_α under an ulp of 1) is returned as 0;
 *   - the fractional series gives up after 10⁶ terms instead of looping.
 */

/** TF Privacy's default orders (dp_accounting `DEFAULT_RDP_ORDERS`): 1.1, 1.2, …, 10.9, then 11…63, 128, 256, 512, 1024. */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, k) => 1 + (k + 1) / 10),
  ...Array.from({ length: 53 }, (_, k) => 11 + k),
  128,
  256,
  512,
  1024,
]);

export type RdpConversion = 'improved' | 'classical';

export interface PrivacySpent {
  epsilon: number;
  delta: number;
  /** The order the minimum was attained at. */
  order: number;
}

// ───────────────────────── erfc (Cody 1969) ─────────────────────────
//
// W. J. Cody, Rational Chebyshev Approximations for the Error Function,
// Mathematics of Computation 23 (1969) 631–637, with the coefficients and
// interval split of his SPECFUN routine CALERF (netlib):
//   |x| ≤ 0.46875   erf(x) = x·R₁(x²)
//   0.46875 < x ≤ 4 erfc(x) = e^(−x²)·R₂(x)
//   x > 4           erfc(x) = e^(−x²)/x·(1/√π + x⁻²·R₃(x⁻²))
// e^(−x²) is taken as e^(−u²)·e^(−(x−u)(x+u)) with u = ⌊16x⌋/16 (exact u²),
// so the rounding of x² does not cost relative accuracy at large x.

const ERF_A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];
const ERF_B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];
const ERFC_C = [
  5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2,
  1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8,
];
const ERFC_D = [
  1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3,
  4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
];
const ERFC_P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
const ERFC_Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
const INV_SQRT_PI = 5.6418958354775628695e-1;
const ERF_SPLIT = 0.46875;

/** x·R₁(x²) = erf(x) for |x| ≤ 0.46875. */
function erfSmall(x: number): number {
  const y = Math.abs(x);
  const ysq = y > 1.11e-16 ? y * y : 0;
  let num = ERF_A[4] * ysq;
  let den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]) * ysq;
    den = (den + ERF_B[i]) * ysq;
  }
  return (x * (num + ERF_A[3])) / (den + ERF_B[3]);
}

/** erfc(y)·e^(y²) for y > 0.46875. */
function erfcScaled(y: number): number {
  if (y <= 4) {
    let num = ERFC_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]) * y;
      den = (den + ERFC_D[i]) * y;
    }
    return (num + ERFC_C[7]) / (den + ERFC_D[7]);
  }
  const z = 1 / (y * y);
  let num = ERFC_P[5] * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + ERFC_P[i]) * z;
    den = (den + ERFC_Q[i]) * z;
  }
  return (INV_SQRT_PI - (z * (num + ERFC_P[4])) / (den + ERFC_Q[4])) / y;
}

/** −y² split as −u² − (y − u)(y + u), u = ⌊16y⌋/16. */
function minusSquareParts(y: number): [number, number] {
  const u = Math.trunc(16 * y) / 16;
  return [-u * u, -(y - u) * (y + u)];
}

/** erfc(y) for y > 0.46875 (0 once it underflows, y ≳ 27.2). */
function erfcLarge(y: number): number {
  const [a, b] = minusSquareParts(y);
  return Math.exp(a) * Math.exp(b) * erfcScaled(y);
}

/** The complementary error function, relative error ≲ 1e-15 wherever the result is a normal double. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) <= ERF_SPLIT) return 1 - erfSmall(x);
  const e = erfcLarge(Math.abs(x));
  return x < 0 ? 2 - e : e;
}

/** ln erfc(x) for every x, finite where erfc itself underflows (x ≳ 27): −x² − ln x + ln(1/√π + x⁻²·R₃). */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) <= ERF_SPLIT) return Math.log1p(-erfSmall(x));
  if (x < 0) return Math.log(2 - erfcLarge(-x));
  const [a, b] = minusSquareParts(x);
  return a + b + Math.log(erfcScaled(x));
}

// ───────────────────────── log-space arithmetic ─────────────────────────

/** ln(eˣ + eʸ). */
function logAdd(x: number, y: number): number {
  const a = Math.min(x, y);
  const b = Math.max(x, y);
  if (a === -Infinity) return b;
  return Math.log1p(Math.exp(a - b)) + b;
}

/** ln(eˣ − eʸ), x ≥ y. */
function logSub(x: number, y: number): number {
  if (x < y) throw new Error(`dp accountant: log-space subtraction went negative (ln ${x} − ln ${y})`);
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  const d = Math.expm1(x - y);
  // TF Privacy falls back to x when expm1 overflows; eʸ is then below x's last digit.
  return Number.isFinite(d) ? Math.log(d) + y : x;
}

// ───────────────────────── RDP of the sampled Gaussian ─────────────────────────

const LN_HALF = Math.log(0.5);
const MAX_SERIES_TERMS = 1_000_000;

/** ln A_α for an integer α ≥ 2, 0 < q < 1. */
function logAInt(q: number, z: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  let logA = -Infinity;
  let logBinom = 0;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log(alpha - i + 1) - Math.log(i);
    const s = logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) / (2 * z * z);
    logA = logAdd(logA, s);
  }
  return logA;
}

/** ln A_α for a fractional α > 1, 0 < q < 1: the two erfc-weighted series of MTZ19 §3.3, to terms below e^(−30). */
function logAFrac(q: number, z: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const x0 = z * z * Math.log(1 / q - 1) + 0.5;
  const scale = Math.SQRT2 * z;
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let logAbsBinom = 0;
  let positive = true;
  for (let i = 0; i < MAX_SERIES_TERMS; i++) {
    if (i > 0) {
      const factor = alpha - i + 1;
      logAbsBinom += Math.log(Math.abs(factor)) - Math.log(i);
      if (factor < 0) positive = !positive;
    }
    const j = alpha - i;
    const logS0 = logAbsBinom + i * logQ + j * log1mQ + (i * i - i) / (2 * z * z) + LN_HALF + logErfc((i - x0) / scale);
    const logS1 = logAbsBinom + j * logQ + i * log1mQ + (j * j - j) / (2 * z * z) + LN_HALF + logErfc((x0 - j) / scale);
    if (positive) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) return logAdd(logA0, logA1);
  }
  throw new Error(`dp accountant: the series for order ${alpha} did not converge (q=${q}, z=${z})`);
}

/** RDP of one step of the sampled Gaussian mechanism at order α (TF Privacy's `_compute_rdp`). */
function rdpOneStep(q: number, z: number, alpha: number): number {
  if (q === 0) return 0;
  if (z === 0) return Infinity;
  if (q === 1) return alpha / (2 * z * z);
  if (alpha === Infinity) return Infinity;
  // A_α ≥ 1; a ln A_α below 0 is rounding (|ln A_α| under an ulp of 1, e.g. q = 1e-7), not a negative divergence.
  return Math.max(0, (Number.isInteger(alpha) ? logAInt(q, z, alpha) : logAFrac(q, z, alpha)) / (alpha - 1));
}

function requireSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`dp.steps: must be a non-negative integer (got ${steps})`);
}

function requireOrders(orders: readonly number[], min: number, strict: boolean): void {
  if (orders.length === 0) throw new RangeError('dp.orders: must not be empty');
  for (const a of orders) {
    if (Number.isNaN(a) || (strict ? a <= min : a < min)) throw new RangeError(`dp.orders: every order must be ${strict ? '>' : '≥'} ${min} (got ${a})`);
  }
}

/** T·ε and T·δ: T (ε, δ)-DP steps composed (Dwork & Roth 2014, Thm 3.16). */
export function basicComposition({ epsilon, delta, steps }: { epsilon: number; delta: number; steps: number }): { epsilon: number; delta: number } {
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new RangeError(`dp.epsilon: must be ≥ 0 (got ${epsilon})`);
  if (!(delta >= 0 && delta <= 1)) throw new RangeError(`dp.delta: must be in [0, 1] (got ${delta})`);
  requireSteps(steps);
  return { epsilon: steps * epsilon, delta: steps * delta };
}

/** RDP at each order of `steps` rounds of the Poisson-subsampled Gaussian mechanism (TF Privacy's `compute_rdp`). */
export function subsampledGaussianRdp({ q, noiseMultiplier, steps, orders }: { q: number; noiseMultiplier: number; steps: number; orders: readonly number[] }): number[] {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`dp.q: must be in [0, 1] (got ${q})`);
  if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) throw new RangeError(`dp.noiseMultiplier: must be ≥ 0 (got ${noiseMultiplier})`);
  requireSteps(steps);
  requireOrders(orders, 1, true);
  if (steps === 0) return orders.map(() => 0);
  return orders.map((alpha) => steps * rdpOneStep(q, noiseMultiplier, alpha));
}

/** The ε of one order under a conversion; ∞ where the conversion says nothing. */
function epsilonAt(alpha: number, rdp: number, delta: number, conversion: RdpConversion): number {
  if (rdp < 0) return 0;
  if (conversion === 'classical') {
    const eps = rdp - Math.log(delta) / (alpha - 1);
    return Number.isNaN(eps) ? Infinity : eps;
  }
  if (delta * delta + Math.expm1(-rdp) > 0) return 0;
  if (alpha === Infinity) return rdp;
  if (alpha > 1.01) return rdp + Math.log1p(-1 / alpha) - Math.log(delta * alpha) / (alpha - 1);
  return Infinity;
}

/** The smallest ε over the orders at which `rdp` is (ε, δ)-DP, and that order (the first one on ties, as numpy's argmin). */
export function rdpToDp({ orders, rdp, delta, conversion = 'improved' }: { orders: readonly number[]; rdp: readonly number[]; delta: number; conversion?: RdpConversion }): PrivacySpent {
  if (orders.length !== rdp.length) throw new RangeError(`dp.rdp: ${rdp.length} values for ${orders.length} orders`);
  requireOrders(orders, 1, false);
  if (!(delta > 0 && delta <= 1)) throw new RangeError(`dp.delta: must be in (0, 1] (got ${delta})`);
  let best = 0;
  let bestEps = Infinity;
  for (let k = 0; k < orders.length; k++) {
    if (Number.isNaN(rdp[k])) throw new RangeError(`dp.rdp[${k}]: must be a number (got NaN)`);
    const eps = epsilonAt(orders[k], rdp[k], delta, conversion);
    if (k === 0 || eps < bestEps) {
      best = k;
      bestEps = eps;
    }
  }
  return { epsilon: Math.max(0, bestEps), delta, order: orders[best] };
}

/** (ε, δ) after `steps` rounds of DP-SGD with Poisson sampling rate q and noise multiplier z. */
export function subsampledGaussianEpsilon({
  q,
  noiseMultiplier,
  steps,
  delta,
  orders = DEFAULT_RDP_ORDERS,
  conversion = 'improved',
}: {
  q: number;
  noiseMultiplier: number;
  steps: number;
  delta: number;
  orders?: readonly number[];
  conversion?: RdpConversion;
}): PrivacySpent {
  const rdp = subsampledGaussianRdp({ q, noiseMultiplier, steps, orders });
  return rdpToDp({ orders, rdp, delta, conversion });
}
