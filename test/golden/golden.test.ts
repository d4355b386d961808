import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT, goldenTable, type GoldenEntry } from './golden.ts';
import { computeEntry } from './compute.ts';

const cases = goldenTable().map((e) => [`${e.scenario} (${e.backend})`, e] as const);

describe('golden trace hashes', () => {
  it.each(cases)('%s', async (_, entry) => {
    expect(await computeEntry(entry)).toEqual(entry);
  });

  it.each(cases)('%s, sliced into runs of 97 events with a turn of the event loop between them', async (_, entry) => {
    let slices = 0;
    const sliced = await computeEntry(entry, {
      slice: {
        maxEvents: 97,
        yield: () => {
          slices++;
          return new Promise((resolve) => setImmediate(resolve));
        },
      },
    });
    expect(sliced).toEqual(entry);
    expect(slices).toBeGreaterThan(1);
  });
});

describe('golden trace hashes in other processes and on other kernel paths', () => {
  const compute = fileURLToPath(new URL('./compute.ts', import.meta.url));
  const inChild = (nodeFlags: string[], env: Record<string, string> = {}) =>
    JSON.parse(
      execFileSync(process.execPath, [...nodeFlags, '--import', 'tsx', compute], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, ...env },
      }),
    ) as { kernels: string; table: GoldenEntry[] };

  it('another process on the default path gives the table', () => {
    const { table } = inChild([]);
    expect(table).toEqual(goldenTable());
  });

  it('the scalar kernels (BYZSIM_KERNELS=scalar) give the same hashes as the SIMD kernels', () => {
    const { kernels, table } = inChild([], { BYZSIM_KERNELS: 'scalar' });
    expect(kernels).toBe('scalar');
    expect(table).toEqual(goldenTable());
  });

  it('a runtime without WebAssembly SIMD (V8 without SSE4.1) gives the same hashes', () => {
    const { kernels, table } = inChild(['--no-enable-sse4-1']);
    expect(kernels).toBe('scalar');
    expect(table).toEqual(goldenTable());
  });
});
