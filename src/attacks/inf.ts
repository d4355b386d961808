/**
 * inf — every coordinate of every Byzantine vector is +∞.
 *
 *   vⱼ = (+∞, …, +∞)
 *
 * A hostile payload rather than an attack on learning: it checks that a rule
 * (and everything that handles vectors before it) survives non-finite inputs.
 * The mean turns to ∞ at once; a rule that trims, selects or weights by
 * distance should discard it. Blind: it needs nothing.
 *
 * Reference: none (a baseline). ByzFL's `Inf` sends the same vector.
 */
import { defineAttack } from './define.ts';

export const inf = defineAttack({
  name: 'inf',
  summary: 'Each Byzantine worker sends a vector of +∞ in every coordinate.',
  reference: '—',
  params: {},
  needs: {},
  craft: (ctx) => Array.from({ length: ctx.f }, () => new Float32Array(ctx.theta.length).fill(Infinity)),
});
