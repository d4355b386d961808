/**
 * alie — "A Little Is Enough".
 *
 *   every Byzantine vector = μ − z·σ   (coordinate-wise)
 *
 * μ and σ are the coordinate-wise mean and standard deviation of the observed
 * honest gradients (σ with the unbiased 1/(k − 1) estimator, as torch.std in
 * ByzFL; σ = 0 when one gradient is observed). z is optional:
 *   - absent (`alie`): the paper's
 *
 *       s = ⌊n/2 + 1⌋ − f,   z_max = Φ⁻¹((n − s) / n),
 *
 *     the largest shift for which enough honest workers still lie farther
 *     from μ than the Byzantine vectors. When f ≥ ⌊n/2 + 1⌋ the formula gives
 *     s ≤ 0 and z = ∞; byzsim clamps s to 1;
 *   - `alie(z=0)`: μ itself, the plain mean of what it saw;
 *   - any other z as given, of either sign.
 * With nothing observed the attack sends zero vectors.
 *
 * Sign conventions (z > 0 moves against σ, as in the paper's μ − z·σ):
 *   - ByzFL's ALittleIsEnough(tau) sends μ + τ·σ (default τ = 1.5): it is
 *     byzsim's alie(z=−τ), ByzFL's default alie(z=-1.5) (its σ is also the
 *     1/(k − 1) one: var with ddof=1, whatever its docstring's 1/k says);
 *   - the DP paper (Guerraoui et al., PODC 2021, §5.1) sends ḡ + v·a with
 *     a = −σ and v = 1.5, i.e. ḡ − 1.5σ: byzsim's alie(z=1.5).
 * The z_max formula is the paper's, over all n workers; the EPFL code of the
 * bucketing and Learning-from-History papers (codes/attacks/alittle.py, where
 * z=None likewise means z_max) takes Φ⁻¹((n − f − s)/(n − f)) over the
 * honest workers instead.
 * In byzsim 0.3 and before, z = 0 stood for z_max, so the mean could not be
 * asked for: `alie` and any z ≠ 0 run as they did, but a trace recorded with
 * an explicit `alie(z=0)` no longer replays.
 *
 * Reference: Baruch, Baruch, Goldberg, A Little Is Enough: Circumventing
 * Defenses for Distributed Learning, NeurIPS 2019 (Algorithm 3).
 */
import { defineAttack } from './define.ts';

const params = {
  z: { description: 'shift in standard deviations, μ − z·σ (0: the mean; ByzFL’s τ is −z)', absent: 'z_max(n, f)' },
};

/**
 * Φ⁻¹, the standard normal quantile, by Acklam's rational approximation
 * (relative error below 1.2e-9 over (0, 1)).
 */
export function inverseNormalCdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  const low = 0.02425;
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** The paper's z_max for n workers of which f are Byzantine. */
export function alieZmax(n: number, f: number): number {
  const s = Math.max(1, Math.floor(n / 2 + 1) - f);
  return inverseNormalCdf((n - s) / n);
}

/** μ − z·σ over `observed`, coordinate-wise, accumulated in float64. */
export function alieVector(observed: readonly Float32Array[], z: number): Float32Array {
  const k = observed.length;
  const d = observed[0].length;
  const out = new Float32Array(d);
  const block = 4096;
  const mu = new Float64Array(block);
  const ss = new Float64Array(block);
  for (let j0 = 0; j0 < d; j0 += block) {
    const j1 = Math.min(d, j0 + block);
    mu.fill(0);
    ss.fill(0);
    for (const v of observed) for (let j = j0; j < j1; j++) mu[j - j0] += v[j];
    for (let j = j0; j < j1; j++) mu[j - j0] /= k;
    for (const v of observed) {
      for (let j = j0; j < j1; j++) {
        const t = v[j] - mu[j - j0];
        ss[j - j0] += t * t;
      }
    }
    for (let j = j0; j < j1; j++) {
      const sigma = k > 1 ? Math.sqrt(ss[j - j0] / (k - 1)) : 0;
      out[j] = mu[j - j0] - z * sigma;
    }
  }
  return out;
}

export const alie = defineAttack({
  name: 'alie',
  summary: 'Each Byzantine worker sends μ − z·σ of the observed honest gradients (z = z_max(n, f) when not given).',
  reference: 'Baruch et al., A Little Is Enough: Circumventing Defenses for Distributed Learning, NeurIPS 2019',
  params,
  needs: { honest: true },
  craft(ctx, { z }) {
    if (ctx.observed.length === 0) return Array.from({ length: ctx.f }, () => new Float32Array(ctx.theta.length));
    const v = alieVector(ctx.observed, z ?? alieZmax(ctx.n, ctx.f));
    return Array.from({ length: ctx.f }, () => v.slice());
  },
});
