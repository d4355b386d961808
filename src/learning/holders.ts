/**
 * Who holds which data. The training set is split into shards among the
 * workers that hold data; each worker draws its minibatches from what it
 * holds: its shard, nothing, or (an adversary given the whole set) every
 * training example.
 *
 * The papers and ByzFL split the data among the honest workers only; with a
 * Byzantine set that never changes (byzsim's `static` schedule: the last f
 * workers) byzsim does too, and the Byzantine workers hold nothing, shards
 * of their own (the data split among all n) or the whole set. With a moving
 * set every worker may be honest in some round, so every worker holds a
 * shard (split among all n) and keeps it when it changes sides; under
 * `all` it draws from the whole set in the rounds it is Byzantine.
 */

export type ByzantineData = 'none' | 'shards' | 'all';

/** What worker i holds: a shard's index, nothing, or the whole training set. */
export type Holding = { shard: number } | 'none' | 'all';

export interface HoldingPlan {
  /** How many shards the partition cuts. */
  shards: number;
  /** Per worker, what it holds when honest (a fixed Byzantine worker: when it computes for the adversary). */
  holding: Holding[];
  /** Per worker, what it draws from in a round it is Byzantine (a moving set under `all`: the whole set). */
  byzantineHolding: Holding[];
}

/**
 * `fixed`: the Byzantine workers when the set is the same in every round
 * (known before the run), else undefined (a moving set).
 */
export function planHoldings(n: number, fixed: readonly number[] | undefined, data: ByzantineData): HoldingPlan {
  const byzantine = new Set(fixed ?? []);
  if (fixed === undefined || data === 'shards' || byzantine.size === 0) {
    const holding: Holding[] = Array.from({ length: n }, (_, i) => ({ shard: i }));
    const byzantineHolding: Holding[] = holding.map((h, i) => (data === 'all' && (fixed === undefined || byzantine.has(i)) ? 'all' : h));
    return { shards: n, holding, byzantineHolding };
  }
  const holding: Holding[] = [];
  let next = 0;
  for (let i = 0; i < n; i++) holding.push(byzantine.has(i) ? data : { shard: next++ });
  return { shards: next, holding, byzantineHolding: holding.slice() };
}
