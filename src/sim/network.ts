/**
 * The network: every message between actors goes through it. Per message it
 * draws a delay, may drop it or deliver a duplicate, and schedules delivery on
 * the kernel at the time its ordering (./orderings/: fifo, random,
 * adversarial) gives. Every draw comes from the `network` stream. The network
 * knows nothing about learning: payloads are opaque vectors it only digests
 * for the trace.
 */
import { Subject, type Observable } from 'rxjs';
import type { Kernel } from './kernel.ts';
import type { Rng } from './rng.ts';
import { draw, type DelayDistribution } from './distribution.ts';
import { digestVector, type Trace } from './trace.ts';
import type { Ordering } from './orderings/types.ts';

export interface Message {
  /** Unique per run, in send order; duplicates keep the id of their original. */
  id: number;
  kind: string;
  from: string;
  to: string;
  round: number;
  payload: Float32Array;
}

export interface NetworkConfig {
  delay: DelayDistribution;
  drop: number;
  duplicate: number;
  ordering: Ordering;
}

/** Under `adversarial` ordering: a delay in [min, max] for the message, or undefined to leave it to chance. */
export type DelayChooser = (message: Message, bounds: { min: number; max: number }) => number | undefined;

export interface Network {
  send(message: Omit<Message, 'id'>): void;
  /** Every message at the moment it is sent (before drop and delay). */
  readonly sent$: Observable<Message>;
  /** Every message at the moment it is delivered. */
  readonly delivered$: Observable<Message>;
  /** Install the adversary's delay chooser; an error unless the ordering is one the adversary plays. */
  setDelayChooser(chooser: DelayChooser): void;
}

export function createNetwork(kernel: Kernel, rng: Rng, config: NetworkConfig, trace: Trace): Network {
  const sent = new Subject<Message>();
  const delivered = new Subject<Message>();
  const { ordering } = config;
  const drawDelay = (): number => draw(config.delay, rng);
  let nextId = 0;

  const schedule = (m: Message, kind: 'deliver' | 'duplicate'): void => {
    const at = ordering.deliveryTime(m, kernel.now, drawDelay);
    kernel.setTimeout(() => {
      trace.record({ kind, from: m.from, to: m.to, round: m.round, msg: m.kind, id: m.id });
      delivered.next(m);
    }, at - kernel.now);
  };

  return {
    sent$: sent.asObservable(),
    delivered$: delivered.asObservable(),
    setDelayChooser(c) {
      if (!ordering.setDelayChooser) throw new Error('network: this ordering takes no delay chooser (use ordering: adversarial)');
      ordering.setDelayChooser(c);
    },
    send(partial) {
      const m: Message = {
        id: nextId++,
        kind: partial.kind,
        from: partial.from,
        to: partial.to,
        round: partial.round,
        payload: partial.payload,
      };
      trace.record({
        kind: 'send',
        from: m.from,
        to: m.to,
        round: m.round,
        digest: digestVector(m.payload),
        msg: m.kind,
        id: m.id,
      });
      sent.next(m);
      // Fixed draw order per message (drop, then duplicate) keeps the stream aligned across policies.
      const dropped = config.drop > 0 && rng.next() < config.drop;
      const duplicated = config.duplicate > 0 && rng.next() < config.duplicate;
      if (dropped) {
        trace.record({ kind: 'drop', from: m.from, to: m.to, round: m.round, msg: m.kind, id: m.id });
        return;
      }
      schedule(m, 'deliver');
      if (duplicated) schedule(m, 'duplicate');
    },
  };
}
