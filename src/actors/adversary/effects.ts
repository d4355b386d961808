/**
 * The adversary's effects, and everything it may see and do in a world:
 *   - it learns of round t from the public broadcast of θ_t (the first model
 *     message of the round on the network's `sent$` stream);
 *   - its schedule picks the round's Byzantine set, recorded in the ledger
 *     (the one source of truth for who is Byzantine) and in the trace, and
 *     its knowledge model picks whose honest gradients it watches;
 *   - it observes those gradients as they are sent (one RxJS operator over
 *     `sent$`), waits until it has them all or for its patience, crafts one
 *     vector per controlled worker with its attack and its own stream, and
 *     sends them as those workers;
 *   - under an adversarial ordering it chooses every message's delay
 *     ("rush and stall").
 * It never holds the server's stream, the server's rule instance or θ's
 * future: only what is listed here.
 */
import type { Actor } from 'xstate';
import { distinctUntilChanged, filter } from 'rxjs';
import type { World } from '../../sim/world.ts';
import type { Attack } from '../../attacks/types.ts';
import type { ByzantineLedger } from '../../adversary/ledger.ts';
import type { Schedule } from '../../adversary/schedules/types.ts';
import type { KnowledgeModel } from '../../adversary/knowledge/types.ts';
import { watchedGradients } from '../../adversary/knowledge/view.ts';
import { rushAndStall } from '../../adversary/delays.ts';
import { ADVERSARY, SERVER, workerAddress, workerIndex } from '../../sim/address.ts';
import { adversaryMachine } from './machine.ts';

export interface AdversarySetup {
  n: number;
  ledger: ByzantineLedger;
  schedule: Schedule;
  knowledge: KnowledgeModel;
  attack: Attack;
  /** Longest wait for observations after the broadcast (virtual ms). */
  patience: number;
  craftTime: number;
  /** Whether the adversary plays the network scheduler (an adversarial ordering). */
  schedulesNetwork: boolean;
}

export function spawnAdversary(world: World, setup: AdversarySetup): Actor<typeof adversaryMachine> {
  const { network, trace, streams } = world;
  const { n, ledger, attack, knowledge, schedule } = setup;
  const rng = streams.get('adversary');
  let watched = new Set<number>();

  const actor = world.spawn(
    adversaryMachine.provide({
      actions: {
        corrupt: ({ context }) => {
          const byzantine = schedule(context.round);
          ledger.assign(context.round, byzantine);
          watched = new Set(knowledge.watch(ledger.honest(), rng));
          for (const i of byzantine) trace.record({ kind: 'corrupt', from: ADVERSARY, to: workerAddress(i), round: context.round });
        },
        sendByzantine: ({ context }) => {
          const byzantine = ledger.at(context.round);
          if (byzantine.length === 0 || !context.theta) return;
          const crafted = attack.craft({
            observed: context.observed,
            theta: context.theta,
            n,
            f: byzantine.length,
            round: context.round,
            rng,
          });
          byzantine.forEach((w, j) =>
            network.send({ kind: 'gradient', from: workerAddress(w), to: SERVER, round: context.round, payload: crafted[j] }),
          );
        },
      },
      guards: {
        idleRound: ({ context }) => ledger.at(context.round).length === 0,
        seenEnough: ({ context }) => context.observed.length >= watched.size,
      },
    }),
    { patience: setup.patience, craftTime: setup.craftTime },
  );

  network.sent$
    .pipe(
      filter((m) => m.kind === 'model' && m.from === SERVER),
      distinctUntilChanged((a, b) => a.round === b.round),
    )
    .subscribe((m) => {
      trace.record({ kind: 'round', from: SERVER, to: ADVERSARY, round: m.round });
      actor.send({ type: 'ROUND', round: m.round, theta: m.payload });
    });
  network.sent$.pipe(watchedGradients(ledger.isByzantine, (w) => watched.has(w))).subscribe((m) => {
    const from = workerIndex(m.from);
    trace.record({ kind: 'observe', from: m.from, to: ADVERSARY, round: m.round });
    actor.send({ type: 'OBSERVE', from, round: m.round, vector: m.payload });
  });
  if (setup.schedulesNetwork) network.setDelayChooser(rushAndStall(ledger.isByzantine));
  return actor;
}
