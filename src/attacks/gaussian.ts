/**
 * gaussian — random noise.
 *
 *   every coordinate of every Byzantine vector ~ N(0, σ²), drawn independently
 *
 * Needs no observation; draws come from the adversary's own stream only, so
 * the run stays reproducible and other components' draws are untouched.
 *
 * Reference: the Gaussian attack of Blanchard et al., NeurIPS 2017 (Section 5).
 */
import { defineAttack } from './define.ts';

const params = {
  sigma: { description: 'σ: standard deviation of each coordinate', default: 200, min: 0 },
};

export const gaussian = defineAttack({
  name: 'gaussian',
  summary: 'Each Byzantine worker sends a vector of independent N(0, σ²) coordinates.',
  reference: 'Blanchard et al., Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent, NeurIPS 2017',
  params,
  needs: {},
  craft(ctx, { sigma }) {
    const d = ctx.theta.length;
    return Array.from({ length: ctx.f }, () => {
      const v = new Float32Array(d);
      for (let j = 0; j < d; j++) v[j] = ctx.rng.normal(0, sigma);
      return v;
    });
  },
});
