/**
 * The Gaussian mechanism on a worker's clipped gradient (Dwork & Roth, The
 * Algorithmic Foundations of Differential Privacy, 2014, App. A; the DP
 * paper's eq. 6–7):
 *
 *   o = g + y,   y ~ N(0, s² I_d)
 *
 * y is drawn from the given stream (the worker's `worker/<i>/dp`, so the
 * minibatch draws are the same with and without noise) by Box–Muller on pairs
 * of uniforms, both of its normals used (coordinates 2i and 2i + 1: half the
 * uniforms of Rng.normal, which keeps one), each in float64, the sum rounded
 * once to float32.
 */
import type { Rng } from '../../sim/rng.ts';

export function addGaussianNoise(g: Float32Array, sigma: number, rng: Rng): Float32Array {
  const d = g.length;
  const out = new Float32Array(d);
  for (let j = 0; j < d; j += 2) {
    let u = rng.next();
    while (u <= 0) u = rng.next();
    const r = sigma * Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * rng.next();
    out[j] = g[j] + r * Math.cos(a);
    if (j + 1 < d) out[j + 1] = g[j + 1] + r * Math.sin(a);
  }
  return out;
}
