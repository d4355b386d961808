/**
 * labelflip — data-level: each Byzantine worker trains honestly on flipped labels.
 *
 *   vⱼ = ∇ℓ(θ; xᵢ, C − 1 − yᵢ) over worker j's own minibatch
 *
 * The Byzantine workers compute their gradients exactly as honest workers
 * do, on their own shards, with every label y of C classes replaced by
 * C − 1 − y, and send them. Nothing in the vector itself is crafted, so
 * distance-based rules see a plausible gradient. A worker whose gradient did
 * not arrive within the adversary's patience sends zeros.
 *
 * Reference: Allen-Zhu, Ebrahimian, Li, Alistarh, Byzantine-Resilient
 * Non-Convex Stochastic Gradient Descent, ICLR 2021 (the "LF" attack); the
 * label map of ByzFL and of Karimireddy, He, Jaggi, Learning from History for
 * Byzantine Robust Optimization, ICML 2021. Unlike ByzFL, the flipping is done
 * by the Byzantine workers, not the honest ones.
 */
import { defineAttack } from './define.ts';

const flip = (y: number, classes: number): number => classes - 1 - y;

export const labelflip = defineAttack({
  name: 'labelflip',
  aliases: ['labelflipping'],
  summary: 'Each Byzantine worker computes its gradient honestly on its own shard with labels y ↦ C − 1 − y.',
  reference: 'Allen-Zhu et al., Byzantine-Resilient Non-Convex Stochastic Gradient Descent, ICLR 2021',
  params: {},
  needs: { labels: flip },
  craft: (ctx) => ctx.own.map((g) => g ?? new Float32Array(ctx.theta.length)),
});
