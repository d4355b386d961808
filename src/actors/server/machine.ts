/**
 * The parameter server (Algorithm 1 of the resampling paper; §2.1 of the DP
 * paper): broadcast θ_t, collect gradients until all n arrived, a quorum q, or
 * the round timeout; aggregate; step; next round.
 *
 *   idle ──START──▶ broadcasting ──▶ collecting ──quorum | timeout──▶ stepping ──▶ broadcasting | done
 *
 * The statechart is the protocol only. Broadcasting, aggregating and stepping
 * the model, and recording ignored messages are named actions supplied by the
 * runner (`serverMachine.provide({ actions })`). Guarantees the machine itself
 * enforces, and the model-based tests check: no aggregation before quorum or
 * timeout; at most one gradient per worker per round (duplicates ignored);
 * gradients of other rounds ignored.
 */
import { assign, setup } from 'xstate';

export interface ServerInput {
  n: number;
  rounds: number;
  quorum: number;
  /** Round timeout in virtual ms. */
  timeout: number;
}

export interface ServerContext extends ServerInput {
  round: number;
  /** Gradients accepted this round, by worker index. */
  received: ReadonlyMap<number, Float32Array>;
}

export type ServerEvent =
  | { type: 'START' }
  | { type: 'GRADIENT'; from: number; round: number; vector: Float32Array };

export type AggregateReason = 'all' | 'quorum' | 'timeout';

export const serverMachine = setup({
  types: {
    input: {} as ServerInput,
    context: {} as ServerContext,
    events: {} as ServerEvent,
  },
  actions: {
    nextRound: assign(({ context }) => ({ round: context.round + 1, received: new Map() })),
    accept: assign(({ context, event }) => {
      if (event.type !== 'GRADIENT') return {};
      const received = new Map(context.received);
      received.set(event.from, event.vector);
      return { received };
    }),
    // Effects, supplied by the runner.
    broadcast: (_: unknown) => {},
    aggregate: (_: unknown, _params: { reason: AggregateReason }) => {},
    ignore: (_: unknown, _params: { reason: 'stale' | 'duplicate' }) => {},
  },
  guards: {
    stale: ({ context, event }) => event.type === 'GRADIENT' && event.round !== context.round,
    duplicate: ({ context, event }) => event.type === 'GRADIENT' && context.received.has(event.from),
    completesAll: ({ context }) => context.received.size + 1 >= context.n,
    completesQuorum: ({ context }) => context.received.size + 1 >= context.quorum,
    finished: ({ context }) => context.round >= context.rounds,
  },
  delays: {
    roundTimeout: ({ context }) => context.timeout,
  },
}).createMachine({
  id: 'server',
  context: ({ input }) => ({ ...input, round: 0, received: new Map() }),
  initial: 'idle',
  states: {
    idle: { on: { START: 'broadcasting' } },
    broadcasting: {
      entry: ['nextRound', 'broadcast'],
      always: 'collecting',
    },
    collecting: {
      after: {
        roundTimeout: { target: 'stepping', actions: { type: 'aggregate', params: { reason: 'timeout' } } },
      },
      on: {
        GRADIENT: [
          { guard: 'stale', actions: { type: 'ignore', params: { reason: 'stale' } } },
          { guard: 'duplicate', actions: { type: 'ignore', params: { reason: 'duplicate' } } },
          {
            guard: 'completesAll',
            target: 'stepping',
            actions: ['accept', { type: 'aggregate', params: { reason: 'all' } }],
          },
          {
            guard: 'completesQuorum',
            target: 'stepping',
            actions: ['accept', { type: 'aggregate', params: { reason: 'quorum' } }],
          },
          { actions: 'accept' },
        ],
      },
    },
    stepping: {
      always: [{ guard: 'finished', target: 'done' }, { target: 'broadcasting' }],
    },
    done: {
      type: 'final',
      on: { GRADIENT: { actions: { type: 'ignore', params: { reason: 'stale' } } } },
    },
  },
});
