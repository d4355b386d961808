/**
 * zero — every Byzantine vector is the zero vector.
 *
 *   vⱼ = 0
 *
 * A crashed or lazy worker that reports nothing: it drags the mean toward 0
 * by a factor (n − f)/n and slows training without ever looking hostile (its
 * norm is the smallest possible, so norm-based filters keep it). Blind.
 *
 * Reference: none (a baseline); FedML's ByzantineAttack "zero" mode sends
 * the same vector.
 */
import { defineAttack } from './define.ts';

export const zero = defineAttack({
  name: 'zero',
  summary: 'Each Byzantine worker sends the zero vector.',
  reference: '—',
  params: {},
  needs: {},
  craft: (ctx) => Array.from({ length: ctx.f }, () => new Float32Array(ctx.theta.length)),
});
