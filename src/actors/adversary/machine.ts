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
 * only; its context is data (the round, θ_t, what it observed). Choosing and
 * corrupting the round's Byzantine set, how many observations to wait for,
 * and crafting and sending the vectors are supplied by ./effects.ts.
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
}

export type AdversaryEvent =
  | { type: 'ROUND'; round: number; theta: Float32Array }
  | { type: 'OBSERVE'; from: number; round: number; vector: Float32Array };

export const adversaryMachine = setup({
  types: {
    input: {} as AdversaryInput,
    context: {} as AdversaryContext,
    events: {} as AdversaryEvent,
  },
  actions: {
    beginRound: assign(({ event }) => (event.type === 'ROUND' ? { round: event.round, theta: event.theta, observed: [] } : {})),
    observe: assign(({ context, event }) =>
      event.type === 'OBSERVE' ? { observed: [...context.observed, event.vector] } : {},
    ),
    // Effects: pick and corrupt this round's Byzantine set; craft and send its vectors.
    corrupt: (_: unknown) => {},
    sendByzantine: (_: unknown) => {},
  },
  guards: {
    // Effects: no worker controlled this round; every observation it can get has arrived.
    idleRound: (_: unknown) => false,
    seenEnough: (_: unknown) => false,
    thisRound: ({ context, event }) => event.type === 'OBSERVE' && event.round === context.round,
  },
  delays: {
    patience: ({ context }) => context.patience,
    craftTime: ({ context }) => context.craftTime,
  },
}).createMachine({
  id: 'adversary',
  context: ({ input }) => ({ ...input, round: 0, theta: undefined, observed: [] }),
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
