/**
 * The server's update: SGD with heavy-ball momentum and weight decay, as
 * PyTorch's SGD computes it (dampening 0) — what ByzFL's server steps with:
 *   g′_t = g_t + λ·θ_t,   v_{t+1} = μ·v_t + g′_t,   θ_{t+1} = θ_t − η_t·v_{t+1},
 * with η_t = η · schedule(t). μ = 0 and λ = 0 (the defaults) are the plain
 * SGD of the resampling paper's Algorithm 1 and the DP paper's eq. (1).
 * Worker momentum (ByzFL's and Karimireddy et al.'s m_i ← β·m_i + (1 − β)·g_i,
 * sent instead of g_i) is the workers' own, src/run/worker-momentum.ts.
 *
 * θ never becomes non-finite: a step whose aggregate has a non-finite
 * coordinate (possible only from a rule that does not hold against
 * non-finite inputs, such as the mean), or whose result would overflow
 * float32 (an aggregate of 1e38 through a rule that lets it through), is
 * refused — θ and the momentum stay as they were — and the reason returned,
 * for the server to record and count.
 */
export type StepResult = { theta: Float32Array } | { refused: string };

export interface Optimizer {
  /** θ_{t+1} as a new array (θ_t, which may be in flight, is never mutated), or why the step was refused. `round` is t (from 1), what a schedule reads. */
  step(theta: Float32Array, gradient: Float32Array, round: number): StepResult;
}

export interface SgdSettings {
  lr: number;
  /** Server momentum μ (0: none). */
  momentum?: number;
  /** Weight decay λ (0: none). */
  weightDecay?: number;
  /** η_t / η for round t (default: constant). */
  schedule?: (round: number) => number;
}

export function sgd(dim: number, settings: SgdSettings): Optimizer {
  const { lr } = settings;
  const momentum = settings.momentum ?? 0;
  const decay = settings.weightDecay ?? 0;
  const schedule = settings.schedule ?? (() => 1);
  const velocity = new Float64Array(dim);
  const g2 = new Float64Array(dim);
  return {
    step(theta, g, round) {
      let nonFinite = 0;
      for (let j = 0; j < dim; j++) if (!Number.isFinite(g[j])) nonFinite++;
      if (nonFinite > 0) return { refused: `the aggregate has ${nonFinite} non-finite coordinate${nonFinite === 1 ? '' : 's'}` };
      const eta = lr * schedule(round);
      for (let j = 0; j < dim; j++) g2[j] = decay === 0 ? g[j] : g[j] + decay * theta[j];
      const next = new Float32Array(dim);
      let overflow = 0;
      for (let j = 0; j < dim; j++) {
        next[j] = theta[j] - eta * (momentum * velocity[j] + g2[j]);
        if (!Number.isFinite(next[j])) overflow++;
      }
      if (overflow > 0) return { refused: `θ would not be finite: ${overflow} coordinate${overflow === 1 ? '' : 's'} past float32's range` };
      for (let j = 0; j < dim; j++) velocity[j] = momentum * velocity[j] + g2[j];
      return { theta: next };
    },
  };
}

/** SGD with momentum μ at a constant rate η (sgd without weight decay or schedule). */
export function momentumSgd(dim: number, lr: number, momentum: number): Optimizer {
  return sgd(dim, { lr, momentum });
}
