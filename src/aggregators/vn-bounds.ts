/**
 * The variance-to-norm (VN) ratio condition: a rule F is (α, f)-Byzantine
 * resilient when the honest gradients G_t satisfy
 *
 *   √E‖G_t − E G_t‖² / ‖E G_t‖  ≤  k_F(n, f)                         (eq. 2)
 *
 * and, with DP noise of variance s² per coordinate on each honest gradient,
 *
 *   √(E‖G_t − E G_t‖² + d·s²) / ‖E G_t‖  ≤  k_F(n, f)                (eq. 8)
 *
 * The constants k_F, as Guerraoui, Gupta, Pinot, Rouault, Stephan list them
 * (Differential Privacy and Byzantine Resilience in SGD: Do They Add Up?,
 * PODC 2021, §3 and the proofs of Propositions 1–3 in its Appendix A), each
 * from the rule's own paper:
 *
 *   mda               (n − f) / (√8 · f)                                    (El Mhamdi et al., PODC 2020)
 *   krum, bulyan      1 / √(2η),  η = n − f + (f(n − f − 2) + f²(n − f − 1)) / (n − 2f − 2)
 *                                                                        (Blanchard et al., NeurIPS 2017; El Mhamdi et al., ICML 2018)
 *   median (cwmed)    1 / √(n − f),            with 2f ≤ n − 1            (Yin et al., ICML 2018)
 *   meamed            1 / √(10 (n − f)),       with 2f ≤ n − 1            (Xie, Koyejo, Gupta, arXiv:1802.10116)
 *   trimmed mean      √((n − 2f)² / (2 (f + 1)(n − f)))                   (Yin et al., ICML 2018)
 *   phocas            √(4 + (n − 2f)² / (12 (f + 1)(n − f)))               (Xie, Koyejo, Gupta, arXiv:1805.09682)
 *
 * Each is undefined (no bound) outside its rule's conditions: f = 0 for MDA
 * (no adversary: any ratio will do), n ≤ 2f + 2 for Krum's η. The rules
 * declare theirs with `vnBound` in their definition; a rule the paper does not
 * list has none, and neither has a rule behind pre-aggregation stages (the
 * condition is on the rule's inputs).
 */

export type VnBound = (n: number, f: number) => number | undefined;

const valid = (n: number, f: number): boolean => Number.isInteger(n) && Number.isInteger(f) && f >= 0 && n > f;

export const mdaVnBound: VnBound = (n, f) => (valid(n, f) && f > 0 && n >= 2 * f + 1 ? (n - f) / (Math.sqrt(8) * f) : undefined);

/** Blanchard et al.'s η(n, f) (without the square root: the DP paper's notation). */
export function krumEta(n: number, f: number): number {
  return n - f + (f * (n - f - 2) + f * f * (n - f - 1)) / (n - 2 * f - 2);
}

export const krumVnBound: VnBound = (n, f) => (valid(n, f) && n > 2 * f + 2 ? 1 / Math.sqrt(2 * krumEta(n, f)) : undefined);

export const medianVnBound: VnBound = (n, f) => (valid(n, f) && 2 * f <= n - 1 ? 1 / Math.sqrt(n - f) : undefined);

export const meamedVnBound: VnBound = (n, f) => (valid(n, f) && 2 * f <= n - 1 ? 1 / Math.sqrt(10 * (n - f)) : undefined);

export const trimmedMeanVnBound: VnBound = (n, f) => (valid(n, f) && n >= 2 * f + 1 ? Math.sqrt((n - 2 * f) ** 2 / (2 * (f + 1) * (n - f))) : undefined);

export const phocasVnBound: VnBound = (n, f) => (valid(n, f) && n >= 2 * f + 1 ? Math.sqrt(4 + (n - 2 * f) ** 2 / (12 * (f + 1) * (n - f))) : undefined);
