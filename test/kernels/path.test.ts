import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kernelPath, kernels, KernelPathError, setKernelPath } from '../../src/kernels/path.ts';
import { simdAvailable, simdGram } from '../../src/kernels/simd.ts';
import { scalarGram } from '../../src/kernels/scalar.ts';
import { onPath } from './paths.ts';
import { digestRules } from './kernel-path-child.ts';

const CHILD = fileURLToPath(new URL('./kernel-path-child.ts', import.meta.url));
/** The V8 flag that takes WebAssembly SIMD away (on x64; where it does not, the tests that need it skip). */
const NO_SIMD = '--no-enable-sse4-1';

interface ChildReport {
  simd?: boolean;
  path?: string;
  digests?: Record<string, string>;
  error?: string;
}

function child(env: string | undefined, flags: string[] = []): ChildReport {
  const { BYZSIM_KERNELS: _, ...rest } = process.env;
  const result = spawnSync(process.execPath, [...flags, '--import', 'tsx', CHILD], {
    env: env === undefined ? rest : { ...rest, BYZSIM_KERNELS: env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`child exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildReport;
}

describe('kernel path switch', () => {
  it('auto takes SIMD exactly when the runtime has it; scalar is always available', () => {
    onPath(kernelPath(), () => {
      expect(setKernelPath('auto')).toBe(simdAvailable() ? 'simd' : 'scalar');
      expect(setKernelPath('scalar')).toBe('scalar');
      expect(kernelPath()).toBe('scalar');
      expect(kernels().gram).toBe(scalarGram);
      if (simdAvailable()) {
        expect(setKernelPath('simd')).toBe('simd');
        expect(kernels().gram).toBe(simdGram);
      } else {
        expect(() => setKernelPath('simd')).toThrow(KernelPathError);
      }
    });
  });

  it('rejects an unknown request, naming the allowed ones', () => {
    const before = kernelPath();
    expect(() => setKernelPath('fast' as never)).toThrow(
      new KernelPathError('the kernel path must be one of auto, simd, scalar (got "fast")'),
    );
    expect(kernelPath()).toBe(before);
  });

  it('BYZSIM_KERNELS sets the default path; an invalid value is an error naming the variable and the values', () => {
    expect(child('scalar').path).toBe('scalar');
    expect(child(undefined).path).toBe(simdAvailable() ? 'simd' : 'scalar');
    expect(child('turbo').error).toBe('KernelPathError: BYZSIM_KERNELS must be one of auto, simd, scalar (got "turbo")');
  });

  it('without WebAssembly SIMD: auto runs scalar, simd is a clear error, and results equal the SIMD path’s', () => {
    // On x86-64 V8 needs SSE4.1 for WebAssembly SIMD: the flag takes it away, as on a machine without it.
    const bare = child(undefined, [NO_SIMD]);
    expect(simdAvailable()).toBe(true);
    expect(bare.simd).toBe(false);
    expect(bare.path).toBe('scalar');
    expect(child('simd', [NO_SIMD]).error).toBe(
      'KernelPathError: BYZSIM_KERNELS=simd: this runtime has no WebAssembly SIMD; use auto or scalar',
    );
    expect(bare.digests).toEqual(onPath('simd', digestRules));
  });
});
