/**
 * signflip — sign flipping.
 *
 *   every Byzantine vector = −scale · ḡ,   ḡ = mean of the observed honest gradients
 *
 * In the paper a corrupted worker computes its own gradient g and sends −g.
 * Corrupted workers in byzsim compute nothing, so the mean of what the
 * adversary observed stands in for that gradient. With nothing observed the
 * attack sends zero vectors.
 *
 * Reference: Allen-Zhu, Ebrahimian, Li, Alistarh, Byzantine-Resilient
 * Non-Convex Stochastic Gradient Descent, ICLR 2021 (the "SF" attack).
 */
import { meanOf, scale } from '../kernels/vector.ts';
import { defineAttack } from './define.ts';

const params = {
  scale: { description: 'multiplier of the flipped mean', default: 1, min: 0 },
};

/** f copies of −s·mean(observed); zeros of dimension `dim` when nothing was observed. */
export function scaledMeanVectors(observed: readonly Float32Array[], s: number, f: number, dim: number): Float32Array[] {
  if (observed.length === 0) return Array.from({ length: f }, () => new Float32Array(dim));
  const v = scale(meanOf(observed), s);
  return Array.from({ length: f }, () => v.slice());
}

export const signflip = defineAttack({
  name: 'signflip',
  aliases: ['signflipping'],
  aliasSources: { signflipping: 'ByzFL' },
  summary: 'Each Byzantine worker sends −scale × the mean of the observed honest gradients.',
  reference: 'Allen-Zhu et al., Byzantine-Resilient Non-Convex Stochastic Gradient Descent, ICLR 2021',
  params,
  needs: { honest: true },
  craft: (ctx, { scale: s }) => scaledMeanVectors(ctx.observed, -s, ctx.f, ctx.theta.length),
});
