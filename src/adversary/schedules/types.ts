/**
 * Byzantine schedules: which workers (at most f) the adversary controls in
 * round t (rounds count from 1, workers from 0). One schedule per file,
 * registered in ./index.ts.
 */
import type { Rng } from '../../sim/rng.ts';
import type { Variant } from '../../registry.ts';

/** A scripted range: rounds `from`..`to` (inclusive) have the Byzantine set `workers`. */
export interface ScriptRange {
  from: number;
  to: number;
  workers: readonly number[];
}

export interface ScheduleContext {
  n: number;
  f: number;
  /** The adversary's stream (schedules that draw, draw from it). */
  rng: Rng;
  /** `byzantine.script`, parsed (only `scripted` reads it). */
  script: readonly ScriptRange[];
}

/** Round t's Byzantine set: ≤ f distinct workers in [0, n), ascending. */
export type Schedule = (round: number) => number[];

export interface ScheduleDefinition extends Variant {
  /** Whether the schedule needs `byzantine.script`. */
  readonly scripted?: boolean;
  create(params: Record<string, number>, ctx: ScheduleContext): Schedule;
}

export function defineSchedule(def: ScheduleDefinition): ScheduleDefinition {
  return def;
}
