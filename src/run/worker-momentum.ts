/**
 * Worker momentum: an honest worker sends m_i ← β·m_i + (1 − β)·g_i, its
 * momentum of its stochastic gradients, instead of g_i (ByzFL's clients;
 * Karimireddy, He, Jaggi, Learning from History for Byzantine Robust
 * Optimization, ICML 2021; the slides' and ByzFL's benchmark settings).
 * m_i starts at 0 and is updated each time worker i computes a gradient (a
 * computation a newer θ abandons never happens, so it does not count). A
 * worker computing on mapped labels for the adversary (label flipping) keeps
 * a second momentum of its own for those, as ByzFL's clients do.
 *
 * In float32, each coordinate as β·m + (1 − β)·g rounded once: the same
 * arithmetic on every kernel path and machine.
 */
import type { Rng } from '../sim/rng.ts';
import type { LabelMap } from '../learning/task.ts';

/** Worker `worker`'s gradient at θ for round `round` (./dp.ts notes which round a noised gradient is of). */
export type GradientFn = (theta: Float32Array, worker: number, rng: Rng, labels: LabelMap | undefined, forAdversary: boolean, round: number) => Float32Array;

export function withWorkerMomentum(gradient: GradientFn, beta: number): GradientFn {
  if (beta === 0) return gradient;
  const buffers = new Map<string, Float32Array>();
  return (theta, worker, rng, labels, forAdversary, round) => {
    const g = gradient(theta, worker, rng, labels, forAdversary, round);
    const key = `${worker}${labels ? '/mapped' : ''}`;
    let m = buffers.get(key);
    if (!m) {
      m = new Float32Array(g.length);
      buffers.set(key, m);
    }
    const rest = 1 - beta;
    for (let j = 0; j < g.length; j++) m[j] = beta * m[j] + rest * g[j];
    // A copy: the vector sent is in flight while m keeps changing.
    return m.slice();
  };
}
