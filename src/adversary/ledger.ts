/**
 * The Byzantine ledger: the one record of which workers the adversary
 * controls in each round. The adversary's effects write it when a round
 * begins (from its schedule); the workers' effects read it to hand a round
 * over; the knowledge view reads it to tell honest gradients from its own.
 * The server never reads it: it does not know who is Byzantine.
 */
export interface ByzantineLedger {
  /** Records round `round`'s Byzantine set (ascending, ≤ f workers); the latest assigned round becomes current. */
  assign(round: number, workers: readonly number[]): void;
  /** The set of round `round` (empty if none was assigned). */
  at(round: number): readonly number[];
  /** Whether `worker` is Byzantine in `round`. */
  controls(worker: number, round: number): boolean;
  /** Whether `worker` is Byzantine in the current round. */
  isByzantine(worker: number): boolean;
  /** The current round's honest workers, ascending. */
  honest(): number[];
}

const NONE: readonly number[] = [];

export function createLedger(n: number, f: number): ByzantineLedger {
  const sets = new Map<number, readonly number[]>();
  let current = new Set<number>();
  return {
    assign(round, workers) {
      if (workers.length > f) throw new RangeError(`ledger: round ${round} assigns ${workers.length} Byzantine workers, more than f=${f}`);
      const set = workers.slice();
      sets.set(round, set);
      current = new Set(set);
    },
    at: (round) => sets.get(round) ?? NONE,
    controls: (worker, round) => sets.get(round)?.includes(worker) ?? false,
    isByzantine: (worker) => current.has(worker),
    honest: () => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) if (!current.has(i)) out.push(i);
      return out;
    },
  };
}
