/**
 * SGD with heavy-ball momentum, the server's update (as in the DP paper, §2.1,
 * and the resampling paper's Algorithm 1 with momentum):
 *   v_{t+1} = μ·v_t + g_t,   θ_{t+1} = θ_t − η·v_{t+1}.
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
  /** θ_{t+1} as a new array (θ_t, which may be in flight, is never mutated), or why the step was refused. */
  step(theta: Float32Array, gradient: Float32Array): StepResult;
}

export function momentumSgd(dim: number, lr: number, momentum: number): Optimizer {
  const velocity = new Float64Array(dim);
  return {
    step(theta, g) {
      let nonFinite = 0;
      for (let j = 0; j < dim; j++) if (!Number.isFinite(g[j])) nonFinite++;
      if (nonFinite > 0) return { refused: `the aggregate has ${nonFinite} non-finite coordinate${nonFinite === 1 ? '' : 's'}` };
      const next = new Float32Array(dim);
      let overflow = 0;
      for (let j = 0; j < dim; j++) {
        next[j] = theta[j] - lr * (momentum * velocity[j] + g[j]);
        if (!Number.isFinite(next[j])) overflow++;
      }
      if (overflow > 0) return { refused: `θ would not be finite: ${overflow} coordinate${overflow === 1 ? '' : 's'} past float32's range` };
      for (let j = 0; j < dim; j++) velocity[j] = momentum * velocity[j] + g[j];
      return { theta: next };
    },
  };
}
