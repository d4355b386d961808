/**
 * Scheduling strategies: how the adversary plays the network scheduler under
 * `network.ordering: adversarial` — the delay, within
 * `network.adversarialDelay` [min, max], of every message it chooses to
 * schedule (a message it leaves alone is delayed as under `random`). The
 * adversary plays the network whenever the ordering is adversarial, whether
 * or not it also controls workers (f may be 0). One strategy per file,
 * registered in ./index.ts (scenario key `adversary.scheduling`).
 */
import type { Variant } from '../../registry.ts';
import type { DelayChooser } from '../../sim/network.ts';

export interface SchedulingContext {
  n: number;
  /** Whether a worker is Byzantine in the current round (the ledger). */
  isByzantine(worker: number): boolean;
  /** Each worker's training-label counts, by class (what it may know of the data's split). */
  holdings: readonly (readonly number[])[];
}

export interface SchedulingDefinition extends Variant {
  create(params: Record<string, number>, ctx: SchedulingContext): DelayChooser;
}

export function defineScheduling(def: SchedulingDefinition): SchedulingDefinition {
  return def;
}
