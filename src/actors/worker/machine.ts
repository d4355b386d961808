/**
 * An honest worker: on receiving θ_t it computes a stochastic gradient on its
 * own minibatch, which takes a virtual compute time, and sends it to the
 * server. In a round the adversary controls it, it sends nothing itself: the
 * adversary speaks for it.
 *
 *   idle ──MODEL──▶ computing ──after computeTime──▶ idle (sends gradient)
 *
 * A newer MODEL while computing abandons the stale computation (its delayed
 * transition is cancelled by re-entering `computing`).
 *
 * The statechart is the protocol only; its context is data. What depends on
 * the world — the compute time (drawn from the worker's stream), whether the
 * adversary controls it in a round (the run's Byzantine ledger), computing and
 * sending the gradient — is supplied by ./effects.ts.
 */
import { assign, setup } from 'xstate';

export interface WorkerInput {
  index: number;
}

export interface WorkerContext {
  index: number;
  round: number;
  theta: Float32Array | undefined;
}

export type WorkerEvent = { type: 'MODEL'; round: number; theta: Float32Array };

export const workerMachine = setup({
  types: {
    input: {} as WorkerInput,
    context: {} as WorkerContext,
    events: {} as WorkerEvent,
  },
  actions: {
    takeModel: assign(({ event }) => ({ round: event.round, theta: event.theta })),
    // Effect: compute ∇F_i(θ_t; ξ) and send it to the server.
    computeAndSend: (_: unknown) => {},
  },
  guards: {
    // Effect: whether the adversary controls this worker in the event's round.
    corrupted: (_: unknown) => false,
    newer: ({ context, event }) => event.round > context.round,
  },
  delays: {
    // Effect: this round's compute time (virtual ms).
    computeTime: () => 0,
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => ({ index: input.index, round: 0, theta: undefined }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        MODEL: [{ guard: 'corrupted' }, { guard: 'newer', target: 'computing', actions: 'takeModel' }],
      },
    },
    computing: {
      after: { computeTime: { target: 'idle', actions: 'computeAndSend' } },
      on: {
        MODEL: [
          { guard: 'corrupted', target: 'idle' },
          { guard: 'newer', target: 'computing', reenter: true, actions: 'takeModel' },
        ],
      },
    },
  },
});
