/**
 * largenorm — every Byzantine vector has norm `scale`, along a fixed direction.
 *
 *   vⱼ = scale · u,   u = (1, …, 1)/√d   (so ‖vⱼ‖₂ = scale)
 *
 * A hostile payload of finite but huge magnitude: the mean moves by
 * f·scale/n whatever the honest gradients are, and a rule must bound the
 * influence of one input (trimming, selection, clipping) to resist it. The
 * direction is fixed, not drawn, so the attack is blind and needs no stream;
 * for a large vector along the honest gradients use `signflip(scale)`.
 * scale is capped at 1e30 so that the vector stays finite in float32
 * (sums of squares in float64 never overflow).
 *
 * Reference: none (a baseline): the unbounded vector of Blanchard et al.,
 * NeurIPS 2017 (a single Byzantine input moves the mean anywhere), made
 * finite.
 */
import { defineAttack } from './define.ts';

const params = {
  scale: { description: 'the norm ‖v‖₂ of each Byzantine vector', default: 1e6, min: 0, max: 1e30 },
};

export const largenorm = defineAttack({
  name: 'largenorm',
  summary: 'Each Byzantine worker sends scale × (1, …, 1)/√d, a vector of norm scale.',
  reference: '—',
  params,
  needs: {},
  craft(ctx, { scale }) {
    const d = ctx.theta.length;
    return Array.from({ length: ctx.f }, () => new Float32Array(d).fill(scale / Math.sqrt(d)));
  },
});
