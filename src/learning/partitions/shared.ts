/** What the partitions share: cutting an order into n near-equal shards, and the stable sort by label. */

/** `order` cut into n contiguous shards whose sizes differ by at most one (the first N mod n get the extra example). */
export function cutIntoShards(order: Int32Array, n: number): Int32Array[] {
  const N = order.length;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`partition: workers must be a positive integer (got ${n})`);
  if (N < n) throw new RangeError(`partition: ${N} examples cannot fill ${n} worker shards`);
  const shards: Int32Array[] = [];
  const base = Math.floor(N / n);
  const extra = N % n;
  let start = 0;
  for (let w = 0; w < n; w++) {
    const end = start + base + (w < extra ? 1 : 0);
    shards.push(order.slice(start, end));
    start = end;
  }
  return shards;
}

/** The smallest of cutIntoShards' shards: ⌊N/n⌋ examples. */
export function smallestCut(examples: number, workers: number): number {
  return Math.floor(examples / workers);
}

/** Counting sort of the indices by label: stable, O(N + labels). */
export function sortByLabel(labels: ArrayLike<number>): Int32Array {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new RangeError(`partition: label ${y} at index ${i} is not a non-negative integer`);
    if (y > max) max = y;
  }
  const next = new Int32Array(max + 2);
  for (let i = 0; i < labels.length; i++) next[labels[i] + 1]++;
  for (let c = 1; c < next.length; c++) next[c] += next[c - 1];
  const order = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) order[next[labels[i]]++] = i;
  return order;
}
