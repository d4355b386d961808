/**
 * Helpers for the tests that hold the two kernel paths to the same results:
 * the paths this runtime has, running code on one of them, and comparing
 * outputs bit for bit.
 */
import { kernelPath, setKernelPath, type KernelPath } from '../../src/kernels/path.ts';
import { simdAvailable } from '../../src/kernels/simd.ts';

/** The kernel paths this runtime can run (scalar only without WebAssembly SIMD). */
export const PATHS: readonly KernelPath[] = simdAvailable() ? ['simd', 'scalar'] : ['scalar'];

/** Runs `run` with the kernels forced to `path`, then restores the previous path. */
export function onPath<T>(path: KernelPath, run: () => T): T {
  const before = kernelPath();
  setKernelPath(path);
  try {
    return run();
  } finally {
    setKernelPath(before);
  }
}

type Floats = Float32Array | Float64Array;

const show = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/**
 * null when a and b hold the same bits in every element, with any NaN matching
 * any NaN (payloads are not part of the contract; +0 and −0 differ); else the
 * first difference, readable.
 */
export function bitDifference(a: Floats, b: Floats): string | null {
  if (a.constructor !== b.constructor) return `${a.constructor.name} vs ${b.constructor.name}`;
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  const words = a instanceof Float64Array ? 2 : 1;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length * words);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length * words);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    for (let w = 0; w < words; w++) {
      if (ua[i * words + w] !== ub[i * words + w]) return `element ${i}: ${show(a[i])} vs ${show(b[i])}`;
    }
  }
  return null;
}
