/** Contexts and reference arithmetic (float64, written from the formulas) for the attack tests. */
import fc from 'fast-check';
import { attackContext } from '../../src/attacks/index.ts';
import type { AttackContext } from '../../src/attacks/types.ts';
import { createRng } from '../../src/sim/rng.ts';

export const v = (...x: number[]): Float32Array => Float32Array.from(x);

/** A context for `observed` (worker ids 0, 1, … unless `from` is given), as the runner fills it for an omniscient adversary. */
export function context(observed: Float32Array[], f: number, n: number, extra: Partial<AttackContext> = {}, seed = 1): AttackContext {
  const d = observed[0]?.length ?? 3;
  return attackContext({ observed, theta: new Float32Array(d), n, f, round: 1, rng: createRng(seed, 'adversary'), ...extra });
}

/** k gradients of dimension d, coordinates in [−range, range]. */
export function gradients(k: { min: number; max: number }, d: { min: number; max: number }, range = 10) {
  return fc.integer(d).chain((dim) =>
    fc.array(
      fc.array(fc.float({ min: -range, max: range, noNaN: true, noDefaultInfinity: true }), { minLength: dim, maxLength: dim }).map((a) => Float32Array.from(a)),
      { minLength: k.min, maxLength: k.max },
    ),
  );
}

export function mean64(vs: readonly Float32Array[]): Float64Array {
  const m = new Float64Array(vs[0].length);
  for (const g of vs) for (let j = 0; j < m.length; j++) m[j] += g[j] / vs.length;
  return m;
}

export function dist64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

export function norm64(a: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * a[j];
  return Math.sqrt(s);
}

/** The largest |coordinate| over the vectors: the honest scale tolerances are taken relative to. */
export function scaleOf(vs: readonly ArrayLike<number>[]): number {
  let m = 0;
  for (const g of vs) for (let j = 0; j < g.length; j++) m = Math.max(m, Math.abs(g[j]));
  return m;
}

/** Expects a ≈ b coordinate-wise within `tol`. */
export function near(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (!(Math.abs(a[j] - b[j]) <= tol)) return false;
  return true;
}
