/**
 * The server's effects: what its machine's named actions do in a world.
 *   broadcast — send θ_t to every worker;
 *   aggregate — order the round's gradients by worker, fill or drop the
 *               missing ones (`server.missing`), apply the rule with the
 *               server's private stream, step the optimizer, evaluate on
 *               schedule, and record each in the trace;
 *   ignore    — record a duplicate or stale gradient.
 * At its boundary it checks every gradient it is delivered: one that is not a
 * vector of the model's dimension is ignored and traced (`ignore`, reason
 * `malformed`) before the protocol sees it; non-finite values are legal and
 * reach the rule, whose business they are. A step that would make θ
 * non-finite is refused and traced (`step-refused`). The server holds the
 * learning state (θ, the optimizer, the evaluation history) and the run's
 * counts of what went wrong; it never learns who is Byzantine.
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
  /** Record each class's test accuracy with every evaluation (`eval.perClass`). */
  perClass: boolean;
  dim: number;
  rule: Aggregator;
  optimizer: Optimizer;
  theta: Float32Array;
  evaluate(theta: Float32Array): Evaluation;
  /** The server's own gradient at θ on its trusted examples (server.trusted), handed to a rule that needs it (fltrust). */
  trusted?: (theta: Float32Array) => Float32Array;
  /** An observer called after every round, outside the simulation. */
  onRound?: (round: number, evaluation?: Evaluation) => void;
}

/** What went wrong in a run, counted as the server saw it (metrics.json, the report, the summary). */
export interface RunCounts {
  /** Rounds aggregated. */
  aggregated: number;
  /** Rounds whose inputs the rule could not take (`aggregate-skipped`). */
  skipped: number;
  /** Rounds that ended at the timeout rather than with all n or the quorum. */
  timeouts: number;
  /** Aggregates with a non-finite coordinate. */
  nonFiniteAggregates: number;
  /** Steps refused to keep θ finite (a non-finite aggregate, or an overflow). */
  refusedSteps: number;
  /**
   * Evaluations where the model had diverged: a loss that is not finite or
   * more than 1e6 times the loss of θ_0, with the first round that did.
   */
  diverged: { evaluations: number; firstRound?: number };
  /** Gradients ignored, by reason. */
  ignored: { duplicate: number; stale: number; malformed: number };
}

export interface ServerRole {
  readonly actor: Actor<typeof serverMachine>;
  readonly history: readonly HistoryPoint[];
  readonly counts: RunCounts;
  /** Evaluates θ now and records it (round 0 before the run starts). */
  evaluate(round: number): Evaluation;
}

export function spawnServer(world: World, setup: ServerSetup): ServerRole {
  const { network, trace, streams } = world;
  const { n, f, rule, optimizer, missing, dim } = setup;
  const rng = streams.get('server');
  let theta = setup.theta;
  const history: HistoryPoint[] = [];
  const counts: RunCounts = {
    aggregated: 0,
    skipped: 0,
    timeouts: 0,
    nonFiniteAggregates: 0,
    refusedSteps: 0,
    diverged: { evaluations: 0 },
    ignored: { duplicate: 0, stale: 0, malformed: 0 },
  };
  let initialLoss: number | undefined;

  const evaluate = (round: number): Evaluation => {
    const { perClass, ...e } = setup.evaluate(theta);
    initialLoss ??= e.loss;
    if (!(e.loss <= DIVERGED * Math.max(initialLoss, 1e-12))) {
      counts.diverged.evaluations++;
      counts.diverged.firstRound ??= round;
    }
    const shown = setup.perClass && perClass ? { ...e, perClass } : e;
    history.push({ round, ...shown });
    trace.record({ kind: 'eval', from: SERVER, round, data: { ...shown } });
    return shown;
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
    if (reason === 'timeout') counts.timeouts++;
    if (inputs.length === 0 || !rule.requirement.check(inputs.length, f)) {
      counts.skipped++;
      trace.record({
        kind: 'aggregate-skipped',
        from: SERVER,
        round,
        data: { reason, received: ids, why: `${rule.name} requires ${rule.requirement.text} (n=${inputs.length}, f=${f})` },
      });
    } else {
      const reference = rule.needsReference && setup.trusted ? setup.trusted(theta) : undefined;
      const { aggregate, diagnostics } = rule.aggregate(inputs, { f, rng, senders: from, ...(reference ? { reference } : {}) });
      // Diagnostics name inputs by position; the trace names them by worker.
      const named = { ...diagnostics } as Record<string, unknown>;
      if (diagnostics.selected) named.selected = diagnostics.selected.map((k) => from[k]);
      trace.record({
        kind: 'aggregate',
        from: SERVER,
        round,
        digest: digestVector(aggregate),
        data: { rule: rule.spec, reason, received: ids, missing: n - ids.length, diagnostics: named, ...(reference ? { reference: digestVector(reference) } : {}) },
        // For this process's observers (the run's metrics): never serialized.
        payload: aggregate,
      });
      counts.aggregated++;
      const stepped = optimizer.step(theta, aggregate, round);
      if ('theta' in stepped) {
        theta = stepped.theta;
        trace.record({ kind: 'update', from: SERVER, round, digest: digestVector(theta), payload: theta });
      } else {
        if (stepped.refused.startsWith('the aggregate')) counts.nonFiniteAggregates++;
        counts.refusedSteps++;
        trace.record({ kind: 'step-refused', from: SERVER, round, data: { why: stepped.refused } });
      }
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
          counts.ignored[reason]++;
          trace.record({ kind: 'ignore', from: workerAddress(event.from), to: SERVER, round: event.round, data: { reason, current: context.round } });
        },
      },
    }),
    { n, rounds: setup.rounds, quorum: setup.quorum, timeout: setup.timeout },
  );

  world.route(SERVER, (m) => {
    if (m.kind !== 'gradient') return;
    const from = workerIndex(m.from);
    const problem = malformed(m.payload, dim, from, n);
    if (problem) {
      counts.ignored.malformed++;
      trace.record({ kind: 'ignore', from: m.from, to: SERVER, round: m.round, data: { reason: 'malformed', why: problem } });
      return;
    }
    actor.send({ type: 'GRADIENT', from, round: m.round, vector: m.payload });
  });

  return { actor, history, counts, evaluate };
}

/** A loss this many times θ_0's (or not finite) means the model diverged. */
const DIVERGED = 1e6;

/** Why a delivered gradient cannot be taken at all (not a vector of the model's dimension, or from no worker), or undefined. */
function malformed(payload: unknown, dim: number, from: number, n: number): string | undefined {
  if (!Number.isInteger(from) || from < 0 || from >= n) return `not from a worker of [0, ${n})`;
  if (!(payload instanceof Float32Array)) return 'not a float32 vector';
  if (payload.length !== dim) return `length ${payload.length}, the model has ${dim} parameters`;
  return undefined;
}
