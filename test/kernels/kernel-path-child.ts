/**
 * Run in a child process by path.test.ts (under BYZSIM_KERNELS and V8 flags
 * of its choosing): prints the kernel path this process resolves and digests
 * of a few rules' results, or the error the resolution throws.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createAggregator } from '../../src/aggregators/index.ts';
import { createRng } from '../../src/sim/rng.ts';
import { kernelPath } from '../../src/kernels/path.ts';
import { simdAvailable } from '../../src/kernels/simd.ts';

export const DIGESTED = ['mean', 'cwtm', 'krum(m=3)', 'mda', 'geomed', 'meamed', 'phocas', 'cc(L=2)', 'signmv', 'nnm > krum'];

/** Digest of each rule's aggregate (any NaN as one NaN) and diagnostics (−0 and NaN spelled out) on fixed inputs. */
export function digestRules(): Record<string, string> {
  const rng = createRng('kernel-path-child', 'inputs');
  const n = 13;
  const f = 3;
  const d = 20000;
  const xs = Array.from({ length: n }, (_, i) =>
    Float32Array.from({ length: d }, () => (i < f && rng.next() < 0.01 ? [NaN, Infinity, -0][rng.int(3)] : rng.normal() * (i < f ? 50 : 1))),
  );
  const out: Record<string, string> = {};
  for (const spec of DIGESTED) {
    const { aggregate, diagnostics } = createAggregator(spec).aggregate(xs, { f, rng: createRng(1, 'server') });
    const bits = Float32Array.from(aggregate, (x) => (x === x ? x : NaN));
    const text = JSON.stringify(diagnostics, (_, v: unknown) =>
      typeof v === 'number' && (Object.is(v, -0) || !Number.isFinite(v)) ? `number:${Object.is(v, -0) ? '-0' : v}` : v,
    );
    out[spec] = createHash('sha256').update(new Uint8Array(bits.buffer)).update(text).digest('hex');
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const path = kernelPath();
    console.log(JSON.stringify({ simd: simdAvailable(), path, digests: digestRules() }));
  } catch (e) {
    console.log(JSON.stringify({ error: `${(e as Error).name}: ${(e as Error).message}` }));
  }
}
