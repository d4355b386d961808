/**
 * The online checkers (src/sim/checkers/): correct runs pass every one of
 * them and their hash is the same with them off; each clause of each
 * property catches a stream that breaks it at the breaking event's index;
 * a run broken through a seam stops at the violating event; `byzsim run`
 * prints the violation with the replay command and exits 1, and `byzsim
 * replay` of its trace reproduces it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { checkers, createMonitor, CheckerViolation, type CheckerSetup } from '../../src/sim/checkers/index.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';
import { runScenario, type Instrument } from '../../src/run/run.ts';
import type { Optimizer } from '../../src/learning/optimizer.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';
import { smallScenario } from './fixtures.ts';

/** `byzsim run` and `replay` call runPlan; a test may give it an instrument (the seam), and nothing else changes. */
const seam = vi.hoisted(() => ({ instrument: undefined as Instrument | undefined }));
vi.mock('../../src/run/run.ts', async (original) => {
  const run = await original<typeof import('../../src/run/run.ts')>();
  return { ...run, runPlan: (plan: Parameters<typeof run.runPlan>[0], options: Parameters<typeof run.runPlan>[1] = {}) => run.runPlan(plan, { ...options, ...(seam.instrument ? { instrument: seam.instrument } : {}) }) };
});

const { runCommand } = await import('../../src/cli/run.ts');
const { main } = await import('../../src/cli/main.ts');

const dir = mkdtempSync(join(tmpdir(), 'byzsim-checkers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  seam.instrument = undefined;
  vi.restoreAllMocks();
});

/** A run's events as the sinks see them (payloads included). */
async function eventsOf(input: Partial<ScenarioInput>, options: { instrument?: Instrument; checkers?: boolean } = {}) {
  const events: TraceEvent[] = [];
  const lines: string[] = [];
  const run = runScenario(smallScenario(input), { backend: 'ts', sinks: [(l, e) => void (lines.push(l), events.push(e))], ...options });
  return { run, events, lines };
}

const SETUP: CheckerSetup = { n: 4, f: 1, quorum: 3, timeout: 100, knowledge: { name: 'omniscient', params: {}, observes: true } };

/** Feeds events to a monitor until it throws; the violation it threw (also what it holds), if any. */
function feed(setup: CheckerSetup, events: TraceEvent[]): CheckerViolation | undefined {
  const monitor = createMonitor(setup);
  try {
    for (const e of events) monitor.sink(JSON.stringify(e), e);
  } catch (thrown) {
    expect(thrown).toBe(monitor.violation);
  }
  return monitor.violation;
}

/** A hand-written stream (seq and t filled in as the trace would), fed to the monitor. */
function violationOf(stream: Partial<TraceEvent>[], setup: CheckerSetup = SETUP): CheckerViolation | undefined {
  return feed(setup, stream.map((e, seq) => ({ t: 0, ...e, seq }) as TraceEvent));
}

const send = (round: number, t = 0): Partial<TraceEvent> => ({ kind: 'send', from: 'server', to: 'worker/0', msg: 'model', round, t });
const deliver = (w: number, round: number): Partial<TraceEvent> => ({ kind: 'deliver', from: `worker/${w}`, to: 'server', msg: 'gradient', round });
const aggregate = (round: number, received: number[], reason = 'quorum', t = 10): Partial<TraceEvent> => ({ kind: 'aggregate', from: 'server', round, t, data: { reason, received } });
const corrupt = (w: number, round: number): Partial<TraceEvent> => ({ kind: 'corrupt', from: 'adversary', to: `worker/${w}`, round });
const observe = (w: number, round: number, to = 'adversary'): Partial<TraceEvent> => ({ kind: 'observe', from: `worker/${w}`, to, round });

