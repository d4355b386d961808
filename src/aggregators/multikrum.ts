/**
 * multikrum — Multi-Krum with m = n − f, as ByzFL's MultiKrum.
 *
 *   scoreᵢ = Σ_{i → j} ‖xᵢ − xⱼ‖²,   multikrum(x₁, …, xₙ) = (1/m) Σ_{k=1}^{m} x_{π(k)}
 *
 * where i → j ranges over the n − f − 2 inputs nearest to xᵢ (excluding xᵢ),
 * π orders the inputs by increasing score, and m = n − f: the mean of every
 * input but the f that sit farthest from their neighbours. `multikrum(m=k)`
 * fixes m instead, and is then krum(m=k); `krum` itself keeps m = 1 (Krum).
 * The computation is krum.ts's (krumAggregate): the same scores, order and
 * diagnostics (`selected`, `scores`).
 * Requirement: n ≥ 2f + 3 (and m ≤ n − f when m is given).
 * Invariants, declared here: those of every robust rule (permutation
 * invariance, identity, translation and scale equivariance, a finite output
 * with up to f non-finite inputs, whose score is +Infinity), not selects-input:
 * it averages its selection.
 *
 * References: Blanchard, El Mhamdi, Guerraoui, Stainer, Machine Learning with
 * Adversaries: Byzantine Tolerant Gradient Descent, NeurIPS 2017 (Krum and
 * Multi-Krum); El Mhamdi, Guerraoui, Rouault, The Hidden Vulnerability of
 * Distributed Learning in Byzantium, ICML 2018 (Multi-Krum); ByzFL's
 * MultiKrum (LPD-EPFL/byzfl, byzfl/aggregators/aggregators.py), whose m = n − f
 * this follows.
 *
 * Deliberate difference: ByzFL scores over n − f − 1 neighbours (and averages
 * rather than sums, which does not change the order); byzsim follows the paper
 * (n − f − 2), as krum does, so the selection can differ from ByzFL's.
 */
import { commonDimension } from '../kernels/vector.ts';
import { defineRule } from './define.ts';
import { krumAggregate, krumRequirement } from './krum.ts';

const params = {
  m: { description: 'number of lowest-score inputs averaged', absent: 'n − f', min: 1, integer: true },
};

export const multikrum = defineRule({
  name: 'multikrum',
  summary: 'Multi-Krum: mean of the n − f inputs (or m) closest to their n − f − 2 nearest neighbours.',
  reference:
    'Blanchard et al., Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent, NeurIPS 2017; El Mhamdi et al., ICML 2018; ByzFL’s MultiKrum',
  params,
  // With m = n − f, krum(m)'s m ≤ n − f always holds: Krum's own requirement remains.
  requirement: ({ m }) => krumRequirement(m ?? 1),
  invariants: ['permutation-invariance', 'identity', 'translation-equivariance', 'scale-equivariance', 'finite-output'],
  aggregate: (vectors, ctx, { m }) => {
    commonDimension(vectors, 'multikrum');
    const requirement = krumRequirement(m ?? 1);
    if (!requirement.check(vectors.length, ctx.f)) {
      throw new Error(`multikrum requires ${requirement.text} (got n=${vectors.length}, f=${ctx.f})`);
    }
    return krumAggregate(vectors, ctx.f, { m: m ?? vectors.length - ctx.f });
  },
});
