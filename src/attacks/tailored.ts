/**
 * tailored — MixTailor's tailored attack: the unattacked direction, reversed and scaled.
 *
 *   every Byzantine vector = −ε · ḡ
 *
 *   direction=mean (default)   ḡ = mean of the honest gradients it saw
 *   direction=rule             ḡ = AGG(H ∪ stand-ins), the server's rule on the round as if unattacked
 *
 * MixTailor §2.3 defines the tailored attack against g = AGG(g₁, …, gₙ),
 * "the aggregated gradient under no attack", and A.1.1 restricts it to one
 * vector shared by the Byzantine workers; its experiments (§5) use the
 * attacks of Fang et al. (2020) and Xie et al. (2020b, Fall of Empires) as
 * "the average of correct gradients, scaled with a parameter ε […] towards
 * the inverse of the direction along which the global model would change
 * without attacks". `direction=mean` is that experiment: the same vector as
 * `ipm(eps)`. `direction=rule` is §2.3's g: it needs the server's rule
 * (adversary.knows: rule) and runs its private instance, with the tolerated
 * f, on n vectors — the gradients seen and, for every other worker
 * (unseen honest ones and the Byzantine workers' own slots), their mean:
 * exactly MixTailor's ĝ under partial knowledge (A.1.2), except that the
 * paper's adversary fills its own workers' slots with their honest
 * gradients, which byzsim's tailored does not ask for.
 *
 * ε: MixTailor uses 0.1 (its Fig. 3, and "a small ε corrupts Krum") and 10
 * ("a large one corrupts comed"); its paragraph on the random-ε attack
 * (with Fig. 4) swaps the two targets. With nothing observed the attack sends zero vectors.
 *
 * Reference: Ramezani-Kebrya, Madden, Faghri, Arjevani, MixTailor: Mixed
 * Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR
 * 2022 (§2.3, §5, Appendix A.1); Fang, Cao, Jia, Gong, Local Model
 * Poisoning Attacks to Byzantine-Robust Federated Learning, USENIX Security
 * 2020; Xie, Koyejo, Gupta, Fall of Empires, UAI 2019.
 */
import type { AttackContext, AttackNeeds } from './types.ts';
import { copies, withStandIns, zeros } from './honest.ts';
import { scale } from '../kernels/vector.ts';
import { defineAttack } from './define.ts';

export const directionOption = {
  description: 'ḡ reversed: mean (of the observed honest gradients) or rule (the server’s rule on the unattacked round; needs adversary.knows: rule)',
  default: 'mean',
  choices: ['mean', 'rule'],
};

export const tailoredNeeds = ({ direction }: { direction: string }): AttackNeeds =>
  direction === 'rule' ? { honest: true, rule: 'rule' } : { honest: true };

/** f copies of −ε·ḡ, ḡ the unattacked direction (see the header); zeros when nothing was observed. */
export function tailoredVectors(ctx: AttackContext, eps: number, direction: string): Float32Array[] {
  const all = withStandIns(ctx.observed, ctx.n);
  if (!all) return zeros(ctx.f, ctx.theta.length);
  if (direction === 'mean') return copies(scale(all.mean, -eps), ctx.f);
  if (!ctx.rule) throw new Error('tailored(direction=rule) needs the server’s rule (adversary.knows: rule)');
  const { aggregate } = ctx.rule.aggregate(all.vectors, { f: ctx.tolerated });
  return copies(scale(aggregate, -eps), ctx.f);
}

export const tailored = defineAttack({
  name: 'tailored',
  summary: 'Each Byzantine worker sends −ε × the unattacked direction: the observed honest mean, or the server’s rule on the unattacked round.',
  reference: 'Ramezani-Kebrya et al., MixTailor: Mixed Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR 2022',
  params: { eps: { description: 'ε: magnitude of the reversed direction', default: 0.1, min: 0 } },
  options: { direction: directionOption },
  needs: (setup) => tailoredNeeds(setup),
  craft: (ctx, { eps, direction }) => tailoredVectors(ctx, eps, direction),
});
