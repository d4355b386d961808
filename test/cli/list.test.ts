import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listCommand, variantSets } from '../../src/cli/list.ts';
import { schedules } from '../../src/adversary/schedules/index.ts';
import { knowledgeModels } from '../../src/adversary/knowledge/index.ts';
import { orderings } from '../../src/sim/orderings/index.ts';
import { schedulingStrategies } from '../../src/adversary/scheduling/index.ts';
import { datasets } from '../../src/learning/datasets/index.ts';
import { partitions } from '../../src/learning/partitions/index.ts';
import { models } from '../../src/learning/models/index.ts';
import { lrSchedules } from '../../src/learning/lr-schedules.ts';
import { aggregators } from '../../src/aggregators/index.ts';
import { preaggregators } from '../../src/preaggregators/index.ts';
import { attacks, needsText } from '../../src/attacks/index.ts';
import { usage, type Variant } from '../../src/registry.ts';

afterEach(() => vi.restoreAllMocks());

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').split('\n');

/** The body rows of the README table whose header row starts with `| <first> |`, as cells. */
function table(first: string): string[][] {
  const start = readme.findIndex((line) => line.startsWith(`| ${first} |`));
  expect(start, `README table '${first}'`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < readme.length && readme[i].startsWith('|'); i++) {
    rows.push(readme[i].replace(/^\|\s*|\s*\|$/g, '').split(/\s+\|\s+/));
  }
  return rows;
}

/** How a table names a variant: `krum(m, p)`, then its aliases, each with whose name it is when a peer's. */
function named(def: Variant): string {
  const args = [...Object.keys(def.params), ...Object.keys(def.options ?? {})];
  const name = `\`${def.name}${args.length ? `(${args.join(', ')})` : ''}\``;
  const aliases = def.aliases ?? [];
  if (aliases.length === 0) return name;
  const alias = (a: string) => `\`${a}\`${def.aliasSources?.[a] ? ` (${def.aliasSources[a]}'s name)` : ''}`;
  return `${name}, ${aliases.length === 1 ? 'alias' : 'aliases'} ${aliases.map(alias).join(', ')}`;
}

describe('the README tables follow the registries', () => {
  it('the rule table names every registered rule, in order, with its aliases and default requirement', () => {
    const rows = table('Rule').map(([name, , requires]) => [name, requires]);
    expect(rows).toEqual(aggregators.list().map((def) => [named(def), def.requirement().text]));
  });

  it('the stage table names every registered pre-aggregator with its requirement and count transform', () => {
    const rows = table('Stage').map(([name, , requires, counts]) => [name, requires, counts]);
    expect(rows).toEqual(preaggregators.list().map((def) => [named(def), def.requirement().text, def.transform]));
  });

  it('the attack table names every registered attack with what it needs', () => {
    const rows = table('Attack').map(([name, , needs]) => [name, needs]);
    expect(rows).toEqual(attacks.list().map((def) => [named(def), needsText(def)]));
  });

  it('the variants table names every schedule, knowledge model, ordering, dataset, partition, model and learning-rate schedule, with its key and summary', () => {
    const keyed: [string, readonly Variant[]][] = [
      ['byzantine.schedule', schedules.list()],
      ['adversary.knowledge', knowledgeModels.list()],
      ['network.ordering', orderings.list()],
      ['adversary.scheduling', schedulingStrategies.list()],
      ['data.dataset', datasets.list()],
      ['data.partition', partitions.list()],
      ['model', models.list()],
      ['optimizer.schedule', lrSchedules.list()],
    ];
    const rows = table('Key').map(([key, name, summary]) => [key, name, summary]);
    expect(rows).toEqual(
      keyed.flatMap(([key, defs]) => defs.map((def) => [`\`${key}\``, key === 'data.dataset' ? `\`${def.name}\`` : named(def), def.summary])),
    );
  });
});

describe('byzsim list', () => {
  it('prints every registered variant with its defaults, aliases, requirement, summary and reference', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((x) => void lines.push(...String(x).split('\n')));
    expect(listCommand()).toBe(0);
    const sets = variantSets();
    expect(sets.map((s) => s.variants.length).reduce((a, b) => a + b)).toBe(
      [aggregators, preaggregators, attacks, schedules, knowledgeModels, orderings, schedulingStrategies, datasets, partitions, models, lrSchedules]
        .map((r) => r.list().length)
        .reduce((a, b) => a + b),
    );
    for (const { title, variants, needs, written = usage } of sets) {
      const from = lines.indexOf(`${title}:`);
      expect(from, title).toBeGreaterThanOrEqual(0);
      for (const def of variants) {
        const at = lines.findIndex((line, i) => i > from && (line.trim() === written(def) || line.trim().startsWith(`${written(def)} `)));
        expect(at, def.name).toBeGreaterThan(from);
        for (const alias of def.aliases ?? []) {
          const source = def.aliasSources?.[alias];
          expect(lines[at]).toContain(source ? `${alias} — ${source}'s name` : alias);
        }
        const said = needs(def);
        expect(lines[at + 1].trim()).toBe(said ? `${said}. ${def.summary}` : def.summary);
        expect(lines[at + 2].trim()).toBe(def.reference);
      }
    }
    // What each set needs is said in its own words: the attack's needs, a rule's requirement.
    expect(lines).toContain(`      ${needsText(attacks.get('alie')!)}. ${attacks.get('alie')!.summary}`);
    expect(lines).toContain('options:');
    // ByzFL's names are said to be: `median` (cwmed), `clipping` (clip); an absent parameter prints what it stands for.
    expect(lines).toContain("  cwmed   (also: median — ByzFL's name)");
    expect(lines).toContain("  clip(tau=1)   (also: clipping — ByzFL's name)");
    expect(lines).toContain('  alie(z=z_max(n, f))');
    expect(lines).toContain('  multikrum(m=n − f)');
  });
});
