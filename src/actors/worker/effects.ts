/**
 * A worker's effects: its compute time is drawn from its own
 * `worker/<i>/compute-time` stream each time it starts computing; its
 * gradient comes from the learning task on a minibatch drawn from its
 * `worker/<i>` stream. In a round the Byzantine ledger gives to the
 * adversary, it either hands the round over and computes nothing, or — when
 * the adversary's attack needs its workers' own gradients — computes as
 * usual (on the labels the attack maps, for a data-level attack) and hands
 * the gradient to the adversary instead of sending it.
 */
import type { Actor } from 'xstate';
import type { World } from '../../sim/world.ts';
import type { ByzantineLedger } from '../../adversary/ledger.ts';
import type { Rng } from '../../sim/rng.ts';
import type { LabelMap } from '../../learning/task.ts';
import { draw, type DelayDistribution } from '../../sim/distribution.ts';
import { SERVER, workerAddress } from '../../sim/address.ts';
import { workerMachine } from './machine.ts';

/** What a corrupted worker does for the adversary when its attack needs the workers' own gradients. */
export interface ForAdversary {
  /** Labels the attack maps (data-level attacks). */
  labels?: LabelMap;
  handOver(worker: number, round: number, gradient: Float32Array): void;
}

export interface WorkerSetup {
  computeTime: DelayDistribution;
  ledger: ByzantineLedger;
  /**
   * ∇F_i(θ; ξ) for round `round` on a minibatch drawn with `rng`, the worker's stream, on labels mapped by `labels` if given;
   * `forAdversary` when it computes in a round it is Byzantine (it may then draw from other data).
   */
  gradient(theta: Float32Array, worker: number, rng: Rng, labels: LabelMap | undefined, forAdversary: boolean, round: number): Float32Array;
  forAdversary?: ForAdversary;
}

export function spawnWorker(world: World, index: number, setup: WorkerSetup): Actor<typeof workerMachine> {
  const { network, streams } = world;
  const { ledger, forAdversary } = setup;
  const address = workerAddress(index);
  const rng = streams.get(address);
  const computeRng = streams.get(`${address}/compute-time`);
  const actor = world.spawn(
    workerMachine.provide({
      actions: {
        computeAndSend: ({ context }) => {
          const { round } = context;
          if (forAdversary && ledger.controls(index, round)) {
            forAdversary.handOver(index, round, setup.gradient(context.theta!, index, rng, forAdversary.labels, true, round));
            return;
          }
          const g = setup.gradient(context.theta!, index, rng, undefined, false, round);
          network.send({ kind: 'gradient', from: address, to: SERVER, round, payload: g });
        },
      },
      guards: {
        // A corrupted worker computes only for an adversary that wants its gradient.
        corrupted: ({ event }) => !forAdversary && ledger.controls(index, event.round),
      },
      delays: {
        computeTime: () => draw(setup.computeTime, computeRng),
      },
    }),
    { index },
  );
  world.route(address, (m) => {
    if (m.kind === 'model') actor.send({ type: 'MODEL', round: m.round, theta: m.payload });
  });
  return actor;
}
