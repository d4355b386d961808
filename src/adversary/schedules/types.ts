/**
 * Byzantine schedules: which workers (at most f) the adversary controls in
 * round t (rounds count from 1, workers from 0). One schedule per file,
 * registered in ./index.ts.
 */
import type { Rng } from '../../sim/rng.ts';
import type { Variant } from '../../registry.ts';
import type { Aggregator } from '../../aggregators/types.ts';

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
  /** Each worker's training-label counts (what an adaptive adversary may know of the data). */
  holdings: readonly (readonly number[])[];
}

/** What an adaptive schedule may see when it picks round t's set: round t − 1 as the adversary saw it. */
export interface ScheduleView {
  /** The honest gradients it observed in round t − 1 and from whom (empty in round 1). */
  previous: { vectors: readonly Float32Array[]; from: readonly number[] };
  /** What its own workers sent in round t − 1, and which. */
  sent: { vectors: readonly Float32Array[]; from: readonly number[] };
  /** Its private instance of the server's rule (adversary.knows: rule). */
  rule?: Aggregator;
  /** The f the server's rule tolerates. */
  tolerated: number;
}

/** Round t's Byzantine set: ≤ f distinct workers in [0, n), ascending. */
export type Schedule = (round: number, view: ScheduleView) => number[];

/** What an adaptive schedule needs to see; validation refuses a scenario that does not grant it. */
export interface ScheduleNeeds {
  /** The honest gradients of the previous round (a knowledge model that shows some). */
  honest?: boolean;
  /** The server's rule (adversary.knows: rule). */
  rule?: boolean;
}

export interface ScheduleDefinition extends Variant {
  /** Whether the schedule needs `byzantine.script`. */
  readonly scripted?: boolean;
  /**
   * The Byzantine set when it is the same in every round, known before the
   * run (static: the last f): the training set is then split among the
   * others only (src/learning/holders.ts). Absent for a moving set.
   */
  fixed?(params: Record<string, number>, n: number, f: number): number[];
  /** What it needs to see, for its options. */
  needs?(options: Record<string, string>): ScheduleNeeds;
  create(params: Record<string, number>, ctx: ScheduleContext, options?: Record<string, string>): Schedule;
}

export function defineSchedule(def: ScheduleDefinition): ScheduleDefinition {
  return def;
}
