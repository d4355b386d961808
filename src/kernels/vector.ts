/**
 * Hot vector code behind plain functions. Vectors are Float32Array (storage);
 * every sum is accumulated in float64 so results do not depend on d's size
 * through rounding. Loops are blocked over coordinates so that per-block
 * scratch stays in cache for d up to 1e6, and nothing allocates per coordinate.
 *
 * The O(nd) passes (means, batches of means, norms, Gram matrix, distances to
 * a point, coordinate-wise selections) run on the kernel path (path.ts):
 * WebAssembly SIMD kernels or their bit-identical scalar twins. The plain selection loops below serve
 * both paths for n beyond the comparator networks' size.
 *
 * Non-finite values flow through arithmetic unchanged (NaN in, NaN out); the
 * coordinate-wise selections order NaN as +Infinity so trimming removes it.
 */
import { kernels, type MixGroup } from './path.ts';
import { MAX_NETWORK_N } from './networks.ts';

/** The common dimension of `vectors`; throws, naming `who`, if empty or ragged. */
export function commonDimension(vectors: readonly Float32Array[], who: string): number {
  if (vectors.length === 0) throw new Error(`${who}: no input vectors`);
  const d = vectors[0].length;
  for (let i = 1; i < vectors.length; i++) {
    if (vectors[i].length !== d) {
      throw new Error(`${who}: ragged input, vector ${i} has dimension ${vectors[i].length} but vector 0 has ${d}`);
    }
  }
  return d;
}

