/**
 * Comparator networks that partition n values into the `low` smallest, the
 * `mid` middle and the rest, which is all a coordinate-wise median or trimmed
 * mean needs. A network has no data-dependent branches, so it runs on four
 * coordinates at once in SIMD lanes.
 *
 * Start from Batcher's odd–even merge sort (any n), then drop comparators one
 * at a time, last first, while the partition stays correct. Correctness is
 * checked exhaustively by the 0-1 principle: a comparator network partitions
 * every input iff it partitions every 0-1 input, and all 2ⁿ of those are
 * simulated at once, one input per bit (so pruning stops at n = MAX_PRUNE;
 * beyond it the full sorting network is used).
 */

export type Comparator = readonly [number, number];

/**
 * Largest n for which the coordinate-wise kernels run a comparator network
 * (the SIMD kernel keeps one local per input); beyond it both kernel paths use
 * the plain selection loops of vector.ts and subsets.ts.
 */
export const MAX_NETWORK_N = 64;

/** Throws unless 1 ≤ n ≤ MAX_NETWORK_N (callers take the plain loops beyond). */
export function checkNetworkSize(n: number, who: string): void {
  if (!(n >= 1 && n <= MAX_NETWORK_N)) throw new RangeError(`${who}: n = ${n} is outside 1..${MAX_NETWORK_N}`);
}

const MAX_PRUNE = 18;

/** Batcher's odd–even merge sort for arbitrary n (Knuth 5.3.4, exercise 12). */
export function oddEvenMergeSort(n: number): Comparator[] {
  const out: Comparator[] = [];
  for (let p = 1; p < n; p *= 2) {
    for (let k = p; k >= 1; k >>= 1) {
      for (let j = k % p; j + k < n; j += 2 * k) {
        for (let i = 0; i < Math.min(k, n - j - k); i++) {
          if (Math.floor((i + j) / (2 * p)) === Math.floor((i + j + k) / (2 * p))) out.push([i + j, i + j + k]);
        }
      }
    }
  }
  return out;
}

/** Bit-sliced 0-1 inputs: wire w of input x is bit w of x; `words` words of 32 inputs each. */
function zeroOneInputs(n: number, words: number): Int32Array[] {
  const patterns = [0xaaaaaaaa | 0, 0xcccccccc | 0, 0xf0f0f0f0 | 0, 0xff00ff00 | 0, 0xffff0000 | 0];
  return Array.from({ length: n }, (_, w) => {
    const a = new Int32Array(words);
    for (let k = 0; k < words; k++) a[k] = w < 5 ? patterns[w] : ((k * 32) >>> w) & 1 ? -1 : 0;
    return a;
  });
}

/**
 * Whether `net` leaves every value on wires [0, low) ≤ every value on
 * [low, low + mid) ≤ every value on the rest, over the given words of 0-1 inputs.
 */
function partitions(
  net: readonly Comparator[],
  inputs: Int32Array[],
  low: number,
  mid: number,
  words: ArrayLike<number>,
): boolean {
  const n = inputs.length;
  const wires = new Int32Array(n);
  for (let s = 0; s < words.length; s++) {
    const k = words[s];
    for (let w = 0; w < n; w++) wires[w] = inputs[w][k];
    for (const [a, b] of net) {
      const x = wires[a];
      const y = wires[b];
      wires[a] = x & y;
      wires[b] = x | y;
    }
    let anyLow = 0;
    let allMid = -1;
    let anyMid = 0;
    let allHigh = -1;
    for (let w = 0; w < low; w++) anyLow |= wires[w];
    for (let w = low; w < low + mid; w++) {
      allMid &= wires[w];
      anyMid |= wires[w];
    }
    for (let w = low + mid; w < n; w++) allHigh &= wires[w];
    // A 1 below a 0 is a larger value below a smaller one.
    if (anyLow & ~allMid || anyMid & ~allHigh) return false;
  }
  return true;
}

const cache = new Map<string, Comparator[]>();

