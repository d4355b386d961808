/**
 * bitflip — each Byzantine worker sends the negation of its own gradient.
 *
 *   vⱼ = −gⱼ,   gⱼ = the honest gradient Byzantine worker j computes on its own shard
 *
 * The resampling paper's "bitflipping" attack: a corrupted worker still
 * computes, and flips the sign of what it would have sent. (`signflip` is
 * ByzFL's variant, −mean of the honest gradients, for an adversary that does
 * not use its own workers' data.) A worker whose gradient did not arrive
 * within the adversary's patience sends zeros.
 *
 * Reference: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020 (§6, "bit
 * flipping"); Allen-Zhu et al., ICLR 2021.
 */
import { defineAttack } from './define.ts';

export const bitflip = defineAttack({
  name: 'bitflip',
  aliases: ['bitflipping'],
  summary: 'Each Byzantine worker sends the negation of its own honest gradient.',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020',
  params: {},
  needs: { own: true },
  craft: (ctx) => ctx.own.map((g) => (g ? Float32Array.from(g, (x) => -x) : new Float32Array(ctx.theta.length))),
});
