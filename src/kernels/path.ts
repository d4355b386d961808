/**
 * The kernel path: whether the hot kernels run as WebAssembly SIMD (simd.ts)
 * or as their scalar twins (scalar.ts). The two give bit-identical results,
 * so the path changes speed and never a trace hash; forcing one is how that
 * claim is checked (`BYZSIM_KERNELS=scalar`), and a way around a runtime whose
 * SIMD misbehaves.
 *
 * The request is `auto` (SIMD when the runtime has it, else scalar), `simd`
 * (an error when the runtime has no WebAssembly SIMD) or `scalar`. It is set
 * by setKernelPath, or else read once from the environment variable
 * BYZSIM_KERNELS (unset or empty: auto). Callers reach the kernels only
 * through kernels(), so every call site follows the same path.
 */
import { UserError } from '../errors.ts';
import {
  simdAvailable,
  simdClipStep,
  simdClosestMean,
  simdColumnSelect,
  simdGram,
  simdMix,
  simdScaleRows,
  simdSignVote,
  simdSquaredNorms,
  simdSquaredDistancesTo,
  simdSquaredDistancesTo64,
  simdWeightedSum,
  type MixGroup,
} from './simd.ts';
import {
  scalarClipStep,
  scalarClosestMean,
  scalarColumnSelect,
  scalarGram,
  scalarMix,
  scalarScaleRows,
  scalarSignVote,
  scalarSquaredNorms,
  scalarSquaredDistancesTo,
  scalarSquaredDistancesTo64,
  scalarWeightedSum,
} from './scalar.ts';
import type { Centre } from './networks.ts';

export type { MixGroup } from './simd.ts';

export const KERNEL_REQUESTS = ['auto', 'simd', 'scalar'] as const;
export type KernelRequest = (typeof KERNEL_REQUESTS)[number];
export type KernelPath = Exclude<KernelRequest, 'auto'>;

export const KERNELS_ENV = 'BYZSIM_KERNELS';

/** A kernel path that cannot be used: an unknown name, or `simd` without WebAssembly SIMD. */
export class KernelPathError extends UserError {
  override readonly name = 'KernelPathError';
}

/** The kernels both paths implement, with one contract each. */
export interface Kernels {
  /** out = Σ wᵢxᵢ / total over the rows with non-zero weight (0 / total everywhere if none). */
  weightedSum(vectors: readonly Float32Array[], weights: ArrayLike<number>, total: number, out: Float32Array): void;
  /**
   * outs[g] = weightedSum(group g's rows, its weights, its total), bit for bit;
   * when given, finite[i] = 1 iff xᵢ is finite (else 0).
   */
  mix(vectors: readonly Float32Array[], groups: readonly MixGroup[], outs: readonly Float32Array[], finite?: Uint8Array): void;
  /** out[i] = Σⱼ xᵢ[j]² added in column order from a float64 0 (squaredNorm's bits). */
  squaredNorms(vectors: readonly Float32Array[], out: Float64Array): void;
  /** outs[i] = float32(factors[i]·xᵢ) and sq[i] = its squared norm as squaredNorms gives it. */
  scaleRows(vectors: readonly Float32Array[], factors: ArrayLike<number>, outs: readonly Float32Array[], sq: Float64Array): void;
  /** The Gram matrix xᵢ·xⱼ, row-major n×n. */
  gram(vectors: readonly Float32Array[]): Float64Array;
  /** out[i] = ‖xᵢ − z‖². */
  squaredDistancesTo(z: Float32Array, vectors: readonly Float32Array[], out: Float64Array): void;
  /** out[i] = ‖xᵢ − v‖² for a float64 point v. */
  squaredDistancesTo64(v: Float64Array, vectors: readonly Float32Array[], out: Float64Array): void;
  /** out[j] = mean of the values ranked [low, low + mid) of column j (NaN as +Infinity); 1 ≤ n ≤ MAX_NETWORK_N. */
  columnSelect(vectors: readonly Float32Array[], low: number, mid: number, out: Float32Array): void;
  /**
   * out[j] = mean of the n − f values of column j closest to its centre;
   * blocks holding coordinates it leaves NaN for want of a branch-free answer
   * go to `fallback(j0, j1)`. 1 ≤ n ≤ MAX_NETWORK_N, 0 ≤ f < n.
   */
  closestMean(
    vectors: readonly Float32Array[],
    f: number,
    centre: Centre,
    out: Float32Array,
    fallback: (j0: number, j1: number) => void,
  ): void;
  /** out[j] = sign(#{xᵢ[j] > 0} − #{xᵢ[j] < 0}) (+0 on a tie); returns the number of ties. */
  signVote(vectors: readonly Float32Array[], out: Float32Array): number;
  /** v ← v + (1/n) Σᵢ sᵢ·(xᵢ − v), in place. */
  clipStep(vectors: readonly Float32Array[], scales: ArrayLike<number>, n: number, v: Float64Array): void;
}

const SIMD: Kernels = {
  weightedSum: simdWeightedSum,
  mix: simdMix,
  squaredNorms: simdSquaredNorms,
  scaleRows: simdScaleRows,
  gram: simdGram,
  squaredDistancesTo: simdSquaredDistancesTo,
  squaredDistancesTo64: simdSquaredDistancesTo64,
  columnSelect: simdColumnSelect,
  closestMean: simdClosestMean,
  signVote: simdSignVote,
  clipStep: simdClipStep,
};

const SCALAR: Kernels = {
  weightedSum: scalarWeightedSum,
  mix: scalarMix,
  squaredNorms: scalarSquaredNorms,
  scaleRows: scalarScaleRows,
  gram: scalarGram,
  squaredDistancesTo: scalarSquaredDistancesTo,
  squaredDistancesTo64: scalarSquaredDistancesTo64,
  columnSelect: scalarColumnSelect,
  closestMean: scalarClosestMean,
  signVote: scalarSignVote,
  clipStep: scalarClipStep,
};

let path: KernelPath | undefined;

/**
 * The path a request resolves to in this runtime; `source` says where the
 * request came from, for the error messages (a CLI flag reaches here through
 * setKernelPath, so those messages name no function).
 */
function resolve(request: string, source: 'environment' | 'call'): KernelPath {
  const name = source === 'environment' ? KERNELS_ENV : 'the kernel path';
  if (!(KERNEL_REQUESTS as readonly string[]).includes(request)) {
    throw new KernelPathError(`${name} must be one of ${KERNEL_REQUESTS.join(', ')} (got "${request}")`);
  }
  if (request === 'scalar') return 'scalar';
  if (simdAvailable()) return 'simd';
  if (request === 'simd') {
    const asked = source === 'environment' ? `${KERNELS_ENV}=simd` : 'kernel path simd';
    throw new KernelPathError(`${asked}: this runtime has no WebAssembly SIMD; use auto or scalar`);
  }
  return 'scalar';
}

/** Sets the kernel path for the rest of the process, overriding BYZSIM_KERNELS; returns the path now used. */
export function setKernelPath(request: KernelRequest): KernelPath {
  path = resolve(request, 'call');
  return path;
}

/** The path the kernels take: the one set, else BYZSIM_KERNELS's (read on first use), else auto's. */
export function kernelPath(): KernelPath {
  if (path === undefined) {
    const requested = process.env[KERNELS_ENV];
    path = resolve(requested === undefined || requested === '' ? 'auto' : requested, 'environment');
  }
  return path;
}

/** The kernels of the current path. */
export function kernels(): Kernels {
  return kernelPath() === 'simd' ? SIMD : SCALAR;
}
