/**
 * The server's effects: what its machine's named actions do in a world.
 *   broadcast — send θ_t to every worker;
 *   aggregate — order the round's gradients by worker, fill or drop the
 *               missing ones (`server.missing`), apply the rule with the
 *               server's private stream, step the optimizer, evaluate on
 *               schedule, and record each in the trace;
 *   ignore    — record a duplicate or stale gradient.
 * The server holds the learning state (θ, the optimizer, the evaluation
 * history); it never learns who is Byzantine.
 */
import type { Actor } from 'xstate';
import type { World } from '../../sim/world.ts';
import type { Aggregator } from '../../aggregators/types.ts';
import type { Evaluation } from '../../learning/task.ts';
import type { Optimizer } from '../../learning/optimizer.ts';
import { digestVector } from '../../sim/trace.ts';
import { outsideSimulation } from '../../sim/guard.ts';
import { SERVER, workerAddress, workerIndex } from '../../sim/address.ts';
import { serverMachine, type AggregateReason } from './machine.ts';

export interface HistoryPoint extends Evaluation {
  round: number;
}

export interface ServerSetup {
  n: number;
  /** The f the rule is told to tolerate. */
  f: number;
  rounds: number;
  quorum: number;
  timeout: number;
  missing: 'zero' | 'drop';
  /** Evaluate every `evalEvery` rounds, and after the last. */
  evalEvery: number;
  dim: number;
  rule: Aggregator;
  optimizer: Optimizer;
  theta: Float32Array;
  evaluate(theta: Float32Array): Evaluation;
  /** An observer called after every round, outside the simulation. */
  onRound?: (round: number, evaluation?: Evaluation) => void;
}

export interface ServerRole {
  readonly actor: Actor<typeof serverMachine>;
  readonly history: readonly HistoryPoint[];
  /** Evaluates θ now and records it (round 0 before the run starts). */
  evaluate(round: number): Evaluation;
}

export function spawnServer(world: World, setup: ServerSetup): ServerRole {
  const { network, trace, streams } = world;
  const { n, f, rule, optimizer, missing, dim } = setup;
  const rng = streams.get('server');
  let theta = setup.theta;
  const history: HistoryPoint[] = [];

  const evaluate = (round: number): Evaluation => {
    const e = setup.evaluate(theta);
    history.push({ round, accuracy: e.accuracy, loss: e.loss });
    trace.record({ kind: 'eval', from: SERVER, round, data: { accuracy: e.accuracy, loss: e.loss } });
    return e;
  };

  const aggregate = (round: number, received: ReadonlyMap<number, Float32Array>, reason: AggregateReason): void => {
    const ids = [...received.keys()].sort((a, b) => a - b);
    let inputs: Float32Array[];
    let from: number[];
    if (missing === 'zero') {
      const zero = new Float32Array(dim);
      from = Array.from({ length: n }, (_, i) => i);
      inputs = from.map((i) => received.get(i) ?? zero);
    } else {
      from = ids;
      inputs = ids.map((i) => received.get(i)!);
    }
    if (inputs.length === 0 || !rule.requirement.check(inputs.length, f)) {
      trace.record({
        kind: 'aggregate-skipped',
        from: SERVER,
        round,
        data: { reason, received: ids, why: `${rule.name} requires ${rule.requirement.text} (n=${inputs.length}, f=${f})` },
      });
    } else {
      const { aggregate, diagnostics } = rule.aggregate(inputs, { f, rng });
      // Diagnostics name inputs by position; the trace names them by worker.
      const named = { ...diagnostics } as Record<string, unknown>;
      if (diagnostics.selected) named.selected = diagnostics.selected.map((k) => from[k]);
      trace.record({
        kind: 'aggregate',
        from: SERVER,
        round,
        digest: digestVector(aggregate),
        data: { rule: rule.spec, reason, received: ids, missing: n - ids.length, diagnostics: named },
      });
      theta = optimizer.step(theta, aggregate);
      trace.record({ kind: 'update', from: SERVER, round, digest: digestVector(theta) });
    }
    const evaluation = round % setup.evalEvery === 0 || round === setup.rounds ? evaluate(round) : undefined;
    const { onRound } = setup;
    if (onRound) outsideSimulation(() => onRound(round, evaluation));
  };

  const actor = world.spawn(
    serverMachine.provide({
      actions: {
        broadcast: ({ context }) => {
          for (let i = 0; i < n; i++) {
            network.send({ kind: 'model', from: SERVER, to: workerAddress(i), round: context.round, payload: theta });
          }
        },
        aggregate: ({ context }, { reason }) => aggregate(context.round, context.received, reason),
        ignore: ({ context, event }, { reason }) => {
          if (event.type !== 'GRADIENT') return;
          trace.record({ kind: 'ignore', from: workerAddress(event.from), to: SERVER, round: event.round, data: { reason, current: context.round } });
        },
      },
    }),
    { n, rounds: setup.rounds, quorum: setup.quorum, timeout: setup.timeout },
  );

  world.route(SERVER, (m) => {
    if (m.kind === 'gradient') actor.send({ type: 'GRADIENT', from: workerIndex(m.from), round: m.round, vector: m.payload });
  });

  return { actor, history, evaluate };
}
