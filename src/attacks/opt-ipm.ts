/**
 * opt-ipm — inner-product manipulation with its ε searched against the known rule.
 *
 *   every Byzantine vector = v(ε*) = −ε*·ḡ
 *   ε* = argmax_{ε > 0} ‖AGG(H' ∪ {v(ε)} × f) − ḡ‖
 *
 * ḡ the mean of the observed honest gradients, H' the reconstructed honest
 * inputs (honest.ts: under partial knowledge the unseen honest gradients
 * are copies of ḡ, MixTailor A.1.2), AGG the adversary's private instance of
 * the server's rule, given the server's f. ε* comes from the line search of
 * linesearch.ts over [lo, hi], which also evaluates ipm's default ε = 0.1, so
 * opt-ipm moves the aggregate at least as far as plain ipm does. Against a
 * randomized rule every evaluation draws afresh from the adversary's rule
 * stream. With nothing observed the attack sends zero vectors.
 *
 * The objective and the name follow ByzFL's Optimal_InnerProductManipulation
 * (the ByzFL team's generalization, used by Allouah et al., Fixing by Mixing,
 * AISTATS 2023). byzsim differs in the search (see linesearch.ts) and in the
 * rule simulated: ByzFL's defaults to Clipping > Average with its own f,
 * byzsim's is the server's rule with the server's f.
 *
 * References: Xie, Koyejo, Gupta, Fall of Empires: Breaking Byzantine-tolerant
 * SGD by Inner Product Manipulation, UAI 2019; Allouah, Farhadkhani,
 * Guerraoui, Gupta, Pinot, Stephan, Fixing by Mixing: A Recipe for Optimal
 * Byzantine ML under Heterogeneity, AISTATS 2023 (the optimized variant).
 */
import { defineAttack } from './define.ts';
import type { AttackContext } from './types.ts';
import { checkSearch, craftSearched, searchFactor, searchParams, type FactorChoice, type SearchSettings } from './linesearch.ts';
import { knownRule, observedRound } from './simulate.ts';
import { distance, scale } from '../kernels/vector.ts';

/** ipm's default ε, evaluated beside the grid. */
const IPM_EPS = 0.1;

export interface OptIpmChoice extends FactorChoice {
  /** The vector every Byzantine worker sends, −ε*·ḡ. */
  vector: Float32Array;
}

/** The search of the header on ctx's round (ctx.observed not empty, ctx.rule given): ε* as `factor`, the distance it reaches as `value`. */
export function optIpmSearch(ctx: AttackContext, search: SearchSettings): OptIpmChoice {
  const rule = knownRule(ctx, 'opt-ipm');
  const round = observedRound(ctx, 'opt-ipm');
  const damage = (eps: number): number => distance(round.aggregate(rule, scale(round.mean, -eps)), round.mean);
  const choice = searchFactor(damage, search, [IPM_EPS]);
  return { ...choice, vector: scale(round.mean, -choice.factor) };
}

export const optIpm = defineAttack({
  name: 'opt-ipm',
  summary: 'Each Byzantine worker sends −ε × the honest mean with ε searched to move the known rule’s output farthest from it.',
  reference: 'Xie et al., Fall of Empires, UAI 2019; optimized as ByzFL’s Optimal IPM (Allouah et al., Fixing by Mixing, AISTATS 2023)',
  params: searchParams,
  setup: (values) => checkSearch('opt-ipm', values),
  needs: { honest: true, rule: 'rule' },
  craft: craftSearched(optIpmSearch),
});
