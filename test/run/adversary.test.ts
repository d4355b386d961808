import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSchedule, type ScriptRange } from '../../src/adversary/schedules/index.ts';
import { createRng } from '../../src/sim/rng.ts';
import { createAggregator } from '../../src/aggregators/index.ts';
import { smallScenario, traceOf } from './fixtures.ts';
import type { Attack, AttackContext } from '../../src/attacks/types.ts';

const NO_VIEW = { previous: { vectors: [], from: [] }, sent: { vectors: [], from: [] }, tolerated: 0 };
const schedule = (spec: string, n: number, f: number, seed = 1, script: ScriptRange[] = []) => {
  const s = createSchedule(spec, { n, f, rng: createRng(seed, 'adversary'), script, holdings: [] });
  return (round: number) => s(round, NO_VIEW);
};

type Ev = { kind: string; from?: string; to?: string; round?: number; data?: Record<string, unknown> };

describe('Byzantine schedules', () => {
  it('property: every schedule controls at most f distinct workers in [0, n) each round, whatever it saw', () => {
    const kinds = ['static', 'rotating', 'random', 'scripted', 'adaptive(policy=holders, c=1)', 'adaptive(policy=largest-norm)', 'adaptive(policy=selected)'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            f: fc.integer({ min: 0, max: Math.floor((n - 1) / 2) }),
            kind: fc.constantFrom(...kinds),
            seed: fc.nat(),
            // What an adaptive schedule saw: a gradient (norm) from some workers each round.
            seen: fc.array(fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.float({ min: 0, max: 100, noNaN: true })), { maxLength: n }), { minLength: 40, maxLength: 40 }),
            script: fc.array(fc.record({ from: fc.integer({ min: 1, max: 40 }), len: fc.nat({ max: 5 }), workers: fc.array(fc.nat({ max: n - 1 }), { maxLength: n }) }), { maxLength: 5 }),
          }),
        ),
        ({ n, f, kind, seed, seen, script }) => {
          // A validated script holds at most f workers an entry.
          const ranges: ScriptRange[] = script.map((e) => ({ from: e.from, to: e.from + e.len, workers: [...new Set(e.workers)].slice(0, f) }));
          const holdings = Array.from({ length: n }, (_, w) => [w % 3, (w * 7) % 5, 1]);
          const rule = createAggregator('krum');
          const s = createSchedule(kind, { n, f, rng: createRng(seed, 'adversary'), script: ranges, holdings });
          for (let t = 1; t <= 40; t++) {
            const previous = { vectors: seen[t - 1].map(([, x]) => Float32Array.from([x, -x])), from: seen[t - 1].map(([w]) => w) };
            const set = s(t, { previous, sent: { vectors: [], from: [] }, tolerated: f, rule });
            expect(set.length).toBeLessThanOrEqual(f);
            expect(new Set(set).size).toBe(set.length);
            expect([...set].sort((a, b) => a - b)).toEqual(set);
            for (const w of set) expect(w >= 0 && w < n).toBe(true);
          }
        },
      ),
    );
  });

  it('rotating moves the set every round; scripted follows its ranges', () => {
    const rot = schedule('rotating', 5, 2);
    expect([rot(1), rot(2), rot(3)]).toEqual([[0, 1], [2, 3], [0, 4]]);
    const scr = schedule('scripted', 5, 2, 1, [{ from: 2, to: 3, workers: [4, 1] }]);
    expect([scr(1), scr(2), scr(3), scr(4)]).toEqual([[], [1, 4], [1, 4], []]);
  });

  it('in a run, the corrupted set never exceeds f in any round (random schedule)', async () => {
    const s = smallScenario({ rounds: 12, workers: 7, byzantine: { f: 2, schedule: 'random' } });
    const { events } = await traceOf(s);
    const perRound = new Map<number, Set<string>>();
    for (const e of events as Ev[]) {
      if (e.kind !== 'corrupt') continue;
      const set = perRound.get(e.round!) ?? new Set();
      set.add(e.to!);
      perRound.set(e.round!, set);
    }
    expect(perRound.size).toBe(12);
    for (const set of perRound.values()) expect(set.size).toBeLessThanOrEqual(2);
    // And the set does change between rounds.
    expect(new Set([...perRound.values()].map((x) => [...x].sort().join())).size).toBeGreaterThan(1);
  });
});

