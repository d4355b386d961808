/**
 * What the partitions share: cutting an order into near-equal shards, the
 * stable sort by label, label counts, and the Gamma and Dirichlet draws of the
 * label-skewed partitions.
 */
import type { Rng } from '../../sim/rng.ts';

/**
 * `order` cut into n contiguous pieces whose sizes differ by at most one, the
 * first N mod n one longer (NumPy's `array_split`); pieces may be empty.
 */
export function splitEvenly(order: Int32Array, n: number): Int32Array[] {
  const N = order.length;
  const pieces: Int32Array[] = [];
  const base = Math.floor(N / n);
  const extra = N % n;
  let start = 0;
  for (let w = 0; w < n; w++) {
    const end = start + base + (w < extra ? 1 : 0);
    pieces.push(order.slice(start, end));
    start = end;
  }
  return pieces;
}

/** `order` cut into n contiguous shards whose sizes differ by at most one (the first N mod n get the extra example). */
export function cutIntoShards(order: Int32Array, n: number): Int32Array[] {
  checkWorkers(n);
  if (order.length < n) throw new RangeError(`partition: ${order.length} examples cannot fill ${n} worker shards`);
  return splitEvenly(order, n);
}

export function checkWorkers(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`partition: workers must be a positive integer (got ${n})`);
}

/** The smallest of cutIntoShards' shards: ⌊N/n⌋ examples. */
export function smallestCut(examples: number, workers: number): number {
  return Math.floor(examples / workers);
}

/** Checks that every label is a non-negative integer; returns the largest (−1 for no labels). */
function maxLabel(labels: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new RangeError(`partition: label ${y} at index ${i} is not a non-negative integer`);
    if (y > max) max = y;
  }
  return max;
}

/** Examples per label: `counts[y]` for y in [0, max label]. */
export function labelCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array<number>(maxLabel(labels) + 1).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Counting sort of the indices by label: stable, O(N + labels). */
export function sortByLabel(labels: ArrayLike<number>): Int32Array {
  const next = new Int32Array(maxLabel(labels) + 2);
  for (let i = 0; i < labels.length; i++) next[labels[i] + 1]++;
  for (let c = 1; c < next.length; c++) next[c] += next[c - 1];
  const order = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) order[next[labels[i]]++] = i;
  return order;
}

/** The indices of each label present, in increasing index order, labels ascending (absent labels are skipped). */
export function indicesByLabel(labels: ArrayLike<number>): { label: number; indices: Int32Array }[] {
  const counts = labelCounts(labels);
  const order = sortByLabel(labels);
  const out: { label: number; indices: Int32Array }[] = [];
  let start = 0;
  for (let y = 0; y < counts.length; y++) {
    if (counts[y] === 0) continue;
    out.push({ label: y, indices: order.slice(start, start + counts[y]) });
    start += counts[y];
  }
  return out;
}

/** The shards concatenated in order, each as one Int32Array. */
export function concat(parts: readonly Int32Array[]): Int32Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Int32Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * log of a Gamma(a, 1) draw, by Marsaglia and Tsang (ACM TOMS 26(3), 2000):
 * for a ≥ 1, d = a − 1/3, c = 1/√(9d), x ~ N(0, 1), v = (1 + cx)³, accept
 * d·v when log u < x²/2 + d − dv + d·log v (with the squeeze
 * u < 1 − 0.0331x⁴ first); for a < 1, the boost Gamma(a) = Gamma(a + 1)·U^{1/a}.
 * Returned as a logarithm because U^{1/a} underflows for small a (a = 0.01
 * and U < 0.0009 already give 0 in double precision).
 */
export function logGamma(rng: Rng, a: number): number {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`gamma draw: shape must be a finite number > 0 (got ${a})`);
  if (a < 1) {
    let u = rng.next();
    while (u <= 0) u = rng.next();
    return logGamma(rng, a + 1) + Math.log(u) / a;
  }
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return Math.log(d * v);
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

/** A draw of Dir(α·1_n): n Gamma(α) draws normalised, computed from their logarithms so that no draw underflows to an all-zero vector. */
export function drawDirichlet(rng: Rng, alpha: number, n: number): Float64Array {
  const logs = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    logs[i] = logGamma(rng, alpha);
    if (logs[i] > max) max = logs[i];
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    logs[i] = Math.exp(logs[i] - max);
    sum += logs[i];
  }
  for (let i = 0; i < n; i++) logs[i] /= sum;
  return logs;
}
