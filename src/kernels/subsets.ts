/**
 * Helpers for rules that keep a subset of their inputs: per coordinate (the k
 * values closest to a centre, as in MeaMed, Phocas and Bulyan's last phase)
 * or as whole vectors (order-independent tie-breaking, subset counts).
 *
 * As in vector.ts, columns are transposed a block at a time into float64
 * scratch with NaN stored as +Infinity, so a non-finite value sorts to an end
 * of its column and is the last to be kept.
 */
import { columnwise, commonDimension } from './vector.ts';
import { kernels } from './path.ts';
import { MAX_NETWORK_N, type Centre } from './networks.ts';

/** Lexicographic order of two vectors of equal length; NaN compares as equal to anything. */
export function lexCompare(a: Float32Array, b: Float32Array): number {
  for (let j = 0; j < a.length; j++) {
    if (a[j] < b[j]) return -1;
    if (a[j] > b[j]) return 1;
  }
  return 0;
}

/**
 * lexCompare of vectors[a] and vectors[b], each pair compared once per call
 * site: a rule that breaks ties by it inside a loop over its inputs (nnm sorts
 * n neighbour lists) would otherwise rescan identical vectors — a common case:
 * Byzantine workers sending one vector — in full each time.
 */
export function memoLexCompare(vectors: readonly Float32Array[]): (a: number, b: number) => number {
  const n = vectors.length;
  const known = new Int8Array(n * n).fill(2);
  return (a, b) => {
    let c = known[a * n + b];
    if (c === 2) {
      c = lexCompare(vectors[a], vectors[b]);
      known[a * n + b] = c;
      known[b * n + a] = -c;
    }
    return c;
  };
}

/** C(n, k) as a float (exact below 2⁵³), for messages about exhaustive searches. */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const m = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= m; i++) c = (c * (n - m + i)) / i;
  return Math.round(c);
}

/** Sorts a[lo, hi) ascending; insertion sort, since columns hold at most a few dozen values. */
function sortRange(a: Float64Array, lo: number, hi: number): void {
  if (hi - lo > 48) {
    a.subarray(lo, hi).sort();
    return;
  }
  for (let i = lo + 1; i < hi; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

/** Median of the sorted values s[lo, lo+n); the mean of the two middle values for even n. */
export function sortedMedian(s: Float64Array, lo: number, n: number): number {
  const k = lo + ((n - 1) >> 1);
  return n & 1 ? s[k] : 0.5 * s[k] + 0.5 * s[k + 1];
}

/** Mean of the sorted values s[lo, lo+n) without the `trim` smallest and `trim` largest. */
export function sortedTrimmedMean(s: Float64Array, lo: number, n: number, trim: number): number {
  let sum = 0;
  for (let i = lo + trim; i < lo + n - trim; i++) sum += s[i];
  return sum / (n - 2 * trim);
}

/**
 * Mean of the k values of the sorted range s[lo, lo+n) closest to c. The kept
 * values form a window around c, grown one value at a time from the nearer
 * side; when the last slot is contested by two values at the same distance on
 * either side, each counts for half, so the result does not favour a side
 * (and the rule stays odd: negating every input negates the output).
 */
export function sortedClosestMean(s: Float64Array, lo: number, n: number, k: number, c: number): number {
  if (c !== c) return NaN;
  const end = lo + n;
  let left = lo;
  while (left < end && s[left] < c) left++;
  let right = left;
  let sum = 0;
  let remaining = k;
  while (remaining > 0) {
    const hasLeft = left > lo;
    const hasRight = right < end;
    const dl = hasLeft ? c - s[left - 1] : Infinity;
    const dr = hasRight ? s[right] - c : Infinity;
    if (!hasRight || (hasLeft && dl < dr)) {
      sum += s[--left];
      remaining--;
    } else if (!hasLeft || dr < dl) {
      sum += s[right++];
      remaining--;
    } else if (remaining >= 2) {
      sum += s[--left] + s[right++];
      remaining -= 2;
    } else {
      sum += 0.5 * s[left - 1] + 0.5 * s[right];
      remaining = 0;
    }
  }
  return sum / k;
}

/**
 * Applies `reduce` to each coordinate's n values sorted ascending (NaN as
 * +Infinity), a block of coordinates at a time.
 */
export function sortedColumnwise(
  vectors: readonly Float32Array[],
  who: string,
  reduce: (sorted: Float64Array, lo: number, n: number) => number,
): Float32Array {
  return columnwise(vectors, who, undefined, (col, lo, n) => {
    sortRange(col, lo, lo + n);
    return reduce(col, lo, n);
  });
}

/**
 * Per coordinate, the mean of the n − f values closest to the coordinate's
 * median (`centre` 'median', MeaMed) or trimmed mean with trim f ('trimmed',
 * Phocas), NaN ordered as +Infinity and a contested last slot split in halves
 * (sortedClosestMean). Up to MAX_NETWORK_N inputs the kernel settles almost
 * every coordinate branch-free; the few it cannot (ties among several equally
 * distant values, infinite centres) are recomputed here from the sorted column.
 */
export function closestMeanColumnwise(
  vectors: readonly Float32Array[],
  f: number,
  centre: Centre,
  who: string,
): Float32Array {
  const d = commonDimension(vectors, who);
  const n = vectors.length;
  const reduce = (s: Float64Array, lo: number, m: number): number =>
    sortedClosestMean(s, lo, m, m - f, centre === 'median' ? sortedMedian(s, lo, m) : sortedTrimmedMean(s, lo, m, f));
  const out = new Float32Array(d);
  const col = new Float64Array(n);
  const fallback = (j0: number, j1: number): void => {
    for (let j = j0; j < j1; j++) {
      if (out[j] === out[j]) continue;
      for (let i = 0; i < n; i++) {
        const x = vectors[i][j];
        col[i] = x === x ? x : Infinity;
      }
      col.sort();
      out[j] = reduce(col, 0, n);
    }
  };
  if (n <= MAX_NETWORK_N && f >= 0 && f < n) {
    kernels().closestMean(vectors, f, centre, out, fallback);
    return out;
  }
  return sortedColumnwise(vectors, who, reduce);
}
