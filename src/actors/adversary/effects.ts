/**
 * The adversary's effects, and everything it may see and do in a world:
 *   - it learns of round t from the public broadcast of θ_t (the first model
 *     message of the round on the network's `sent$` stream), and keeps as many
 *     past θ as its attack needs;
 *   - its schedule picks the round's Byzantine set, recorded in the ledger
 *     (the one source of truth for who is Byzantine) and in the trace, and
 *     its knowledge model picks whose honest gradients it watches;
 *   - it observes those gradients as they are sent (one RxJS operator over
 *     `sent$`); under `adversary.staleness: r` its attack sees round t − r's
 *     instead of round t's;
 *   - when its attack needs them, its own workers compute their honest
 *     gradients (on labels the attack maps, for a data-level attack) and hand
 *     them over instead of sending them;
 *   - it waits until it has all it can get or for its patience, crafts one
 *     vector per controlled worker with its attack, its own stream, and what
 *     it knows of the rule (a private instance, or the pool's members), and
 *     sends them as those workers (each `1 + flood` times: the same vector,
 *     so a flood costs the network and the server O(1) per extra copy);
 *   (Under an adversarial ordering it also plays the network scheduler; the
 *   runner installs its strategy, src/adversary/scheduling/, with or without
 *   corrupted workers.)
 * It never holds the server's stream, the server's rule instance or its
 * draws: only what is listed here, and only what its attack declared.
 */
import type { Actor } from 'xstate';
import { distinctUntilChanged, filter } from 'rxjs';
import type { World } from '../../sim/world.ts';
import type { Attack } from '../../attacks/types.ts';
import type { Aggregator } from '../../aggregators/types.ts';
import type { ByzantineLedger } from '../../adversary/ledger.ts';
import type { Schedule } from '../../adversary/schedules/types.ts';
import type { KnowledgeModel } from '../../adversary/knowledge/types.ts';
import { watchedGradients } from '../../adversary/knowledge/view.ts';
import { digestVector } from '../../sim/trace.ts';
import { ADVERSARY, SERVER, workerAddress, workerIndex } from '../../sim/address.ts';
import { adversaryMachine } from './machine.ts';

export interface AdversarySetup {
  n: number;
  /** The f the server's rule tolerates. */
  tolerated: number;
  ledger: ByzantineLedger;
  schedule: Schedule;
  knowledge: KnowledgeModel;
  attack: Attack;
  /** Its attack sees the honest gradients of round t − staleness. */
  staleness: number;
  /** What it knows of the server's rule: a private instance (with its own stream) and the pool's members. */
  rule?: Aggregator;
  pool?: readonly Aggregator[];
  /** Longest wait for observations after the broadcast (virtual ms). */
  patience: number;
  craftTime: number;
  /** Extra copies of its message each Byzantine worker sends per round (the server takes the first to arrive). */
  flood: number;
}

export interface AdversaryRole {
  readonly actor: Actor<typeof adversaryMachine>;
  /** A Byzantine worker hands over its own honest gradient of `round` (when the attack needs it). */
  handOver(worker: number, round: number, vector: Float32Array): void;
}

