/**
 * The honest gradients an attack reasons about, under partial knowledge.
 *
 * An attack whose formula runs over all n − f honest gradients (a sum, a
 * maximum, a spread, the unattacked aggregate) but whose adversary saw only k
 * of them stands the mean ḡ of the k it saw for each unseen one:
 *
 *   H = (g₁, …, g_k, ḡ, …, ḡ)   with n − f entries,   ḡ = (1/k) Σ_{i ≤ k} gᵢ
 *
 * — MixTailor's tailored attack under partial knowledge (Ramezani-Kebrya,
 * Madden, Faghri, Arjevani, MixTailor: Mixed Gradient Aggregation for Robust
 * Learning Against Tailored Attacks, TMLR 2022, Appendix A.1.2), applied by
 * every attack alike. The stand-ins leave the mean unchanged (so −ε·mean
 * attacks do not see them) and add no spread of their own. n − f is this
 * round's honest count; a gradient the adversary did not get within its
 * patience counts as unseen like one its knowledge model does not show it,
 * and when it saw more than n − f (under staleness, a worker honest then and
 * Byzantine now) it keeps them all.
 *
 * Stand-ins never stand for a worker to imitate: `mimic` and `mimic2` choose
 * among the gradients actually seen, and `mimic(i)` sends ḡ only when worker
 * i was not seen (the same rule: ḡ is what the adversary takes an unseen
 * honest gradient to be).
 */
import type { AttackContext } from './types.ts';
import { meanOf } from '../kernels/vector.ts';

export interface HonestSet {
  /** The gradients it saw, in the order seen, then the stand-ins (the same ḡ array, repeated): read-only. */
  readonly vectors: readonly Float32Array[];
  /** How many leading entries of `vectors` were seen. */
  readonly seen: number;
  /** ḡ, the mean of the seen gradients (and of `vectors`). */
  readonly mean: Float32Array;
}

/** `observed` followed by ḡ as many times as it takes to reach `size` entries (none if it has as many); undefined when nothing was seen. */
export function withStandIns(observed: readonly Float32Array[], size: number): HonestSet | undefined {
  const k = observed.length;
  if (k === 0) return undefined;
  const mean = meanOf(observed);
  const vectors = observed.slice();
  for (let i = k; i < size; i++) vectors.push(mean);
  return { vectors, seen: k, mean };
}

/** The n − f honest gradients of the round as the adversary reasons about them; undefined when it saw none. */
export function honestSet(ctx: Pick<AttackContext, 'observed' | 'n' | 'f'>): HonestSet | undefined {
  return withStandIns(ctx.observed, ctx.n - ctx.f);
}

/** What the adversary takes honest worker `worker`'s gradient to be: the one it saw, else ḡ (zeros when it saw none). */
export function gradientOf(ctx: Pick<AttackContext, 'observed' | 'observedFrom' | 'theta'>, worker: number): Float32Array {
  const at = ctx.observedFrom.indexOf(worker);
  if (at >= 0) return ctx.observed[at];
  return ctx.observed.length ? meanOf(ctx.observed) : new Float32Array(ctx.theta.length);
}

/** f independent copies of v (so that one worker's vector can be changed alone). */
export function copies(v: Float32Array, f: number): Float32Array[] {
  return Array.from({ length: f }, () => v.slice());
}

/** f zero vectors of dimension `dim`: what an attack that needs observations sends when it has none. */
export function zeros(f: number, dim: number): Float32Array[] {
  return Array.from({ length: f }, () => new Float32Array(dim));
}
