/**
 * The online checkers, and the monitor that runs them as one trace sink.
 *
 * The monitor stands in front of a run's other sinks: each event goes to them
 * first (so a trace file holds the violating event, as its last line), then
 * to every checker. At the first violation it throws a CheckerViolation
 * (the world stops the run and rethrows it, src/sim/world.ts), and passes no
 * further event on: the step the simulation was in may record a few more
 * before it stops.
 */
import type { TraceSink } from '../trace.ts';
import type { CheckerDefinition, CheckerSetup } from './types.ts';
import { CheckerViolation } from './violation.ts';
import { byzantineBound } from './byzantine-bound.ts';
import { oneGradient } from './one-gradient.ts';
import { quorum } from './quorum.ts';
import { knowledge } from './knowledge.ts';
import { finiteTheta } from './finite-theta.ts';

export type * from './types.ts';
export { defineChecker } from './types.ts';
export { CheckerViolation } from './violation.ts';

export const checkers: readonly CheckerDefinition[] = [byzantineBound, oneGradient, quorum, knowledge, finiteTheta];

export interface MonitorOptions {
  /** The run's other sinks (trace file, replay comparator), fed before the checks. */
  sinks?: readonly TraceSink[];
  /** The checkers to run (default: all of them). */
  checkers?: readonly CheckerDefinition[];
}

export interface Monitor {
  readonly sink: TraceSink;
  /** The first violation, once there is one. */
  readonly violation: CheckerViolation | undefined;
}

export function createMonitor(setup: CheckerSetup, options: MonitorOptions = {}): Monitor {
  const sinks = options.sinks ?? [];
  const defs = options.checkers ?? checkers;
  const checks = defs.map((def) => def.create(setup));
  let violation: CheckerViolation | undefined;
  return {
    get violation() {
      return violation;
    },
    sink(line, event) {
      if (violation) return;
      for (const sink of sinks) sink(line, event);
      for (let i = 0; i < checks.length; i++) {
        const what = checks[i](event);
        if (what !== undefined) {
          violation = new CheckerViolation(defs[i].name, event.seq, what, line);
          throw violation;
        }
      }
    },
  };
}
