/**
 * The line search of the optimized attacks (opt-alie, opt-ipm, optimal,
 * minmax-pool): the factor τ > 0 that maximizes an attack's objective J(τ).
 *
 *   1. coarse: J at `grid` points spaced geometrically over [lo, hi],
 *      τᵢ = lo·(hi/lo)^(i/(grid − 1)), and at the plain attack's default
 *      factor(s) (`include`), evaluated first;
 *   2. refine: golden-section search in log τ over the bracket between the
 *      coarse points either side of the best one, `refine` more evaluations;
 *   3. the result is the best τ of every evaluation (ties: the first
 *      evaluated, so a flat objective keeps the plain attack's factor).
 *
 * The objectives are piecewise (a rule's selection changes at discrete τ), so
 * the refinement is a local polish, never worse than the coarse best; the
 * grid is what finds the right region. Evaluating the default factors makes
 * the search at least as damaging, by its own objective, as the plain attack.
 * A non-finite J counts as −∞.
 *
 * ByzFL's optimal attacks use another search (start 0, step δ = 10 doubled
 * while J improves, then 20 evaluations in all of steps shrunk by 0.8, each
 * probed above the best so far only); this one covers several decades with a
 * fixed budget, grid + refine + |include| evaluations, and probes both sides.
 */
import { SpecError } from '../spec.ts';
import type { AttackContext } from './types.ts';
import { copies, zeros } from './honest.ts';

export interface SearchSettings {
  lo: number;
  hi: number;
  /** Coarse points (≥ 2). */
  grid: number;
  /** Golden-section evaluations after the grid. */
  refine: number;
}

export interface FactorChoice {
  /** The chosen factor τ*. */
  factor: number;
  /** J(τ*). */
  value: number;
  /** How many times J was evaluated. */
  evaluations: number;
}

/** The search's parameters as an attack declares them (defaults: 17 points over [0.01, 100], a step of 10^¼, then 12 refinements). */
export const searchParams = {
  lo: { description: 'smallest factor searched (> 0)', default: 0.01, min: 0, exclusiveMin: true },
  hi: { description: 'largest factor searched (> lo)', default: 100, min: 0, exclusiveMin: true },
  grid: {
    description: 'points of the coarse geometric grid over [lo, hi]; each costs one simulated aggregation (≤ 1000)',
    default: 17,
    min: 2,
    max: 1000,
    integer: true,
  },
  refine: {
    description: 'golden-section evaluations after the grid; each costs one simulated aggregation (≤ 1000)',
    default: 12,
    min: 0,
    max: 1000,
    integer: true,
  },
} as const;

/** Checks what the parameter ranges cannot (lo < hi); SpecError naming the attack. */
export function checkSearch(owner: string, s: SearchSettings): SearchSettings {
  if (!(s.lo < s.hi)) throw new SpecError(`${owner}: lo must be smaller than hi (got lo=${s.lo}, hi=${s.hi})`);
  return { lo: s.lo, hi: s.hi, grid: s.grid, refine: s.refine };
}

const INV_PHI = (Math.sqrt(5) - 1) / 2;

/** argmax over τ of `objective` by the search in the header. */
export function searchFactor(objective: (tau: number) => number, s: SearchSettings, include: readonly number[] = []): FactorChoice {
  let best = { factor: NaN, value: -Infinity };
  let evaluations = 0;
  const evaluate = (tau: number): number => {
    const raw = objective(tau);
    evaluations++;
    const value = Number.isNaN(raw) ? -Infinity : raw;
    if (Number.isNaN(best.factor) || value > best.value) best = { factor: tau, value };
    return value;
  };

  const coarse: { tau: number; value: number }[] = [];
  for (const tau of include) coarse.push({ tau, value: evaluate(tau) });
  const ratio = Math.log(s.hi / s.lo);
  for (let i = 0; i < s.grid; i++) {
    const tau = i === s.grid - 1 ? s.hi : s.lo * Math.exp((ratio * i) / (s.grid - 1));
    coarse.push({ tau, value: evaluate(tau) });
  }

  // The bracket: the coarse points on either side of the best one (in τ order). A default factor
  // of 0 (alie's z_max when the honest majority is exact) is a candidate but no end of a log bracket.
  if (!(best.factor > 0)) return { ...best, evaluations };
  coarse.sort((a, b) => a.tau - b.tau);
  const positive = coarse.filter((p) => p.tau > 0);
  coarse.splice(0, coarse.length, ...positive);
  const at = coarse.findIndex((p) => p.tau === best.factor);
  let a = Math.log(coarse[Math.max(0, at - 1)].tau);
  let b = Math.log(coarse[Math.min(coarse.length - 1, at + 1)].tau);
  if (s.refine === 0 || !(b > a)) return { ...best, evaluations };
  let c = b - INV_PHI * (b - a);
  let d = a + INV_PHI * (b - a);
  let fc = evaluate(Math.exp(c));
  let fd = s.refine >= 2 ? evaluate(Math.exp(d)) : -Infinity;
  for (let left = s.refine - 2; left > 0; left--) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - INV_PHI * (b - a);
      fc = evaluate(Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + INV_PHI * (b - a);
      fd = evaluate(Math.exp(d));
    }
  }
  return { ...best, evaluations };
}

/**
 * The craft of a searching attack: nothing without Byzantine workers, zeros
 * when nothing was observed, else f copies of the vector `find` searched.
 */
export function craftSearched(find: (ctx: AttackContext, search: SearchSettings) => { vector: Float32Array }) {
  return (ctx: AttackContext, search: SearchSettings): Float32Array[] => {
    if (ctx.f === 0) return [];
    if (ctx.observed.length === 0) return zeros(ctx.f, ctx.theta.length);
    return copies(find(ctx, search).vector, ctx.f);
  };
}
