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
  summary: 'Each Byzantine worker sends −ε × the mean of the observed honest gradients.',
  reference: 'Xie et al., Fall of Empires: Breaking Byzantine-tolerant SGD by Inner Product Manipulation, UAI 2019',
  params,
  needsObservation: true,
  craft: (ctx, { eps }) => scaledMeanVectors(ctx.observed, -eps, ctx.f, ctx.theta.length),
});
