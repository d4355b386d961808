/**
 * optimal — MixTailor's suboptimal tailored attack against a known rule.
 *
 *   max_{v, λ} λ   subject to   AGG(H', v, …, v) = −λ·g,   g = AGG(H', ḡ, …, ḡ)
 *
 * (MixTailor §2.3 and Appendix A.1.1: f identical Byzantine vectors; A.1.2
 * under partial knowledge.) g is the rule's output without attack. The paper
 * writes it over all n workers' true gradients; the adversary does not see
 * its own workers' gradients here, so, as the paper does for every gradient
 * it has not seen (A.1.2), their slots hold ḡ, the mean of the observed
 * honest gradients, and H' is the observed ones completed with copies of ḡ
 * (honest.ts). byzsim solves the problem on the family v(s) = −s·g, s > 0
 * (the direction the constraint asks for), with s from the line search of
 * linesearch.ts over [lo, hi], which also evaluates s = 0.1 (the tailored
 * attack's ε).
 *
 * Collinearity: AGG(…) = −λ·g is rarely met exactly (Krum returns one of its
 * inputs, a coordinate-wise rule bends the direction), so the equality is
 * relaxed to its projection on −g,
 *
 *   λ(s) = −⟨AGG(H', v(s), …, v(s)), g⟩ / ‖g‖²,
 *
 * the component of the attacked output along −g; what is left orthogonal to
 * g is not constrained, and the cosine between the output and −g is reported
 * beside λ (`cosine`, 1 when the constraint holds exactly). λ > 0 means the
 * attacked step climbs the loss. When g is zero (sign votes that tie, a rule
 * whose output vanishes) the direction is ḡ instead; with g and ḡ zero the
 * attack sends zero vectors. Against a randomized rule, g and every
 * evaluation are single draws from the adversary's rule stream. With nothing
 * observed the attack sends zero vectors.
 *
 * Reference: Ramezani-Kebrya, Madden, Faghri, Arjevani, MixTailor: Mixed
 * Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR
 * 2022 (§2.3; Appendix A.1.1–A.1.2); the family −s·g as in the tailored
 * attacks of Fang et al., USENIX Security 2020, and Xie et al., UAI 2019.
 */
import { defineAttack } from './define.ts';
import type { AttackContext } from './types.ts';
import { checkSearch, craftSearched, searchFactor, searchParams, type FactorChoice, type SearchSettings } from './linesearch.ts';
import { knownRule, observedRound } from './simulate.ts';
import { dot, norm, scale, squaredNorm } from '../kernels/vector.ts';

/** The tailored attack's default ε, evaluated beside the grid. */
const TAILORED_EPS = 0.1;

export interface OptimalChoice extends FactorChoice {
  /** λ* (= value): the attacked output's component along −g, as a multiple of g. */
  lambda: number;
  /** cos(AGG(…), −g) at s*: 1 when the output is exactly −λ·g. */
  cosine: number;
  /** g: the direction attacked (the unattacked output, or ḡ when that is zero). */
  direction: Float32Array;
  /** The vector every Byzantine worker sends, −s*·g. */
  vector: Float32Array;
}

/** The search of the header on ctx's round (ctx.observed not empty, ctx.rule given): s* as `factor`, λ* as `value`. */
export function optimalSearch(ctx: AttackContext, search: SearchSettings): OptimalChoice {
  const rule = knownRule(ctx, 'optimal');
  const round = observedRound(ctx, 'optimal');
  const unattacked = round.aggregate(rule, round.mean);
  const usable = (g: Float32Array) => squaredNorm(g) > 0 && Number.isFinite(squaredNorm(g));
  const g = usable(unattacked) ? unattacked : round.mean;
  const g2 = squaredNorm(g);
  const outputs = new Map<number, Float32Array>();
  const lambda = (s: number): number => {
    const out = round.aggregate(rule, scale(g, -s));
    outputs.set(s, out);
    return -dot(out, g) / g2;
  };
  const choice = searchFactor(lambda, search, [TAILORED_EPS]);
  const out = outputs.get(choice.factor)!;
  const cosine = -dot(out, g) / (norm(out) * Math.sqrt(g2));
  return { ...choice, lambda: choice.value, cosine, direction: g, vector: scale(g, -choice.factor) };
}

export const optimal = defineAttack({
  name: 'optimal',
  summary: 'Each Byzantine worker sends −s·g, g the known rule’s unattacked output, s searched to make the output −λ·g with λ largest.',
  reference: 'Ramezani-Kebrya et al., MixTailor, TMLR 2022 (§2.3, Appendix A.1.1)',
  params: searchParams,
  setup: (values) => checkSearch('optimal', values),
  needs: { honest: true, rule: 'rule' },
  craft: craftSearched(optimalSearch),
});
