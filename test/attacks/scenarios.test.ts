/**
 * Every registered attack runs in a short simulation against every
 * registered rule it can target, without crashing and with every crafted
 * vector well-formed (none ignored at the server as malformed): 4 rounds,
 * f = 2, a small synthetic task. Both registries are iterated, so an attack or a rule added
 * later is covered the moment it is registered.
 *
 * n is the smallest n ≥ 11 that the rule's default requirement accepts at
 * f = 2 (11 is Bulyan's 4f + 3, and MixTailor's paper pool contains Bulyan);
 * a rule whose requirement no n ≤ 40 meets at f = 2 is skipped, and the test
 * says so. An attack that needs the server's rule runs with
 * `adversary.knows: rule`, one that needs the pool with `knows: pool`.
 *
 * Besides the defaults, the non-default modes of this file's attacks that
 * change what they read (the rule, a fixed worker, a re-chosen target, the
 * other perturbations) run too.
 */
import { describe, expect, it } from 'vitest';
import { attacks, createAttack } from '../../src/attacks/index.ts';
import { aggregators } from '../../src/aggregators/index.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';
import { runScenario } from '../../src/run/run.ts';
import { checkScenario } from '../../src/scenario/load.ts';

const F = 2;
const N_MAX = 40;

const extraSpecs = [
  'tailored(direction=rule)',
  'random-eps(eps=[0.5, 2, 20], direction=rule)',
  'mimic(i=0)',
  'mimic(warmup=2, target=argmax)',
  'minmax(perturbation=std)',
  'minsum(perturbation=sign, bound=min)',
];

const specs = [...attacks.names(), ...extraSpecs.filter((s) => attacks.has(s.slice(0, s.indexOf('('))))];

function workersFor(check: (n: number, f: number) => boolean): number | undefined {
  for (let n = 11; n <= N_MAX; n++) if (check(n, F)) return n;
  return undefined;
}

function scenarioFor(spec: string, rule: string, n: number, adversary: Record<string, unknown> = {}) {
  return ScenarioSchema.parse({
    name: `${spec} vs ${rule}`,
    seed: 7,
    rounds: 4,
    workers: n,
    byzantine: { f: F, schedule: 'static' },
    // An attack on its own workers' data needs them to hold shards (under static they hold none by default).
    data: { dataset: 'synthetic', batchSize: 8, byzantine: createAttack(spec).needs.own || createAttack(spec).needs.labels ? 'shards' : 'none', synthetic: { classes: 3, features: 4, trainSize: 20 * n, testSize: 30 } },
    aggregator: rule,
    attack: spec,
    adversary: { knows: createAttack(spec).needs.rule ?? 'nothing', ...adversary },
    // A rule scoring against the server's own gradient (fltrust) gets trusted examples.
    ...(aggregators.get(rule)?.create().needsReference ? { server: { trusted: 20 } } : {}),
    eval: { every: 4 },
  });
}

const rules = aggregators.list().map((def) => ({ name: def.name, n: workersFor(def.requirement().check), requirement: def.requirement().text }));

describe('every attack runs against every rule it can target', () => {
  it(`every rule's requirement holds for some n ≤ ${N_MAX} at f = ${F}, so every rule is targeted below`, () => {
    expect(rules.filter((r) => r.n === undefined).map((r) => `${r.name}: ${r.requirement}`)).toEqual([]);
  });
  for (const { name, n } of rules) {
    if (n === undefined) continue; // reported by the test above
    it.each(specs)(`%s against ${name} (n = ${n}, f = ${F})`, async (spec) => {
      const result = await runScenario(scenarioFor(spec, name, n), { backend: 'ts' });
      expect(result.rounds).toBe(4);
      // Every vector the attack crafted reached the rule (a well-formed float32 vector of the model's length).
      expect(result.counts.ignored.malformed).toBe(0);
    });
  }
});

describe('every observing attack runs under partial knowledge, staleness and a moving Byzantine set (against cwtm)', () => {
  const observing = specs.filter((spec) => createAttack(spec).needs.honest);
  it.each(observing)('%s', async (spec) => {
    for (const adversary of [{ knowledge: 'partial(k=3)' }, { staleness: 1 }]) {
      const result = await runScenario(scenarioFor(spec, 'cwtm', 11, adversary), { backend: 'ts' });
      expect(result.rounds).toBe(4);
    }
    const moving = { ...scenarioFor(spec, 'cwtm', 11), byzantine: { f: F, schedule: 'rotating' } };
    expect((await runScenario(ScenarioSchema.parse(moving), { backend: 'ts' })).rounds).toBe(4);
  });
});

describe('validation follows what a mode needs', () => {
  it('tailored(direction=rule) and random-eps(direction=rule) are refused unless adversary.knows: rule; the mean direction needs nothing of the rule', () => {
    for (const spec of ['tailored(direction=rule)', 'random-eps(direction=rule)']) {
      const messages = checkScenario(scenarioFor(spec, 'krum', 11, { knows: 'nothing' })).map((x) => x.message);
      expect(messages).toContain(`${spec.slice(0, spec.indexOf('('))} needs the server's rule (adversary.knows: rule); adversary.knows is nothing`);
      expect(checkScenario(scenarioFor(spec, 'krum', 11))).toEqual([]);
    }
    expect(checkScenario(scenarioFor('tailored', 'krum', 11))).toEqual([]);
  });
});