/** A network leaving the `low` smallest of n values on wires [0, low) and the next `mid` on [low, low + mid). */
export function partitionNetwork(n: number, low: number, mid: number): Comparator[] {
  const key = `${n}/${low}/${mid}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let net = oddEvenMergeSort(n);
  if (n <= MAX_PRUNE) {
    const words = Math.max(1, 2 ** n / 32);
    const inputs = zeroOneInputs(n, words);
    const all = Array.from({ length: words }, (_, k) => k);
    // Most removals break the partition on a few inputs already: try a spread-out
    // sample first (an odd multiplier permutes the power-of-two range of words).
    const sample = all.slice(0, 64).map((k) => Math.imul(k, 0x9e3779b1) & (words - 1));
    for (let t = net.length - 1; t >= 0; t--) {
      const without: Comparator[] = net.slice(0, t).concat(net.slice(t + 1));
      if (partitions(without, inputs, low, mid, sample) && partitions(without, inputs, low, mid, all)) net = without;
    }
  }
  cache.set(key, net);
  return net;
}

/**
 * Whether `net` leaves, on each wire of `positions`, the value of that rank
 * (the wire a full sort would give), over the given words of 0-1 inputs:
 * `sorted` holds the full sort's bit-sliced output. By the 0-1 principle this
 * is exact for all inputs (threshold any input at its rank-p value).
 */
function ranks(
  net: readonly Comparator[],
  inputs: Int32Array[],
  sorted: Int32Array[],
  positions: readonly number[],
  words: ArrayLike<number>,
): boolean {
  const n = inputs.length;
  const wires = new Int32Array(n);
  for (let s = 0; s < words.length; s++) {
    const k = words[s];
    for (let w = 0; w < n; w++) wires[w] = inputs[w][k];
    for (const [a, b] of net) {
      const x = wires[a];
      const y = wires[b];
      wires[a] = x & y;
      wires[b] = x | y;
    }
    for (const p of positions) if (wires[p] !== sorted[p][k]) return false;
  }
  return true;
}

const rankCache = new Map<string, Comparator[]>();

/**
 * A network leaving the value of rank p on wire p for every p in `positions`
 * (the other wires hold the remaining values, in no particular order beyond
 * what that implies: values between two exact wires lie between their values).
 * Pruned from Batcher's sort as partitionNetwork is, up to n = MAX_PRUNE.
 */
export function rankNetwork(n: number, positions: readonly number[]): Comparator[] {
  const want = [...new Set(positions)].filter((p) => p >= 0 && p < n).sort((a, b) => a - b);
  const key = `${n}/${want.join(',')}`;
  const cached = rankCache.get(key);
  if (cached) return cached;
  let net = oddEvenMergeSort(n);
  if (n <= MAX_PRUNE && want.length < n) {
    const words = Math.max(1, 2 ** n / 32);
    const inputs = zeroOneInputs(n, words);
    const sorted = inputs.map((w) => w.slice());
    const wires = new Int32Array(n);
    for (let k = 0; k < words; k++) {
      for (let w = 0; w < n; w++) wires[w] = inputs[w][k];
      for (const [a, b] of net) {
        const x = wires[a];
        const y = wires[b];
        wires[a] = x & y;
        wires[b] = x | y;
      }
      for (let w = 0; w < n; w++) sorted[w][k] = wires[w];
    }
    const all = Array.from({ length: words }, (_, k) => k);
    const sample = all.slice(0, 64).map((k) => Math.imul(k, 0x9e3779b1) & (words - 1));
    for (let t = net.length - 1; t >= 0; t--) {
      const without: Comparator[] = net.slice(0, t).concat(net.slice(t + 1));
      if (ranks(without, inputs, sorted, want, sample) && ranks(without, inputs, sorted, want, all)) net = without;
    }
  }
  rankCache.set(key, net);
  return net;
}

/** Which centre a closest-values kernel uses: the median, or the mean without the trim smallest and largest. */
export type Centre = 'median' | 'trimmed';

/**
 * The rank network of the closest-values kernels (meamed, phocas): exact
 * wires 0..f and n − 1 − f..n − 1 (the window's candidate ends) and, for the
 * median, the middle ones.
 */
export function closestNetwork(n: number, f: number, centre: Centre): Comparator[] {
  const m = (n - 1) >> 1;
  const positions: number[] = [];
  for (let i = 0; i <= f; i++) positions.push(i, n - 1 - i);
  if (centre === 'median') positions.push(m, n - 1 - m);
  return rankNetwork(n, positions);
}