export function isFiniteVector(v: Float32Array): boolean {
  for (let j = 0; j < v.length; j++) {
    const x = v[j];
    // x − x is 0 for finite x and NaN for NaN and ±Infinity.
    if (x - x !== 0) return false;
  }
  return true;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

export function squaredNorm(a: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * a[j];
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(squaredNorm(a));
}

export function squaredDistance(a: Float32Array, b: Float32Array): number {
  return squaredDistanceRange(a, b, 0, a.length);
}

/**
 * Σ_{j0 ≤ j < j1} (a[j] − b[j])². Four accumulators break the dependency
 * chain on one float64 sum (about 1.5× faster in V8); the order of the
 * additions is fixed, so results stay deterministic.
 */
function squaredDistanceRange(a: Float32Array, b: Float32Array, j0: number, j1: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = j0;
  for (const end = j0 + ((j1 - j0) & ~3); j < end; j += 4) {
    const t0 = a[j] - b[j];
    const t1 = a[j + 1] - b[j + 1];
    const t2 = a[j + 2] - b[j + 2];
    const t3 = a[j + 3] - b[j + 3];
    s0 += t0 * t0;
    s1 += t1 * t1;
    s2 += t2 * t2;
    s3 += t3 * t3;
  }
  for (; j < j1; j++) {
    const t = a[j] - b[j];
    s0 += t * t;
  }
  return s0 + s1 + (s2 + s3);
}

export function distance(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(squaredDistance(a, b));
}

/** y ← y + alpha·x, in place. */
export function axpy(alpha: number, x: Float32Array, y: Float32Array): Float32Array {
  for (let j = 0; j < y.length; j++) y[j] += alpha * x[j];
  return y;
}

/** out ← alpha·x (out may be x). */
export function scale(x: Float32Array, alpha: number, out = new Float32Array(x.length)): Float32Array {
  for (let j = 0; j < x.length; j++) out[j] = alpha * x[j];
  return out;
}

export function meanOf(vectors: readonly Float32Array[], out?: Float32Array): Float32Array {
  const w = new Float64Array(vectors.length).fill(1);
  return weightedMeanOf(vectors, w, out);
}

/** ‖xᵢ − z‖² for every input (float64 sums of exact squared differences). */
export function squaredDistancesTo(z: Float32Array, vectors: readonly Float32Array[], out?: Float64Array): Float64Array {
  const result = out ?? new Float64Array(vectors.length);
  kernels().squaredDistancesTo(z, vectors, result);
  return result;
}

/**
 * Σ wᵢxᵢ / Σ wᵢ. Inputs with weight 0 are skipped entirely, so a non-finite
 * input with weight 0 does not turn the result into NaN (0·∞ = NaN).
 */
export function weightedMeanOf(
  vectors: readonly Float32Array[],
  weights: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const d = commonDimension(vectors, 'weightedMeanOf');
  const result = out ?? new Float32Array(d);
  let total = 0;
  for (let i = 0; i < vectors.length; i++) total += weights[i];
  kernels().weightedSum(vectors, weights, total, result);
  return result;
}

/**
 * Several weighted means of the inputs from one pass over them: outs[g] is
 * weightedMeanOf(groups[g].rows' vectors in that order, groups[g].weights),
 * bit for bit (a row listed twice counts twice). A group listing the same
 * rows and weights as an earlier one gets a copy of its mean (nnm's honest
 * rows often share their neighbours). When given, `finite` receives 1 for
 * each finite input and 0 for the others, from the same pass.
 */
export function weightedMeansOf(
  vectors: readonly Float32Array[],
  groups: readonly { rows: readonly number[]; weights: ArrayLike<number> }[],
  finite?: Uint8Array,
): Float32Array[] {
  const d = commonDimension(vectors, 'weightedMeansOf');
  const seen = new Map<string, number>();
  const sameAs: number[] = [];
  const mixes: MixGroup[] = [];
  groups.forEach(({ rows, weights }, g) => {
    if (rows.length === 0) throw new Error(`weightedMeansOf: group ${g} has no rows`);
    for (const i of rows) {
      if (!(Number.isInteger(i) && i >= 0 && i < vectors.length)) throw new Error(`weightedMeansOf: group ${g} lists row ${i} of ${vectors.length}`);
    }
    const w = Array.from({ length: rows.length }, (_, k) => weights[k]);
    const key = `${rows.join(',')}/${w.map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}`;
    const earlier = seen.get(key);
    sameAs.push(earlier ?? mixes.length);
    if (earlier !== undefined) return;
    seen.set(key, mixes.length);
    let total = 0;
    for (let k = 0; k < rows.length; k++) total += w[k];
    mixes.push({ rows, weights: w, total });
  });
  const outs = mixes.map(() => new Float32Array(d));
  kernels().mix(vectors, mixes, outs, finite);
  const given = new Uint8Array(outs.length);
  return sameAs.map((u) => {
    if (given[u]) return outs[u].slice();
    given[u] = 1;
    return outs[u];
  });
}

/** ‖xᵢ‖² for every input, each with squaredNorm's bits; finite iff xᵢ is (float32 squares cannot overflow the sum). */
export function squaredNorms(vectors: readonly Float32Array[], out = new Float64Array(vectors.length)): Float64Array {
  if (vectors.length) commonDimension(vectors, 'squaredNorms');
  kernels().squaredNorms(vectors, out);
  return out;
}

/** yᵢ = scale(xᵢ, factors[i]) for every input, with ‖yᵢ‖² as squaredNorms gives it, from one pass. */
export function scaleRows(vectors: readonly Float32Array[], factors: ArrayLike<number>): { scaled: Float32Array[]; squaredNorms: Float64Array } {
  const d = vectors.length ? commonDimension(vectors, 'scaleRows') : 0;
  const scaled = vectors.map(() => new Float32Array(d));
  const sq = new Float64Array(vectors.length);
  kernels().scaleRows(vectors, factors, scaled, sq);
  return { scaled, squaredNorms: sq };
}

/**
 * Below this ratio of ‖a − b‖² to ‖a‖² + ‖b‖², the Gram identity may have lost
 * more than float32 precision to cancellation, and the pair is recomputed from
 * differences. The Gram sums are float64 sums of exact products, blocked, with
 * an absolute error of order 1e-13·(‖a‖² + ‖b‖²) even at d = 1e7, so the
 * identity keeps ~7 significant digits above this ratio.
 */
const GRAM_CANCELLATION = 1e-6;

/**
 * Pairwise squared Euclidean distances as a row-major n×n Float64Array, by the
 * Gram identity ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b: one blocked pass computes
 * all n(n+1)/2 dot products. Pairs that the identity would lose to
 * cancellation (nearby vectors with large norms) and pairs with a non-finite
 * input are recomputed from differences, so results never go negative and
 * Infinity/NaN behave as ‖a − b‖² does. Each entry depends on its two vectors
 * only (not on their positions in the input).
 *
 * When given, `norms` receives ‖xᵢ‖², which is finite iff xᵢ is (float32
 * squares cannot overflow a float64 sum), so callers need no finiteness pass.
 */
export function pairwiseSquaredDistances(vectors: readonly Float32Array[], norms?: Float64Array): Float64Array {
  const n = vectors.length;
  if (n) commonDimension(vectors, 'pairwiseSquaredDistances');
  const G = kernels().gram(vectors);
  if (norms) for (let i = 0; i < n; i++) norms[i] = G[i * n + i];
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const norms = G[a * n + a] + G[b * n + b];
      const d2 = norms - 2 * G[a * n + b];
      out[a * n + b] = out[b * n + a] =
        norms < Infinity && d2 >= GRAM_CANCELLATION * norms ? d2 : squaredDistance(vectors[a], vectors[b]);
    }
  }
  return out;
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
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

