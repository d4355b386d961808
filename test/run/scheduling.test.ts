/** The adversary as network scheduler, and adaptive Byzantine sets. */
import { describe, expect, it } from 'vitest';
import { smallScenario, traceOf } from './fixtures.ts';

type Ev = { kind: string; from?: string; to?: string; round?: number; data?: Record<string, unknown> };

describe('scheduling strategies', () => {
  const sorted = (overrides = {}) =>
    smallScenario({
      rounds: 40,
      workers: 10,
      byzantine: { f: 0 },
      attack: 'none',
      aggregator: 'mean',
      data: { dataset: 'synthetic', partition: 'extreme', batchSize: 16, synthetic: { classes: 10, features: 12, trainSize: 2000, testSize: 1000, separation: 1 } },
      server: { quorum: 'n-f', timeout: 100, missing: 'drop' },
      eval: { every: 40, perClass: true },
      ...overrides,
    });

  it('starving the holders of one class, with no Byzantine worker, leaves that class unlearnt', async () => {
    const starved = await traceOf(sorted({ adversary: { scheduling: 'starve(c=3)' }, network: { ordering: 'adversarial', adversarialDelay: { min: 1, max: 300 } } }));
    const fair = await traceOf(sorted());
    const last = (r: typeof fair) => r.result.history.at(-1)!.perClass!;
    expect(last(fair)[3]).toBeGreaterThan(0.5);
    expect(last(starved)[3]).toBeLessThan(0.1);
    // Every round ended at the timeout without worker 3's gradient, which came late and was ignored as stale.
    const aggregates = (starved.events as Ev[]).filter((e) => e.kind === 'aggregate');
    for (const a of aggregates) expect(a.data!.received).not.toContain(3);
    expect(starved.result.counts.timeouts).toBe(40);
  });

  it('reorder delivers each round’s honest gradients in the reverse of their send order', async () => {
    const { events } = await traceOf(
      smallScenario({ rounds: 3, workers: 6, byzantine: { f: 0 }, attack: 'none', aggregator: 'mean', adversary: { scheduling: 'reorder' }, network: { ordering: 'adversarial', adversarialDelay: { min: 1, max: 100 } } }),
    );
    for (let round = 1; round <= 3; round++) {
      const sent = (events as Ev[]).filter((e) => e.kind === 'send' && e.to === 'server' && e.round === round).map((e) => e.from);
      const delivered = (events as Ev[]).filter((e) => e.kind === 'deliver' && e.to === 'server' && e.round === round).map((e) => e.from);
      expect(delivered).toEqual([...sent].reverse());
    }
  });
});

describe('adaptive Byzantine sets', () => {
  const corruptedBy = (events: Ev[]) => {
    const sets = new Map<number, string[]>();
    for (const e of events) if (e.kind === 'corrupt') sets.set(e.round!, [...(sets.get(e.round!) ?? []), e.to!]);
    return sets;
  };

  it('holders corrupts the f workers holding the most of class c, every round', async () => {
    const s = smallScenario({
      rounds: 4,
      workers: 8,
      byzantine: { f: 2, schedule: 'adaptive(policy=holders, c=1)' },
      data: { dataset: 'synthetic', partition: 'extreme', batchSize: 8, synthetic: { classes: 4, features: 8, trainSize: 800, testSize: 200 } },
    });
    const sets = corruptedBy((await traceOf(s)).events as Ev[]);
    // Sorted by label, class 1 is held by workers 2 and 3.
    for (const set of sets.values()) expect(set).toEqual(['worker/2', 'worker/3']);
  });

  it('largest-norm follows what it observed last round, and never exceeds f', async () => {
    const s = smallScenario({ rounds: 6, workers: 9, byzantine: { f: 2, schedule: 'adaptive(policy=largest-norm)' } });
    const { events } = await traceOf(s);
    const sets = corruptedBy(events as Ev[]);
    expect(sets.get(1)).toEqual(['worker/7', 'worker/8']);
    for (const set of sets.values()) expect(set.length).toBeLessThanOrEqual(2);
    expect(new Set([...sets.values()].map((x) => x.join())).size).toBeGreaterThan(1);
  });

  it('selected needs the rule, and corrupts workers the rule selected in the previous round', async () => {
    const s = smallScenario({ rounds: 6, workers: 9, aggregator: 'krum', byzantine: { f: 2, schedule: 'adaptive(policy=selected)' }, adversary: { knows: 'rule' } });
    const { events } = await traceOf(s);
    const sets = corruptedBy(events as Ev[]);
    const selected = new Map((events as Ev[]).filter((e) => e.kind === 'aggregate').map((e) => [e.round!, (e.data!.diagnostics as { selected: number[] }).selected]));
    // Omniscient, it knows everything the server received: the worker Krum selected in round t − 1 is corrupted in round t.
    for (let t = 2; t <= 6; t++) expect(sets.get(t)).toContain(`worker/${selected.get(t - 1)![0]}`);
  });
});