export function spawnAdversary(world: World, setup: AdversarySetup): AdversaryRole {
  const { network, trace, streams } = world;
  const { n, ledger, attack, knowledge, schedule, staleness } = setup;
  const { needs } = attack;
  const rng = streams.get('adversary');
  const wantsOwn = needs.own === true || needs.labels !== undefined;
  const keepHistory = needs.history ?? 0;
  /** Whom its knowledge model watches, by round: a gradient of round t is seen only if its sender was watched in round t. */
  const watched = new Map<number, Set<number>>();
  /**
   * Every observation by the round it belongs to, whenever it arrives (also
   * after the adversary crafted for that round), for the rounds a stale
   * attack or an adaptive schedule looks back to; and past θ, as many as the
   * attack needs.
   */
  const past = new Map<number, { vectors: Float32Array[]; from: number[] }>();
  const lookBack = Math.max(staleness, 1);
  const NOTHING = { vectors: [], from: [] };
  /** What its own workers sent in the last round it crafted for (an adaptive schedule looks at it). */
  let sent: { round: number; vectors: Float32Array[]; from: number[] } = { round: 0, vectors: [], from: [] };
  const thetas = new Map<number, Float32Array>();
  /** θ of the `keepHistory` rounds before `round`, oldest first (those it has seen). */
  const historyBefore = (round: number): Float32Array[] => {
    const out: Float32Array[] = [];
    for (let r = Math.max(1, round - keepHistory); r < round; r++) {
      const theta = thetas.get(r);
      if (theta) out.push(theta);
    }
    return out;
  };

  const actor = world.spawn(
    adversaryMachine.provide({
      actions: {
        corrupt: ({ context }) => {
          const byzantine = schedule(context.round, {
            previous: past.get(context.round - 1) ?? NOTHING,
            sent: sent.round === context.round - 1 ? sent : NOTHING,
            tolerated: setup.tolerated,
            ...(setup.rule ? { rule: setup.rule } : {}),
          });
          ledger.assign(context.round, byzantine);
          watched.set(context.round, new Set(knowledge.watch(ledger.honest(), rng)));
          watched.delete(context.round - 64);
          for (const i of byzantine) trace.record({ kind: 'corrupt', from: ADVERSARY, to: workerAddress(i), round: context.round });
        },
        sendByzantine: ({ context }) => {
          const { round, theta } = context;
          const byzantine = ledger.at(round);
          if (byzantine.length === 0 || !theta) return;
          const seen = staleness > 0 ? (past.get(round - staleness) ?? NOTHING) : { vectors: context.observed, from: context.observedFrom };
          const crafted = attack.craft({
            observed: needs.honest ? seen.vectors : [],
            observedFrom: needs.honest ? seen.from : [],
            own: wantsOwn ? byzantine.map((w) => context.own.get(w)) : [],
            byzantine,
            theta,
            history: keepHistory > 0 ? historyBefore(round) : [],
            n,
            f: byzantine.length,
            tolerated: setup.tolerated,
            round,
            ...(setup.rule ? { rule: setup.rule } : {}),
            ...(setup.pool ? { pool: setup.pool } : {}),
            rng,
          });
          sent = { round, vectors: crafted, from: [...byzantine] };
          byzantine.forEach((w, j) => {
            for (let copy = 0; copy <= setup.flood; copy++) {
              network.send({ kind: 'gradient', from: workerAddress(w), to: SERVER, round, payload: crafted[j] });
            }
          });
        },
      },
      guards: {
        idleRound: ({ context }) => ledger.at(context.round).length === 0,
        seenEnough: ({ context }) => {
          // Under staleness the honest gradients it will use were seen rounds ago.
          const honest = !needs.honest || staleness > 0 || context.observed.length >= (watched.get(context.round)?.size ?? 0);
          return honest && (!wantsOwn || context.own.size >= ledger.at(context.round).length);
        },
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
      if (keepHistory > 0) {
        thetas.set(m.round, m.payload);
        thetas.delete(m.round - keepHistory - 1);
      }
      actor.send({ type: 'ROUND', round: m.round, theta: m.payload });
    });
  network.sent$.pipe(watchedGradients(ledger.isByzantine, (w, round) => watched.get(round)?.has(w) === true)).subscribe((m) => {
    trace.record({ kind: 'observe', from: m.from, to: ADVERSARY, round: m.round });
    const from = workerIndex(m.from);
    let seen = past.get(m.round);
    if (!seen) {
      seen = { vectors: [], from: [] };
      past.set(m.round, seen);
      past.delete(m.round - lookBack - 1);
    }
    seen.vectors.push(m.payload);
    seen.from.push(from);
    actor.send({ type: 'OBSERVE', from, round: m.round, vector: m.payload });
  });
  return {
    actor,
    handOver(worker, round, vector) {
      trace.record({ kind: 'own', from: workerAddress(worker), to: ADVERSARY, round, digest: digestVector(vector) });
      actor.send({ type: 'OWN', from: worker, round, vector });
    },
  };
}
