/**
 * opt-alie — "A Little Is Enough" with its shift searched against the known rule.
 *
 *   every Byzantine vector = v(z*) = μ − z*·σ   (coordinate-wise, as alie)
 *   z* = argmax_{z > 0} ‖AGG(H' ∪ {v(z)} × f) − ḡ‖
 *
 * μ, σ as in alie (the observed honest gradients, unbiased σ); H' and ḡ the
 * reconstructed honest inputs and their mean (honest.ts: under partial
 * knowledge the unseen honest gradients are copies of ḡ, MixTailor A.1.2);
 * AGG the adversary's private instance of the server's rule, given the
 * server's f. z* comes from the line search of linesearch.ts over [lo, hi],
 * which also evaluates alie's default z_max(n, f), so opt-alie moves the
 * aggregate at least as far as plain alie does. Against a randomized rule
 * every evaluation draws afresh from the adversary's rule stream. With
 * nothing observed the attack sends zero vectors.
 *
 * The objective and the name follow ByzFL's Optimal_ALittleIsEnough (the
 * ByzFL team's generalization, used by Allouah et al., Fixing by Mixing,
 * AISTATS 2023). byzsim differs in three ways: ALIE's sign (byzsim, as the
 * paper, sends μ − zσ; ByzFL μ + τσ); the search (see linesearch.ts); and
 * ByzFL's rule defaults to Clipping > Average with its own f, where byzsim
 * uses the server's rule and f.
 *
 * References: Baruch, Baruch, Goldberg, A Little Is Enough: Circumventing
 * Defenses for Distributed Learning, NeurIPS 2019; Allouah, Farhadkhani,
 * Guerraoui, Gupta, Pinot, Stephan, Fixing by Mixing: A Recipe for Optimal
 * Byzantine ML under Heterogeneity, AISTATS 2023 (the optimized variant).
 */
import { defineAttack } from './define.ts';
import type { AttackContext } from './types.ts';
import { alieVector, alieZmax } from './alie.ts';
import { checkSearch, craftSearched, searchFactor, searchParams, type FactorChoice, type SearchSettings } from './linesearch.ts';
import { knownRule, observedRound } from './simulate.ts';
import { distance } from '../kernels/vector.ts';

export interface OptAlieChoice extends FactorChoice {
  /** The vector every Byzantine worker sends, v(z*). */
  vector: Float32Array;
}

/** The search of the header on ctx's round (ctx.observed not empty, ctx.rule given): z* as `factor`, the distance it reaches as `value`. */
export function optAlieSearch(ctx: AttackContext, search: SearchSettings): OptAlieChoice {
  const rule = knownRule(ctx, 'opt-alie');
  const round = observedRound(ctx, 'opt-alie');
  const damage = (z: number): number => distance(round.aggregate(rule, alieVector(ctx.observed, z)), round.mean);
  const choice = searchFactor(damage, search, [alieZmax(ctx.n, ctx.f)]);
  return { ...choice, vector: alieVector(ctx.observed, choice.factor) };
}

export const optAlie = defineAttack({
  name: 'opt-alie',
  summary: 'Each Byzantine worker sends μ − z·σ with z searched to move the known rule’s output farthest from the honest mean.',
  reference: 'Baruch et al., A Little Is Enough, NeurIPS 2019; optimized as ByzFL’s Optimal ALIE (Allouah et al., Fixing by Mixing, AISTATS 2023)',
  params: searchParams,
  setup: (values) => checkSearch('opt-alie', values),
  needs: { honest: true, rule: 'rule' },
  craft: craftSearched(optAlieSearch),
});
