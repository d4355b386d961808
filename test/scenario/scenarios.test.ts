import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();

describe('scenarios/ in the repository', () => {
  it('finds the committed scenarios', () => {
    expect(files).toContain('quickstart.yaml');
    expect(files.filter((f) => f.startsWith('golden/')).length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.map((f) => [f]))('%s loads without error', async (f) => {
    const { scenario } = await loadScenario(`${dir}${f}`);
    expect(scenario.name.length).toBeGreaterThan(0);
  });
});
