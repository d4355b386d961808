/**
 * minmax-pool — MixTailor's min-max attack against a known pool of rules (P3).
 *
 *   every Byzantine vector = −ε*·ḡ,
 *   ε* = argmin_{ε > 0} ξ(ε),   ξ(ε) = max_{AGG ∈ pool} ⟨AGG(H', −εḡ, …, −εḡ), ḡ⟩
 *
 * The adversary knows the rules the server may draw but not the draw, so it
 * minimizes the best inner product any of them could still give with the
 * honest mean ḡ; ξ(ε*) < 0 means every rule of the pool is turned against ḡ
 * (the paper's criterion for an attack that defeats MixTailor, Definition 2).
 * H' are the reconstructed honest inputs (honest.ts: under partial
 * knowledge the unseen honest gradients are copies of ḡ, MixTailor A.1.2),
 * each rule is given the server's f, and ε* comes from the line search of
 * linesearch.ts over [lo, hi] on −ξ, which also evaluates the tailored
 * attack's ε = 0.1. A rule that is not MixTailor is a pool of one (then
 * minmax-pool minimizes that rule's inner product). Members with the same
 * spec are simulated once when deterministic (the paper's pool repeats comed
 * 16 times: 64 entries, 49 distinct rules), so an evaluation costs one
 * aggregation per distinct rule. With nothing observed the attack sends zero
 * vectors.
 *
 * The paper writes P3 over v_m(λ) = AGG_m(−λ ΣVᵢ, …, V_{f+1}, …, V_n) and
 * the mean of all n true gradients; byzsim's −εḡ is the same family
 * (ε = nλ), and ḡ, the mean of what the adversary saw, stands in for the
 * unseen gradients as in A.1.2. The similarity filter of P1–P2
 * (‖Bᵢ − Bⱼ‖ ≥ ε) is dropped, as the paper drops it for P3.
 *
 * Reference: Ramezani-Kebrya, Madden, Faghri, Arjevani, MixTailor: Mixed
 * Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR
 * 2022 (Appendix A.4, problem P3).
 */
import { defineAttack } from './define.ts';
import type { AttackContext } from './types.ts';
import type { Aggregator } from '../aggregators/types.ts';
import { checkSearch, craftSearched, searchFactor, searchParams, type FactorChoice, type SearchSettings } from './linesearch.ts';
import { observedRound } from './simulate.ts';
import { dot, scale } from '../kernels/vector.ts';

/** The tailored attack's default ε, evaluated beside the grid. */
const TAILORED_EPS = 0.1;

export interface MinmaxChoice extends FactorChoice {
  /** ξ(ε*) = −value: the largest inner product with ḡ any rule of the pool gives. */
  xi: number;
  /** ⟨AGG(…), ḡ⟩ at ε* for each distinct rule simulated, by spec. */
  inner: Record<string, number>;
  /** The vector every Byzantine worker sends, −ε*·ḡ. */
  vector: Float32Array;
}

/** The distinct rules of a pool: one per spec for deterministic rules (their outputs coincide), every randomized one. */
function distinctRules(pool: readonly Aggregator[]): Aggregator[] {
  const seen = new Set<string>();
  return pool.filter((rule) => {
    if (rule.randomized) return true;
    if (seen.has(rule.spec)) return false;
    seen.add(rule.spec);
    return true;
  });
}

/** The search of the header on ctx's round (ctx.observed not empty, ctx.pool given): ε* as `factor`, −ξ(ε*) as `value`. */
export function minmaxPoolSearch(ctx: AttackContext, search: SearchSettings): MinmaxChoice {
  if (!ctx.pool || ctx.pool.length === 0) throw new Error('minmax-pool needs the rule pool (adversary.knows: pool or rule), and none was given');
  const rules = distinctRules(ctx.pool);
  const round = observedRound(ctx, 'minmax-pool');
  const inner = new Map<number, Record<string, number>>();
  const negXi = (eps: number): number => {
    const v = scale(round.mean, -eps);
    const byRule: Record<string, number> = {};
    let xi = -Infinity;
    for (const rule of rules) {
      const ip = dot(round.aggregate(rule, v), round.mean);
      // NaN (a rule that broke) counts as the largest: the adversary cannot rely on that rule.
      const counted = Number.isNaN(ip) ? Infinity : ip;
      byRule[rule.spec] = ip;
      xi = Math.max(xi, counted);
    }
    inner.set(eps, byRule);
    return -xi;
  };
  const choice = searchFactor(negXi, search, [TAILORED_EPS]);
  return { ...choice, xi: -choice.value, inner: inner.get(choice.factor)!, vector: scale(round.mean, -choice.factor) };
}

export const minmaxPool = defineAttack({
  name: 'minmax-pool',
  summary: 'Each Byzantine worker sends −ε × the honest mean with ε minimizing the largest inner product with it over the known pool’s rules.',
  reference: 'Ramezani-Kebrya et al., MixTailor, TMLR 2022 (Appendix A.4, P3)',
  params: searchParams,
  setup: (values) => checkSearch('minmax-pool', values),
  needs: { honest: true, rule: 'pool' },
  craft: craftSearched(minmaxPoolSearch),
});
