/**
 * Network orderings: when a message sent now is delivered, given a delay
 * drawn from the network's distribution. One ordering per file, registered in
 * ./index.ts. Orderings know messages only as addressed envelopes.
 */
import type { Variant } from '../../registry.ts';
import type { DelayChooser, Message } from '../network.ts';

export interface Ordering {
  /** The virtual time at which `m`, sent at `now`, is delivered; `drawDelay` draws from the network stream. */
  deliveryTime(m: Message, now: number, drawDelay: () => number): number;
  /** An ordering the adversary may play: install its delay chooser. */
  setDelayChooser?(chooser: DelayChooser): void;
}

export interface OrderingContext {
  /** Bounds of the delays an adversarial scheduler may choose (`network.adversarialDelay`). */
  adversarialDelay: { min: number; max: number };
}

export interface OrderingDefinition extends Variant {
  /** Whether the adversary schedules messages under this ordering. */
  readonly adversarial?: boolean;
  create(params: Record<string, number>, ctx: OrderingContext): Ordering;
}

export function defineOrdering(def: OrderingDefinition): OrderingDefinition {
  return def;
}
