/**
 * The adversary: controls at most f workers in each round; sees honest
 * gradients only through its knowledge model (a filtered stream); then sends
 * one crafted vector per controlled worker over the same network as everyone
 * else.
 *
 *   waiting ──ROUND──▶ observing ──seen enough | patience──▶ crafting ──after craftTime──▶ waiting
 *
 * It learns of a round from the server's broadcast (θ_t is public) and never
 * holds the server's private random stream. The statechart is the protocol
 * only; its context is data (the round, θ_t, the honest gradients it observed
 * and from whom, its own workers' gradients when its attack needs them).
 * Choosing and corrupting the round's Byzantine set, how much to wait for, and
 * crafting and sending the vectors are supplied by ./effects.ts.
 */
import { assign, setup } from 'xstate';

export interface AdversaryInput {
  /** Longest wait for observations after the broadcast (virtual ms). */
  patience: number;
  /** Virtual time spent crafting once observation ends. */
  craftTime: number;
}

export interface AdversaryContext extends AdversaryInput {
  round: number;
  theta: Float32Array | undefined;
  observed: Float32Array[];
  observedFrom: number[];
  /** Its own workers' honest gradients this round, by worker. */
  own: ReadonlyMap<number, Float32Array>;
}

export type AdversaryEvent =
  | { type: 'ROUND'; round: number; theta: Float32Array }
  | { type: 'OBSERVE'; from: number; round: number; vector: Float32Array }
  /** A Byzantine worker's own honest gradient, handed over instead of sent. */
  | { type: 'OWN'; from: number; round: number; vector: Float32Array };

export const adversaryMachine = setup({
  types: {
    input: {} as AdversaryInput,
    context: {} as AdversaryContext,
    events: {} as AdversaryEvent,
  },
  actions: {
    beginRound: assign(({ event }) =>
      event.type === 'ROUND' ? { round: event.round, theta: event.theta, observed: [], observedFrom: [], own: new Map() } : {},
    ),
    observe: assign(({ context, event }) =>
      event.type === 'OBSERVE' ? { observed: [...context.observed, event.vector], observedFrom: [...context.observedFrom, event.from] } : {},
    ),
    takeOwn: assign(({ context, event }) => {
      if (event.type !== 'OWN') return {};
      const own = new Map(context.own);
      own.set(event.from, event.vector);
      return { own };
    }),
    // Effects: pick and corrupt this round's Byzantine set; craft and send its vectors.
    corrupt: (_: unknown) => {},
    sendByzantine: (_: unknown) => {},
  },
  guards: {
    // Effects: no worker controlled this round; every observation it can get has arrived.
    idleRound: (_: unknown) => false,
    seenEnough: (_: unknown) => false,
    thisRound: ({ context, event }) => event.type !== 'ROUND' && event.round === context.round,
  },
  delays: {
    patience: ({ context }) => context.patience,
    craftTime: ({ context }) => context.craftTime,
  },
}).createMachine({
  id: 'adversary',
  context: ({ input }) => ({ ...input, round: 0, theta: undefined, observed: [], observedFrom: [], own: new Map() }),
  initial: 'waiting',
  states: {
    waiting: {
      on: { ROUND: { target: 'observing', actions: ['beginRound', 'corrupt'] } },
    },
    observing: {
      always: [{ guard: 'idleRound', target: 'waiting' }, { guard: 'seenEnough', target: 'crafting' }],
      after: { patience: 'crafting' },
      on: {
        OBSERVE: { guard: 'thisRound', actions: 'observe' },
        OWN: { guard: 'thisRound', actions: 'takeOwn' },
        // A new round before this one was served: serve it late, then start the new one.
        ROUND: { target: 'observing', reenter: true, actions: ['sendByzantine', 'beginRound', 'corrupt'] },
      },
    },
    crafting: {
      after: { craftTime: { target: 'waiting', actions: 'sendByzantine' } },
      on: {
        ROUND: { target: 'observing', actions: ['sendByzantine', 'beginRound', 'corrupt'] },
      },
    },
  },
});
