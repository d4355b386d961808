/**
 * nan — every coordinate of every Byzantine vector is NaN.
 *
 *   vⱼ = (NaN, …, NaN)
 *
 * A hostile payload: NaN compares false with everything, so a rule that sorts,
 * takes minima or tests `x > y` without care for it can keep it or crash,
 * where +∞ would be ordered last. The mean turns to NaN at once. Blind.
 *
 * Reference: none (a baseline). The same vector as the `nan` attack of the
 * EPFL LPD group's code (Rouault, in the repositories of El Mhamdi, Guerraoui,
 * Rouault, Distributed Momentum for Byzantine-resilient SGD, ICLR 2021, and of
 * Guerraoui et al., Differential Privacy and Byzantine Resilience in SGD: Do
 * They Add Up?, PODC 2021).
 */
import { defineAttack } from './define.ts';

export const nan = defineAttack({
  name: 'nan',
  summary: 'Each Byzantine worker sends a vector of NaN in every coordinate.',
  reference: '—',
  params: {},
  needs: {},
  craft: (ctx) => Array.from({ length: ctx.f }, () => new Float32Array(ctx.theta.length).fill(NaN)),
});