describe('correct runs pass every checker', () => {
  const variants: [string, Partial<ScenarioInput>][] = [
    ['static, omniscient, all n', {}],
    ['random schedule, partial(k=2), quorum n-f, drops, duplicates, random ordering', { byzantine: { f: 1, schedule: 'random' }, adversary: { knowledge: 'partial(k=2)' }, server: { quorum: 'n-f', timeout: 60, missing: 'drop' }, network: { drop: 0.2, duplicate: 0.3, ordering: 'random', delay: { kind: 'lognormal', mu: 1.5, sigma: 0.8 } } }],
    ['rotating, none, gaussian, timeouts', { byzantine: { f: 2, schedule: 'rotating' }, aggregator: 'cwmed', attack: 'gaussian', adversary: { knowledge: 'none' }, server: { timeout: 15 } }],
    ['scripted, adversarial ordering, an own-gradient attack', { byzantine: { f: 2, schedule: 'scripted', script: [{ rounds: '2-5', workers: [0, 3] }] }, attack: 'bitflip', network: { ordering: 'adversarial' } }],
    ['a non-finite attack the server refuses to step on', { attack: 'nan', aggregator: 'mean' }],
  ];
  for (const [name, input] of variants) {
    it(name, async () => {
      const { run, events } = await eventsOf(input);
      await expect(run).resolves.toBeDefined();
      // Each checker on its own, fed the whole stream: none objects to any event.
      const s = smallScenario(input);
      const setup: CheckerSetup = {
        n: s.workers,
        f: s.byzantine.f,
        quorum: s.server.quorum === 'n' ? s.workers : s.server.quorum === 'n-f' ? s.workers - s.byzantine.f : s.server.quorum,
        timeout: s.server.timeout,
        knowledge: s.adversary.knowledge === 'none' ? { name: 'none', params: {}, observes: false } : s.adversary.knowledge.startsWith('partial') ? { name: 'partial', params: { k: 2 }, observes: true } : { name: 'omniscient', params: {}, observes: true },
      };
      for (const def of checkers) {
        const check = def.create(setup);
        expect(events.map(check).filter((v) => v !== undefined), def.name).toEqual([]);
      }
    });
  }

  it('with or without the checkers, a run has the same trace and hash', async () => {
    const input: Partial<ScenarioInput> = { server: { quorum: 'n-f', timeout: 40 }, network: { duplicate: 0.2, ordering: 'random' } };
    const on = await eventsOf(input);
    const off = await eventsOf(input, { checkers: false });
    const [a, b] = await Promise.all([on.run, off.run]);
    expect(a.traceHash).toBe(b.traceHash);
    expect(on.lines).toEqual(off.lines);
  });
});

describe('a stream that breaks a property is caught at the breaking event', () => {
  const cases: [string, string, Partial<TraceEvent>[], CheckerSetup?][] = [
    ['byzantine-bound', 'f + 1 workers corrupted in a round', [corrupt(3, 1), corrupt(3, 1), corrupt(2, 1)]],
    ['byzantine-bound', 'a corrupted address that is no worker', [corrupt(0, 1), { kind: 'corrupt', to: 'worker/4', round: 2 }]],
    ['one-gradient', 'a worker twice in received', [send(1), deliver(0, 1), deliver(1, 1), aggregate(1, [0, 1, 1], 'all')]],
    ['one-gradient', 'a round aggregated twice', [send(1), deliver(0, 1), deliver(1, 1), deliver(2, 1), aggregate(1, [0, 1, 2]), aggregate(1, [0, 1, 2])]],
    ['one-gradient', 'a gradient taken that never arrived', [send(1), deliver(0, 1), deliver(1, 1), aggregate(1, [0, 1, 3])]],
    ['one-gradient', "a gradient of another round taken", [send(1), send(2), deliver(0, 1), deliver(1, 2), deliver(2, 2), aggregate(2, [0, 1, 2])]],
    ['one-gradient', 'a malformed gradient taken', [send(1), deliver(0, 1), deliver(1, 1), deliver(2, 1), { kind: 'ignore', from: 'worker/2', to: 'server', round: 1, data: { reason: 'malformed' } }, aggregate(1, [0, 1, 2])]],
    ['quorum', 'reason all short of n', [send(1), deliver(0, 1), deliver(1, 1), deliver(2, 1), aggregate(1, [0, 1, 2], 'all')]],
    ['quorum', 'reason quorum short of the quorum', [send(1), deliver(0, 1), deliver(1, 1), aggregate(1, [0, 1], 'quorum')]],
    ['quorum', 'reason timeout before the timeout', [send(1, 7), deliver(0, 1), aggregate(1, [0], 'timeout', 106.9)]],
    ['quorum', 'a round that was never broadcast', [send(1), deliver(0, 2), deliver(1, 2), deliver(2, 2), aggregate(2, [0, 1, 2])]],
    ['quorum', 'a reason that is none of the three', [send(1), { kind: 'aggregate-skipped', round: 1, data: { reason: 'impatience', received: [] } }]],
    ['knowledge', "a Byzantine worker's gradient observed", [corrupt(3, 1), observe(0, 1), observe(3, 1)]],
    ['knowledge', 'an observation under none', [corrupt(3, 1), observe(0, 1)], { ...SETUP, knowledge: { name: 'none', params: {}, observes: false } }],
    ['knowledge', 'k + 1 workers observed under partial(k)', [corrupt(3, 1), observe(0, 1), observe(1, 1), observe(0, 2), observe(1, 2), observe(0, 1), observe(2, 1)], { ...SETUP, knowledge: { name: 'partial', params: { k: 2 }, observes: true } }],
    ['knowledge', 'an observation sent elsewhere', [observe(0, 1), observe(1, 1, 'server')]],
    ['knowledge', "an honest worker's own gradient handed over", [corrupt(3, 1), { kind: 'own', from: 'worker/3', to: 'adversary', round: 1 }, { kind: 'own', from: 'worker/2', to: 'adversary', round: 1 }]],
    ['finite-theta', 'θ with a NaN', [{ kind: 'update', round: 1, payload: Float32Array.of(0, 1) }, { kind: 'update', round: 2, payload: Float32Array.of(0, Number.NaN) }]],
    ['finite-theta', 'θ with an infinity', [{ kind: 'update', round: 1, payload: Float32Array.of(Number.POSITIVE_INFINITY) }]],
    ['finite-theta', 'an update without θ', [{ kind: 'update', round: 1 }]],
  ];
  for (const [checker, what, stream, setup] of cases) {
    it(`${checker}: ${what}`, () => {
      const violation = violationOf(stream, setup);
      expect(violation?.checker).toBe(checker);
      // The breaking event is the last one of each stream; everything before it is legal.
      expect(violation?.seq).toBe(stream.length - 1);
      expect(violationOf(stream.slice(0, -1), setup)).toBeUndefined();
    });
  }

  it('the edges of the properties are legal: the timeout exactly, a worker corrupted twice, a late observation of a watched worker', () => {
    expect(violationOf([send(1, 7), deliver(0, 1), aggregate(1, [0], 'timeout', 107)])).toBeUndefined();
    expect(violationOf([corrupt(3, 1), corrupt(3, 1), corrupt(3, 2)])).toBeUndefined();
    const partial: CheckerSetup = { ...SETUP, knowledge: { name: 'partial', params: { k: 1 }, observes: true } };
    expect(violationOf([corrupt(3, 1), observe(0, 1), corrupt(2, 2), observe(1, 2), observe(0, 1)], partial)).toBeUndefined();
  });

  it('a mutation of a real run is caught at the mutated event', async () => {
    const { run, events } = await eventsOf({ server: { quorum: 'n-f', timeout: 50 } });
    await run;
    const s = smallScenario();
    const setup: CheckerSetup = { n: s.workers, f: 1, quorum: s.workers - 1, timeout: 50, knowledge: { name: 'omniscient', params: {}, observes: true } };
    const at = events.findIndex((e) => e.kind === 'aggregate' && e.round === 3);
    const broken = events.map((e, i) => (i === at ? { ...e, data: { ...e.data, received: [...(e.data!.received as number[]), (e.data!.received as number[])[0]] } } : e));
    const violation = feed(setup, broken);
    expect(violation?.checker).toBe('one-gradient');
    expect(violation?.seq).toBe(events[at].seq);
  });
});