describe('adversary knowledge and isolation', () => {
  it('the adversary observes only honest gradients, and under partial knowledge at most k workers a round', async () => {
    const s = smallScenario({ rounds: 6, workers: 7, byzantine: { f: 2, schedule: 'rotating' }, adversary: { knowledge: 'partial', k: 2 } });
    const { events } = await traceOf(s);
    const corrupted = new Map<number, Set<string>>();
    for (const e of events as Ev[]) if (e.kind === 'corrupt') corrupted.set(e.round!, (corrupted.get(e.round!) ?? new Set()).add(e.to!));
    const observed = new Map<number, Set<string>>();
    for (const e of events as Ev[]) {
      if (e.kind !== 'observe') continue;
      expect(e.to).toBe('adversary');
      expect(corrupted.get(e.round!)?.has(e.from!)).toBe(false);
      observed.set(e.round!, (observed.get(e.round!) ?? new Set()).add(e.from!));
    }
    expect(observed.size).toBe(6);
    for (const set of observed.values()) expect(set.size).toBeLessThanOrEqual(2);
  });

  it('under knowledge none it observes nothing', async () => {
    const { events } = await traceOf(smallScenario({ attack: 'gaussian', adversary: { knowledge: 'none' } }));
    expect((events as Ev[]).filter((e) => e.kind === 'observe')).toHaveLength(0);
    expect((events as Ev[]).filter((e) => e.kind === 'corrupt').length).toBeGreaterThan(0);
  });

  it("the adversary never receives the server's random stream, nor any message but the broadcast and honest gradients", async () => {
    const streamsSeen: string[] = [];
    const spy = (inner: Attack): Attack => ({
      ...inner,
      craft(ctx: AttackContext) {
        streamsSeen.push(ctx.rng.name);
        return inner.craft(ctx);
      },
    });
    const { events } = await traceOf(smallScenario({ aggregator: 'krum', rounds: 5 }), { instrument: { attack: spy } });
    for (const e of events as Ev[]) {
      if (e.to !== 'adversary') continue;
      expect(['round', 'observe']).toContain(e.kind);
      if (e.kind === 'observe') expect(e.from).toMatch(/^worker\//);
    }
    expect(streamsSeen.length).toBe(5);
    expect(new Set(streamsSeen)).toEqual(new Set(['adversary']));
  });
});

describe('network faults in a run', () => {
  it('a duplicated gradient is never aggregated twice', async () => {
    const s = smallScenario({ network: { duplicate: 1 } });
    const { events } = await traceOf(s);
    const aggs = (events as Ev[]).filter((e) => e.kind === 'aggregate');
    expect(aggs).toHaveLength(s.rounds);
    for (const a of aggs) {
      const received = a.data!.received as number[];
      expect(new Set(received).size).toBe(received.length);
    }
    const ignored = (events as Ev[]).filter((e) => e.kind === 'ignore' && e.data?.reason === 'duplicate');
    expect(ignored.length).toBeGreaterThan(0);
  });

  it('adversarial scheduling with quorum n − f fills the quorum with every Byzantine vector first', async () => {
    const s = smallScenario({
      rounds: 5,
      workers: 7,
      byzantine: { f: 2, schedule: 'static' },
      aggregator: 'cwtm',
      server: { quorum: 'n-f', missing: 'drop' },
      network: { ordering: 'adversarial', adversarialDelay: { min: 1, max: 30 } },
    });
    const { events } = await traceOf(s);
    const aggs = (events as Ev[]).filter((e) => e.kind === 'aggregate');
    expect(aggs).toHaveLength(5);
    for (const a of aggs) {
      const received = a.data!.received as number[];
      expect(received).toHaveLength(5);
      expect(received).toEqual(expect.arrayContaining([5, 6]));
    }
  });

  it('at f = 0, a round the rule cannot aggregate (too few inputs after drops) is skipped, not a crash', async () => {
    const s = smallScenario({
      rounds: 10,
      workers: 7,
      byzantine: { f: 0 },
      attack: 'none',
      aggregator: 'krum(m=4)',
      network: { drop: 0.3 },
      server: { timeout: 60, missing: 'drop' },
    });
    const { events, result } = await traceOf(s);
    const skipped = (events as Ev[]).filter((e) => e.kind === 'aggregate-skipped');
    const aggregated = (events as Ev[]).filter((e) => e.kind === 'aggregate');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.length + aggregated.length).toBe(10);
    for (const e of skipped) expect(e.data!.why).toMatch(/krum requires n ≥ 2f \+ 3 and m ≤ n − f \(m=4\) \(n=\d, f=0\)/);
    expect(result.rounds).toBe(10);
  });

  it('with every message dropped, rounds end by timeout and the model never moves', async () => {
    const s = smallScenario({ rounds: 3, network: { drop: 1 }, server: { timeout: 50, missing: 'drop' } });
    const { events, result } = await traceOf(s);
    expect((events as Ev[]).filter((e) => e.kind === 'aggregate-skipped')).toHaveLength(3);
    expect(result.virtualTime).toBeGreaterThanOrEqual(150);
    expect(result.history[0]).toMatchObject({ round: 0 });
    expect(result.final.accuracy).toBe(result.history[0].accuracy);
  });
});

describe('one source of truth for who is Byzantine', () => {
  it('a worker sends at most one gradient per round, even when a late model arrives after it was corrupted again', async () => {
    // Models delayed past the next rounds (timeout 20 < delays up to 80): the model of round t reaches a
    // worker the adversary controls in every round only after round t + 1 began. A worker that
    // remembered only its latest corrupted round used to compute and send an honest gradient for round
    // t beside the adversary's.
    const s = smallScenario({
      rounds: 12,
      workers: 5,
      byzantine: { f: 1, schedule: 'static' },
      network: { delay: { kind: 'uniform', min: 1, max: 80 }, ordering: 'random' },
      server: { quorum: 'n-f', timeout: 20, missing: 'drop' },
    });
    const { events } = await traceOf(s);
    const sends = new Map<string, number>();
    for (const e of events as Ev[]) {
      if (e.kind !== 'send' || e.to !== 'server') continue;
      const key = `${e.from}@${e.round}`;
      sends.set(key, (sends.get(key) ?? 0) + 1);
    }
    expect(sends.size).toBeGreaterThan(12);
    for (const [key, count] of sends) expect(count, key).toBe(1);
  });
});