/**
 * Rearranges a[lo, hi) so that a[k] holds the value it would hold if the range
 * were sorted, with no larger value before it and no smaller after it
 * (Hoare's selection, median-of-three pivot: deterministic, no rng). Values
 * must not be NaN.
 */
export function selectKth(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi - 1) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi - 1];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j + 1;
    else if (k >= i) lo = i;
    else return;
  }
  insertionSort(a, lo, hi);
}

/**
 * Applies `reduce` to every coordinate's column of n values. Columns are
 * transposed a block at a time into contiguous scratch (NaN stored as
 * +Infinity), so each reduction works on cache-resident float64 data.
 */
export function columnwise(
  vectors: readonly Float32Array[],
  who: string,
  out: Float32Array | undefined,
  reduce: (col: Float64Array, lo: number, n: number) => number,
): Float32Array {
  const d = commonDimension(vectors, who);
  const n = vectors.length;
  const result = out ?? new Float32Array(d);
  const width = Math.max(1, Math.floor(8192 / n));
  const scratch = new Float64Array(width * n);
  for (let j0 = 0; j0 < d; j0 += width) {
    const j1 = Math.min(d, j0 + width);
    for (let i = 0; i < n; i++) {
      const v = vectors[i];
      for (let j = j0; j < j1; j++) {
        const x = v[j];
        scratch[(j - j0) * n + i] = x === x ? x : Infinity;
      }
    }
    for (let j = j0; j < j1; j++) result[j] = reduce(scratch, (j - j0) * n, n);
  }
  return result;
}

/** Coordinate-wise median; the mean of the two middle values when n is even. */
export function coordinateMedian(vectors: readonly Float32Array[], out?: Float32Array): Float32Array {
  const n = vectors.length;
  const result = out ?? new Float32Array(commonDimension(vectors, 'coordinateMedian'));
  if (n >= 1 && n <= MAX_NETWORK_N) {
    kernels().columnSelect(vectors, (n - 1) >> 1, n & 1 ? 1 : 2, result);
    return result;
  }
  return columnwise(vectors, 'coordinateMedian', result, (col, lo, n) => {
    const hi = lo + n;
    const k = lo + ((n - 1) >> 1);
    selectKth(col, lo, hi, k);
    if (n & 1) return col[k];
    let next = col[k + 1];
    for (let i = k + 2; i < hi; i++) if (col[i] < next) next = col[i];
    return 0.5 * col[k] + 0.5 * next;
  });
}

/** Coordinate-wise mean of the n − 2·trim middle values (trim removed on each side). */
export function coordinateTrimmedMean(
  vectors: readonly Float32Array[],
  trim: number,
  out?: Float32Array,
): Float32Array {
  const kept = vectors.length - 2 * trim;
  if (!Number.isInteger(trim) || trim < 0 || kept < 1) {
    throw new Error(`coordinateTrimmedMean: cannot trim ${trim} on each side of ${vectors.length} values`);
  }
  const result = out ?? new Float32Array(commonDimension(vectors, 'coordinateTrimmedMean'));
  if (vectors.length <= MAX_NETWORK_N) {
    kernels().columnSelect(vectors, trim, kept, result);
    return result;
  }
  return columnwise(vectors, 'coordinateTrimmedMean', result, (col, lo, n) => {
    const first = lo + trim;
    const last = lo + n - trim - 1;
    if (trim > 0) {
      selectKth(col, lo, lo + n, first);
      if (last > first) selectKth(col, first + 1, lo + n, last);
    }
    let s = 0;
    for (let i = first; i <= last; i++) s += col[i];
    return s / kept;
  });
}

/** The median of a list of numbers (the mean of the two middle values for an even count), without changing the list. */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
