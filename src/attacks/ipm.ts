/**
 * ipm — inner-product manipulation ("Fall of Empires").
 *
 *   every Byzantine vector = −ε · ḡ,   ḡ = mean of the observed honest gradients
 *
 * A small ε keeps the Byzantine vectors close to the honest ones (so
 * distance-based rules keep them) while making the inner product of the
 * aggregate with the true gradient negative. With nothing observed the attack
 * sends zero vectors.
 *
 * Alias `foe` (Fall of Empires: ByzFL's FallOfEmpires, the EPFL LPD code's
 * `empire`). Their factor is not ε: FallOfEmpires(τ) sends (1 − τ)·ḡ, i.e.
 * ipm with ε = τ − 1 (ByzFL's default τ = 3 is ε = 2), and the ν of
 * Guerraoui et al. (PODC 2021, §5.1: ν = 1.1) is ε = ν − 1 = 0.1, byzsim's
 * default.
 *
 * Reference: Xie, Koyejo, Gupta, Fall of Empires: Breaking Byzantine-tolerant
 * SGD by Inner Product Manipulation, UAI 2019.
 */
import { scaledMeanVectors } from './signflip.ts';
import { defineAttack } from './define.ts';

const params = {
  eps: { description: 'ε: magnitude of the reversed mean', default: 0.1, min: 0 },
};

export const ipm = defineAttack({
  name: 'ipm',
  aliases: ['foe'],
  summary: 'Each Byzantine worker sends −ε × the mean of the observed honest gradients.',
  reference: 'Xie et al., Fall of Empires: Breaking Byzantine-tolerant SGD by Inner Product Manipulation, UAI 2019',
  params,
  needs: { honest: true },
  craft: (ctx, { eps }) => scaledMeanVectors(ctx.observed, -eps, ctx.f, ctx.theta.length),
});
