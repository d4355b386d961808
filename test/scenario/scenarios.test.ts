import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { loadSweep } from '../../src/sweep/load.ts';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const all = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();
const sweeps = all.filter((f) => f.startsWith('sweeps/'));
const files = all.filter((f) => !f.startsWith('sweeps/'));

describe('scenarios/ in the repository', () => {
  it('finds the committed scenarios and sweeps', () => {
    expect(files).toContain('quickstart.yaml');
    expect(files.filter((f) => f.startsWith('golden/')).length).toBeGreaterThanOrEqual(10);
    expect(sweeps).toContain('sweeps/slides-quick.yaml');
  });

  it.each(files.map((f) => [f]))('%s loads without error', async (f) => {
    const { scenario } = await loadScenario(`${dir}${f}`);
    expect(scenario.name.length).toBeGreaterThan(0);
  });

  it.each(sweeps.map((f) => [f]))('%s expands to valid runs, full and quick', async (f) => {
    for (const quick of [false, true]) {
      const sweep = await loadSweep(`${dir}${f}`, { quick, backend: 'wasm' });
      expect(sweep.runs.length).toBeGreaterThan(0);
      expect(sweep.skipped).toEqual([]);
    }
  });
});