/** An optimizer that steps normally, except that from round `from` on it hands back a θ with a NaN: it skips the server's refusal. */
function poisonFrom(from: number): Instrument {
  return {
    optimizer: (o: Optimizer): Optimizer => {
      let round = 0;
      return {
        step: (theta, g, t) => {
          const stepped = o.step(theta, g, t);
          if (++round < from || !('theta' in stepped)) return stepped;
          const bad = stepped.theta.slice();
          bad[1] = Number.NaN;
          return { theta: bad };
        },
      };
    },
  };
}

describe('a real run that breaks a property', () => {
  it('stops at the violating event with a CheckerViolation naming the checker and the index', async () => {
    const { run, lines } = await eventsOf({}, { instrument: poisonFrom(3) });
    const violation = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(violation).toBeInstanceOf(CheckerViolation);
    const v = violation as CheckerViolation;
    expect(v.checker).toBe('finite-theta');
    expect(v.message).toMatch(/^online checker finite-theta failed at event \d+: θ after round 3 has a non-finite coordinate: θ\[1\] = NaN/);
    // The sinks got every event up to the violating one, that one last, and nothing after it.
    const last = JSON.parse(lines[lines.length - 1]);
    expect(last).toMatchObject({ kind: 'update', round: 3, seq: v.seq });
    expect(lines.length).toBe(v.seq + 1);
    expect(v.line).toBe(lines[lines.length - 1]);
  });

  it('the same run with the checkers off completes: the checkers are what stopped it', async () => {
    const { run } = await eventsOf({}, { instrument: poisonFrom(3), checkers: false });
    await expect(run).resolves.toMatchObject({ rounds: 8 });
  });

  it('byzsim run prints the violation and the replay command and exits 1; replay reproduces it', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
    const file = join(dir, 'poisoned.yaml');
    writeFileSync(file, 'rounds: 6\nworkers: 5\nbyzantine: { f: 1 }\nattack: ipm\naggregator: cwtm\ndata: { batchSize: 8, synthetic: { classes: 3, features: 4, trainSize: 200, testSize: 40 } }\n');
    const out = join(dir, 'poisoned');
    seam.instrument = poisonFrom(2);
    expect(await runCommand(file, { out })).toBe(1);
    const trace = join(out, 'trace.jsonl');
    expect(errors.join('\n')).toMatch(/byzsim: online checker finite-theta failed at event (\d+): θ after round 2 has a non-finite coordinate/);
    expect(errors.join('\n')).toContain(`byzsim replay ${trace}`);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    // Cut short: no trailer, and the violating event is the last line.
    expect(lines[lines.length - 1]).toMatch(/"kind":"update","from":"server","round":2/);
    errors.length = 0;
    expect(await main(['replay', trace])).toBe(1);
    expect(errors.join('\n')).toMatch(/byzsim: online checker finite-theta failed at event \d+/);
  });
});

