/**
 * Online checkers: safety properties asserted while a run simulates
 * (TigerBeetle's VOPR), each a small state machine over the trace's events.
 * A checker sees every event the run records, in order, whatever the trace
 * file keeps, with the non-serialized payloads (θ on `update`); it never
 * changes an event, so it cannot change the trace or its hash. One checker
 * per file, listed in ./index.ts.
 */
import type { TraceEvent } from '../trace.ts';

/** What the checkers know of the run: the protocol's parameters, resolved. */
export interface CheckerSetup {
  /** Workers, honest and Byzantine. */
  n: number;
  /** Byzantine workers tolerated per round (`byzantine.f`). */
  f: number;
  /** Gradients the server waits for (`server.quorum`, resolved to a number). */
  quorum: number;
  /** Virtual ms from a round's broadcast to its timeout (`server.timeout`). */
  timeout: number;
  /** The adversary's knowledge model, resolved (`adversary.knowledge`, `adversary.k`). */
  knowledge: {
    name: string;
    params: Readonly<Record<string, number>>;
    /** Whether the model can show the adversary any honest gradient. */
    observes: boolean;
  };
}

/** One run's instance of a checker: what the event violates, in words, or undefined. */
export type Check = (event: TraceEvent) => string | undefined;

export interface CheckerDefinition {
  /** Named in violations: `online checker <name> failed at event …`. */
  readonly name: string;
  /** The property, stated exactly. */
  readonly property: string;
  create(setup: CheckerSetup): Check;
}

export function defineChecker(def: CheckerDefinition): CheckerDefinition {
  return def;
}
