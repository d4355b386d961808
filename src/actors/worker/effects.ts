/**
 * A worker's effects: its compute time is drawn from its own
 * `worker/<i>/compute-time` stream each time it starts computing; its
 * gradient comes from the learning task on a minibatch drawn from its
 * `worker/<i>` stream; in a round the Byzantine ledger gives to the adversary
 * it hands the round over and computes nothing.
 */
import type { Actor } from 'xstate';
import type { World } from '../../sim/world.ts';
import type { ByzantineLedger } from '../../adversary/ledger.ts';
import type { Rng } from '../../sim/rng.ts';
import { draw, type DelayDistribution } from '../../sim/distribution.ts';
import { SERVER, workerAddress } from '../../sim/address.ts';
import { workerMachine } from './machine.ts';

export interface WorkerSetup {
  computeTime: DelayDistribution;
  ledger: ByzantineLedger;
  /** ∇F_i(θ; ξ) on a minibatch drawn with `rng`, the worker's stream. */
  gradient(theta: Float32Array, worker: number, rng: Rng): Float32Array;
}

export function spawnWorker(world: World, index: number, setup: WorkerSetup): Actor<typeof workerMachine> {
  const { network, streams } = world;
  const address = workerAddress(index);
  const rng = streams.get(address);
  const computeRng = streams.get(`${address}/compute-time`);
  const actor = world.spawn(
    workerMachine.provide({
      actions: {
        computeAndSend: ({ context }) => {
          const g = setup.gradient(context.theta!, index, rng);
          network.send({ kind: 'gradient', from: address, to: SERVER, round: context.round, payload: g });
        },
      },
      guards: {
        corrupted: ({ event }) => setup.ledger.controls(index, event.round),
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