describe('regression: the adversary sees only the workers its knowledge model watched in the gradient’s round', () => {
  // Found by `byzsim swarm --seed 1` (run 3): with a quorum below n the server broadcasts round t + 1 while
  // a slow honest worker still computes round t; its round-t gradient, sent after the adversary drew
  // round t + 1's watched workers, was judged by that draw, so partial(k) could see k + 1 workers' gradients
  // of round t (and, under staleness, craft from them).
  const input: Partial<ScenarioInput> = {
    seed: 5,
    rounds: 10,
    workers: 10,
    byzantine: { f: 2 },
    attack: 'alie',
    adversary: { knowledge: 'partial(k=1)', staleness: 1 },
    network: { delay: { kind: 'fixed', value: 20 } },
    worker: { computeTime: { kind: 'uniform', min: 1, max: 40 } },
    server: { quorum: 4 },
    data: { batchSize: 8, synthetic: { classes: 3, features: 4, trainSize: 300, testSize: 50 } },
  };

  it('passes the knowledge checker, and the attack never crafts from more than k workers of a round', async () => {
    const seen: number[] = [];
    const { run, events } = await eventsOf(input, {
      instrument: { attack: (a) => ({ ...a, craft: (ctx) => (seen.push(new Set(ctx.observedFrom).size), a.craft(ctx)) }) },
    });
    await expect(run).resolves.toBeDefined();
    // The case arises: a gradient of round t sent after round t + 1's broadcast.
    const broadcast = new Map<number, number>();
    for (const e of events) if (e.kind === 'send' && e.msg === 'model' && !broadcast.has(e.round!)) broadcast.set(e.round!, e.t);
    expect(events.some((e) => e.kind === 'send' && e.msg === 'gradient' && e.t > (broadcast.get(e.round! + 1) ?? Infinity))).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
  });
});

describe('regression: a sink that throws inside the simulation stops the run at that event (replay’s divergences)', () => {
  // Sinks throw to stop a run: replay's comparator, the checkers' monitor. The adversary records `round` and
  // `observe` inside RxJS subscribers, where a thrown error was caught by RxJS and rethrown on a real timer,
  // which the determinism guard refuses: replay printed a DeterminismError's stack (an edited `observe`) or
  // a divergence one event late, with the wrong actual line (an edited `round`).
  for (const kind of ['observe', 'round', 'corrupt', 'aggregate']) {
    it(`replay of a trace edited at a ${kind} event reports that event`, async () => {
      const errors: string[] = [];
      vi.spyOn(console, 'log').mockImplementation(() => {});
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
      const file = join(dir, `edited-${kind}.yaml`);
      writeFileSync(file, 'seed: 11\nrounds: 4\nworkers: 7\nbyzantine: { f: 2, schedule: random }\naggregator: krum\nattack: alie\nserver: { quorum: n-f, timeout: 200 }\ndata: { batchSize: 8, synthetic: { classes: 3, features: 4, trainSize: 200, testSize: 40 } }\n');
      const out = join(dir, `edited-${kind}`);
      expect(await runCommand(file, { out })).toBe(0);
      const trace = join(out, 'trace.jsonl');
      const lines = readFileSync(trace, 'utf8').split('\n');
      const at = lines.findIndex((l) => l.includes(`"kind":"${kind}"`) && l.includes('"round":3'));
      const original = lines[at];
      lines[at] = original.replace('"round":3', '"round":33');
      writeFileSync(trace, lines.join('\n'));
      errors.length = 0;
      expect(await main(['replay', trace])).toBe(1);
      expect(errors[0]).toBe(`replay diverged at event ${at - 1} (line ${at + 1} of the trace file)`);
      expect(errors[2]).toBe(`  actual:   ${original}`);
    });
  }
});
