import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';

const doc = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** Dotted paths of every defaulted value; a distribution is one value. */
function leaves(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || 'kind' in value) return [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix === '' ? k : `${prefix}.${k}`));
}

describe('README.md', () => {
  it('has an example that loads (depends on the rules and attacks it names)', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const s = parseScenarioText(example!, 'docs/example.yaml');
    expect(s.name).toBe('example');
    expect(s.byzantine.script).toHaveLength(3);
  });

  /** The section 'Scenario format' (the command table names commands as the field table names fields). */
  const fields = doc.slice(doc.indexOf('\n## Scenario format'), doc.indexOf('\n## ', doc.indexOf('\n## Scenario format') + 1));

  it.each(leaves(ScenarioSchema.parse({})))('documents %s with its default', (path, value) => {
    const row = fields.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
    expect(row, `no table row for ${path}`).toBeDefined();
    const cells = row!.split(' | ');
    const shown =
      value !== null && typeof value === 'object'
        ? `{ ${Object.entries(value).map(([k, v]) => `${k}: ${String(v)}`).join(', ')} }`
        : String(value);
    expect(cells[2]).toBe(`\`${shown}\``);
  });

  it.each(['name', 'output.dir', 'byzantine.script'])('documents %s', (path) => {
    expect(fields).toContain(`| \`${path}\` |`);
  });
});
