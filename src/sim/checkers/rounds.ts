/**
 * What the checkers share: a worker's index from its address, and state kept
 * per round over a bounded window of recent rounds (a gradient can arrive
 * rounds late, but a run of a million rounds must not keep a million
 * records; an event older than the window is checked against nothing).
 */
import { workerIndex } from '../address.ts';

/** Rounds of state kept behind the newest round seen. */
export const WINDOW = 1024;

/** The worker of [0, n) an address names, or undefined. */
export function workerOf(address: string | undefined, n: number): number | undefined {
  if (address === undefined) return undefined;
  const w = workerIndex(address);
  return Number.isInteger(w) && w >= 0 && w < n ? w : undefined;
}

/** A value per round, made on first use; rounds more than WINDOW behind the newest are forgotten. */
export class PerRound<T> {
  private readonly values = new Map<number, T>();
  private newest = -Infinity;

  constructor(private readonly make: () => T) {}

  get(round: number): T {
    let value = this.values.get(round);
    if (value === undefined) {
      value = this.make();
      this.values.set(round, value);
      if (round > this.newest) {
        this.newest = round;
        this.values.delete(round - WINDOW);
      }
    }
    return value;
  }

  peek(round: number): T | undefined {
    return this.values.get(round);
  }
}

/** The `received` list of an `aggregate` or `aggregate-skipped` event, or why it is not a list of integers. */
export function receivedOf(data: Record<string, unknown> | undefined): number[] | string {
  const received = data?.received;
  if (!Array.isArray(received) || !received.every((w) => Number.isInteger(w))) {
    return `its data.received is not a list of worker indices (got ${JSON.stringify(received)})`;
  }
  return received as number[];
}
