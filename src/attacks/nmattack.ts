/**
 * nmattack — the normalized-mean attack.
 *
 *   v = −Σ_{i ∈ good} gᵢ/‖gᵢ‖₂
 *
 * every Byzantine worker sending v: the negative sum of the honest unit
 * directions, the omniscient attack on the normalized mean NM(g₁, …, gₙ) =
 * Σᵢ gᵢ/‖gᵢ‖₂ (RFA with T = 1, byzsim's `nm`). A rule that normalizes its
 * inputs sees each Byzantine vector as the unit vector −S/‖S‖, S the honest
 * sum, so f Byzantine workers turn S into (1 − f/‖S‖)·S: reversed once f
 * exceeds ‖S‖, which heterogeneous (less aligned) honest gradients make
 * small. The sum runs over the honest set of honest.ts: under partial
 * knowledge each unseen gradient is stood for by the mean ḡ of the seen, so
 * it adds ḡ/‖ḡ‖. A zero gradient has no direction and adds nothing. With
 * nothing observed the attack sends zero vectors.
 *
 * Reference: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020 (§3.2,
 * eq. (6): "‖gᵢ‖₂" there is the Euclidean norm, not its square, as in NM,
 * eq. (4)).
 */
import { honestSet, copies, zeros } from './honest.ts';
import { defineAttack } from './define.ts';

/** −Σ gᵢ/‖gᵢ‖₂ over `vectors` (zero vectors skipped), accumulated in float64. */
export function negativeNormalizedSum(vectors: readonly Float32Array[]): Float32Array {
  const d = vectors[0].length;
  const sum = new Float64Array(d);
  for (const g of vectors) {
    let s = 0;
    for (let j = 0; j < d; j++) s += g[j] * g[j];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) sum[j] += g[j] * inv;
  }
  return Float32Array.from(sum, (x) => -x);
}

export const nmattack = defineAttack({
  name: 'nmattack',
  summary: 'Each Byzantine worker sends −Σ gᵢ/‖gᵢ‖ over the honest gradients (the normalized-mean attack).',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020',
  params: {},
  needs: { honest: true },
  craft(ctx) {
    const H = honestSet(ctx);
    return H ? copies(negativeNormalizedSum(H.vectors), ctx.f) : zeros(ctx.f, ctx.theta.length);
  },
});
