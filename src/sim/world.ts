/**
 * The world a run's actors live in: the kernel (virtual clock and event
 * queue), the named random streams, the trace, the network and the routing
 * of delivered messages to actors. It knows nothing about learning, nor about
 * which actors there are: the runner (src/run/) composes them in it.
 *
 * `spawn` makes an xstate actor on virtual time: the kernel is its clock, its
 * system scheduler's clock stamp reads virtual time (see sim/guard.ts), and
 * the first error any actor raises, or any trace sink throws, stops the kernel
 * and is rethrown by `run`.
 * `run` simulates under the determinism guard, in slices of `maxEvents`
 * events when asked, yielding to the event loop between slices; slicing does
 * not change a single event.
 */
import { createActor, type Actor, type AnyActorLogic, type InputFrom } from 'xstate';
import { createKernel, type Kernel } from './kernel.ts';
import { createStreams, type Streams } from './rng.ts';
import { createTrace, type Trace, type TraceSink } from './trace.ts';
import { createNetwork, type Message, type Network, type NetworkConfig } from './network.ts';
import { permitClockStamp, withDeterminismGuard } from './guard.ts';

export interface World {
  readonly kernel: Kernel;
  readonly streams: Streams;
  readonly trace: Trace;
  readonly network: Network;
  /** An actor on virtual time whose errors stop the run. Started by `run`. */
  spawn<L extends AnyActorLogic>(logic: L, input: InputFrom<L>): Actor<L>;
  /** Delivers every message addressed to `address` to `handler`. */
  route(address: string, handler: (message: Message) => void): void;
  /** Starts the actors, runs `start`, then the kernel until no event is left, under the guard; rethrows the first actor error. */
  run(start: () => void, slice?: SliceOptions): Promise<void>;
  /** Stops every actor. */
  stop(): void;
}

export interface SliceOptions {
  /** Events per slice; the run yields to the event loop between slices. */
  maxEvents: number;
  /** How to yield between slices (default: a setImmediate turn). */
  yield?: () => Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createWorld(seed: number | string, network: NetworkConfig, sinks: readonly TraceSink[] = []): World {
  const kernel = createKernel();
  const streams = createStreams(seed);
  let fault: { error: unknown } | undefined;
  let simulating = false;
  const fail = (error: unknown): void => {
    fault ??= { error };
    kernel.stop();
  };
  // Inside the simulation a sink's error stops the run (below it would be caught and lost); outside, it propagates.
  const trace = createTrace(() => kernel.now, [...sinks], (error) => {
    if (!simulating) throw error;
    fail(error);
  });
  const net = createNetwork(kernel, streams.get('network'), network, trace);
  const actors: Actor<AnyActorLogic>[] = [];
  const routes = new Map<string, (message: Message) => void>();

  net.delivered$.subscribe((m) => routes.get(m.to)?.(m));

  const guarded = <T>(body: () => T): T =>
    withDeterminismGuard(() => kernel.now, () => {
      simulating = true;
      try {
        return body();
      } finally {
        simulating = false;
      }
    });

  return {
    kernel,
    streams,
    trace,
    network: net,
    spawn(logic, input) {
      const actor = createActor(logic as AnyActorLogic, { input, clock: kernel }) as Actor<typeof logic>;
      // xstate's scheduler stamps Date.now() on delayed events: let it read virtual time.
      const scheduler = actor.system.scheduler;
      const schedule = scheduler.schedule.bind(scheduler);
      scheduler.schedule = (...args) => permitClockStamp(() => schedule(...args));
      // xstate catches errors thrown in actions (a determinism violation, a
      // replay divergence, a bug): stop the kernel at the first one.
      actor.subscribe({ error: fail });
      actors.push(actor as unknown as Actor<AnyActorLogic>);
      return actor;
    },
    route(address, handler) {
      routes.set(address, handler);
    },
    async run(start, slice) {
      const maxEvents = slice?.maxEvents;
      let status = guarded(() => {
        for (const actor of actors) actor.start();
        start();
        // What failed while starting (a sink, an actor) stops the run before the kernel runs.
        return fault ? 'stopped' : kernel.run({ maxEvents });
      });
      while (status === 'paused' && fault === undefined) {
        await (slice?.yield ?? nextTurn)();
        status = guarded(() => kernel.run({ maxEvents }));
      }
      if (fault) throw fault.error;
    },
    stop() {
      for (const actor of actors) actor.stop();
    },
  };
}
