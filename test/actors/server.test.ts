/**
 * Model-based tests of the Server machine (fast-check commands): random
 * interleavings of fresh, duplicate and stale gradients and of virtual time
 * passing, checked against a model of the protocol after every command.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createActor } from 'xstate';
import { serverMachine, type AggregateReason } from '../../src/actors/server/machine.ts';
import { createKernel, type Kernel } from '../../src/sim/kernel.ts';

interface Model {
  n: number;
  quorum: number;
  timeout: number;
  round: number;
  roundStartedAt: number;
  accepted: Set<number>;
  done: boolean;
}

interface Real {
  kernel: Kernel;
  actor: ReturnType<typeof createActor<typeof serverMachine>>;
  aggregations: { round: number; at: number; reason: AggregateReason; workers: number[]; rounds: number[] }[];
  broadcasts: { round: number; at: number }[];
  ignored: number;
}

/** A gradient payload carries [round, worker] so the test can see what was aggregated. */
const payload = (round: number, worker: number) => new Float32Array([round, worker]);

/** The model's view after the real server moved to a new round (aggregation happened). */
function sync(m: Model, r: Real): void {
  const last = r.broadcasts[r.broadcasts.length - 1];
  if (last.round !== m.round) {
    m.round = last.round;
    m.roundStartedAt = last.at;
    m.accepted = new Set();
  }
  m.done = r.actor.getSnapshot().status === 'done';
}

class SendGradient implements fc.Command<Model, Real> {
  constructor(
    readonly worker: number,
    readonly roundOffset: number,
  ) {}
  check = (m: Readonly<Model>) => !m.done && this.worker < m.n;
  run(m: Model, r: Real): void {
    const round = m.round + this.roundOffset;
    const before = r.aggregations.length;
    const fresh = this.roundOffset === 0 && !m.accepted.has(this.worker);
    r.actor.send({ type: 'GRADIENT', from: this.worker, round, vector: payload(round, this.worker) });
    if (fresh) m.accepted.add(this.worker);
    if (r.aggregations.length > before) {
      const agg = r.aggregations[r.aggregations.length - 1];
      // Never before quorum: an aggregation triggered by a message needs a full quorum.
      expect(fresh).toBe(true);
      expect(agg.workers.length).toBeGreaterThanOrEqual(m.quorum);
      expect(new Set(agg.workers)).toEqual(m.accepted);
      expect(agg.rounds.every((x) => x === m.round)).toBe(true);
    } else if (fresh) {
      expect(m.accepted.size).toBeLessThan(m.quorum);
    }
    sync(m, r);
  }
  toString = () => `send(w${this.worker}, round${this.roundOffset >= 0 ? '+' : ''}${this.roundOffset})`;
}

class Advance implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = (m: Readonly<Model>) => !m.done;
  run(m: Model, r: Real): void {
    const before = r.aggregations.length;
    const deadline = m.roundStartedAt + m.timeout;
    r.kernel.setTimeout(() => r.kernel.stop(), this.ms);
    r.kernel.run();
    if (r.aggregations.length > before) {
      const agg = r.aggregations[before];
      expect(agg.reason).toBe('timeout');
      expect(agg.at).toBe(deadline);
      expect(new Set(agg.workers)).toEqual(m.accepted);
    } else {
      expect(r.kernel.now).toBeLessThan(deadline);
    }
    sync(m, r);
  }
  toString = () => `advance(${this.ms})`;
}

function setup(n: number, quorum: number, timeout: number, rounds: number) {
  return () => {
    const kernel = createKernel();
    const real: Real = { kernel, actor: undefined as never, aggregations: [], broadcasts: [], ignored: 0 };
    real.actor = createActor(
      serverMachine.provide({
        actions: {
          broadcast: ({ context }) => real.broadcasts.push({ round: context.round, at: kernel.now }),
          aggregate: ({ context }, { reason }) => {
            const workers = [...context.received.keys()];
            real.aggregations.push({
              round: context.round,
              at: kernel.now,
              reason,
              workers,
              rounds: [...context.received.values()].map((v) => v[0]),
            });
            for (const [w, v] of context.received) expect(v[1]).toBe(w);
          },
          ignore: () => {
            real.ignored++;
          },
        },
      }),
      { input: { n, rounds, quorum, timeout }, clock: kernel },
    );
    real.actor.start();
    real.actor.send({ type: 'START' });
    const model: Model = { n, quorum, timeout, round: 1, roundStartedAt: 0, accepted: new Set(), done: false };
    return { model, real };
  };
}

describe('server machine (model-based)', () => {
  it('never aggregates before quorum or timeout, never takes a worker twice, ignores other rounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            quorum: fc.integer({ min: 1, max: n }),
            timeout: fc.integer({ min: 5, max: 100 }),
            cmds: fc.commands(
              [
                fc.tuple(fc.nat({ max: n - 1 }), fc.constantFrom(0, 0, 0, -1, 1)).map(([w, o]) => new SendGradient(w, o)),
                fc.integer({ min: 1, max: 60 }).map((ms) => new Advance(ms)),
              ],
              { maxCommands: 80 },
            ),
          }),
        ),
        ({ n, quorum, timeout, cmds }) => {
          fc.modelRun(setup(n, quorum, timeout, 6), cmds);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ignores a duplicate and a stale gradient and counts them', () => {
    const { real } = setup(3, 3, 100, 2)();
    real.actor.send({ type: 'GRADIENT', from: 0, round: 1, vector: payload(1, 0) });
    real.actor.send({ type: 'GRADIENT', from: 0, round: 1, vector: payload(1, 0) });
    real.actor.send({ type: 'GRADIENT', from: 1, round: 0, vector: payload(0, 1) });
    expect(real.ignored).toBe(2);
    expect(real.actor.getSnapshot().context.received.size).toBe(1);
  });

  it('a timeout with nothing received still steps to the next round, and the run ends after `rounds`', () => {
    const { real } = setup(2, 2, 10, 3)();
    real.kernel.run();
    expect(real.aggregations.map((a) => [a.round, a.at, a.reason, a.workers.length])).toEqual([
      [1, 10, 'timeout', 0],
      [2, 20, 'timeout', 0],
      [3, 30, 'timeout', 0],
    ]);
    expect(real.actor.getSnapshot().status).toBe('done');
  });
});
