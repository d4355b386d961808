/** Draws from the delay / compute-time distributions a scenario can name. */
import type { Rng } from './rng.ts';

export type DelayDistribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'lognormal'; mu: number; sigma: number };

/**
 * A lognormal's standard normal draw Z is truncated to [−10, 10], so the
 * largest value is exp(mu + 10·sigma), which validation can bound (a run
 * refuses non-finite delays). |Z| > 10 has probability about 10⁻²³: it is
 * not a change to any draw a run has made.
 */
export const NORMAL_BOUND = 10;

export function draw(dist: DelayDistribution, rng: Rng): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return rng.uniform(dist.min, dist.max);
    case 'lognormal': {
      const { mu, sigma } = dist;
      const x = rng.normal(mu, sigma);
      return Math.exp(Math.min(mu + sigma * NORMAL_BOUND, Math.max(mu - sigma * NORMAL_BOUND, x)));
    }
  }
}

/** The largest value `draw` can return. */
export function largestDraw(dist: DelayDistribution): number {
  switch (dist.kind) {
    case 'fixed':
      return dist.value;
    case 'uniform':
      return dist.max;
    case 'lognormal':
      return Math.exp(dist.mu + dist.sigma * NORMAL_BOUND);
  }
}
