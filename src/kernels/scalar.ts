/**
 * Scalar twins of the WebAssembly SIMD kernels in simd.ts: each performs the
 * kernel's IEEE-754 operations in the kernel's order, lane by lane, so that
 * both kernel paths give the same bits for every input (±0, ±Infinity, NaN
 * positions, subnormals, ties) and a trace hash does not depend on whether the
 * runtime has WebAssembly SIMD. test/kernels/twins.test.ts checks that.
 *
 * The emulation is exact because everything involved is IEEE binary64 or
 * binary32 with round-to-nearest-even on both sides, and the kernels use no
 * fused multiply-add:
 * - an f32 → f64 promotion is the read of a Float32Array element, and an
 *   f64 → f32 demotion is the store into one;
 * - an f64x2 accumulator is two numbers, one per lane, updated in the
 *   kernel's order (`s = s + (a + b)` where the kernel adds a partial sum);
 * - a compare-exchange of pmin/pmax (pmin(a, b) = b < a ? b : a,
 *   pmax(a, b) = a < b ? b : a) moves the two values only when the second
 *   wire is strictly smaller, so ±0 and ties stay on the wires they had;
 * - the zero padding of a block's last group of four lanes contributes +0
 *   (or turns a −0 partial sum into +0) to accumulators that start at +0 and
 *   so are never −0, which cannot change them: whole groups of padding are
 *   skipped, and a group cut by the padding is completed with zeros as the
 *   kernels do.
 *
 * Loops are blocked differently from the kernels wherever the blocking does
 * not change an operation (columns are independent); where it does — the
 * Gram tiles' WIDE-column chunks, the distances' BLOCK-column partial sums,
 * the closest-values kernel's per-block fallback — the twins use the
 * kernels' constants.
 */
import { BLOCK, WIDE, type MixGroup } from './simd.ts';
import { checkNetworkSize, closestNetwork, partitionNetwork, type Centre, type Comparator } from './networks.ts';

/** Columns per pass of the twins whose blocking does not affect results. */
const COLUMNS = 4096;

/**
 * Twin of `sum` / `wsum` (simdWeightedSum): per coordinate, the rows of
 * non-zero weight added in order to a float64 0 (products wᵣ·xᵣ, or xᵣ alone
 * when every weight is 1), one division by total, rounding to float32.
 */
export function scalarWeightedSum(
  vectors: readonly Float32Array[],
  weights: ArrayLike<number>,
  total: number,
  out: Float32Array,
): void {
  const rows: Float32Array[] = [];
  const w: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    if (weights[i] === 0) continue;
    rows.push(vectors[i]);
    w.push(weights[i]);
  }
  const d = out.length;
  if (rows.length === 0) {
    out.fill(0 / total);
    return;
  }
  // The unit kernel adds the promoted values without multiplying by 1.
  const unit = w.every((x) => x === 1);
  const acc = new Float64Array(Math.min(COLUMNS, d));
  for (let j0 = 0; j0 < d; j0 += COLUMNS) {
    const end = Math.min(d, j0 + COLUMNS);
    acc.fill(0);
    // Four rows per pass over the block (fewer loads and stores of acc), each
    // still added in row order: ((acc + a) + b) + …
    let r = 0;
    for (; r + 4 <= rows.length; r += 4) {
      const [a, b, e, g] = rows.slice(r, r + 4);
      const [wa, wb, we, wg] = w.slice(r, r + 4);
      if (unit) for (let j = j0; j < end; j++) acc[j - j0] = acc[j - j0] + a[j] + b[j] + e[j] + g[j];
      else for (let j = j0; j < end; j++) acc[j - j0] = acc[j - j0] + a[j] * wa + b[j] * wb + e[j] * we + g[j] * wg;
    }
    for (; r < rows.length; r++) {
      const x = rows[r];
      const wr = w[r];
      if (unit) for (let j = j0; j < end; j++) acc[j - j0] += x[j];
      else for (let j = j0; j < end; j++) acc[j - j0] += x[j] * wr;
    }
    for (let j = j0; j < end; j++) out[j] = acc[j - j0] / total;
  }
}

/**
 * Twin of simdMix: each group's weighted sum as scalarWeightedSum takes it
 * (the inputs are read in place, so there is no staging to share), and
 * finite[i] = 1 iff xᵢ is finite.
 */
export function scalarMix(vectors: readonly Float32Array[], groups: readonly MixGroup[], outs: readonly Float32Array[], finite?: Uint8Array): void {
  groups.forEach(({ rows, weights, total }, g) => scalarWeightedSum(rows.map((i) => vectors[i]), weights, total, outs[g]));
  if (!finite) return;
  for (let i = 0; i < vectors.length; i++) {
    const x = vectors[i];
    let ok = 1;
    for (let j = 0; j < x.length; j++) {
      // x − x is 0 for finite x and NaN for NaN and ±Infinity.
      if (x[j] - x[j] !== 0) {
        ok = 0;
        break;
      }
    }
    finite[i] = ok;
  }
}

/**
 * Twin of `norms` (simdSquaredNorms): per row, the squares added in column
 * order to a float64 0. Four rows per pass keep four chains in flight; each
 * row's own chain is squaredNorm's.
 */
export function scalarSquaredNorms(vectors: readonly Float32Array[], out: Float64Array): void {
  const n = vectors.length;
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const [a, b, e, g] = vectors.slice(r, r + 4);
    let sa = 0;
    let sb = 0;
    let se = 0;
    let sg = 0;
    for (let j = 0; j < a.length; j++) {
      const xa = a[j];
      const xb = b[j];
      const xe = e[j];
      const xg = g[j];
      sa += xa * xa;
      sb += xb * xb;
      se += xe * xe;
      sg += xg * xg;
    }
    out[r] = sa;
    out[r + 1] = sb;
    out[r + 2] = se;
    out[r + 3] = sg;
  }
  for (; r < n; r++) {
    const x = vectors[r];
    let s = 0;
    for (let j = 0; j < x.length; j++) s += x[j] * x[j];
    out[r] = s;
  }
}

/** Twin of `scale` then `norms` (simdScaleRows): outs[i][j] = float32(factors[i]·xᵢ[j]), sq[i] its squares added in order. */
export function scalarScaleRows(vectors: readonly Float32Array[], factors: ArrayLike<number>, outs: readonly Float32Array[], sq: Float64Array): void {
  for (let r = 0; r < vectors.length; r++) {
    const x = vectors[r];
    const y = outs[r];
    const f = factors[r];
    let s = 0;
    for (let j = 0; j < x.length; j++) {
      const t = Math.fround(f * x[j]);
      y[j] = t;
      s += t * t;
    }
    sq[r] = s;
  }
}

/**
 * One dot-tile accumulator over a chunk's columns [c0, end) (the chunk's
 * padding beyond them is zero): per group of four columns, lane 0 adds
 * x₀y₀ + x₂y₂ and lane 1 adds x₁y₁ + x₃y₃, and the chunk contributes
 * lane 0 + lane 1.
 */
function tileDot(x: Float32Array, y: Float32Array, c0: number, end: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = c0;
  for (const whole = c0 + ((end - c0) & ~3); j < whole; j += 4) {
    s0 += x[j] * y[j] + x[j + 2] * y[j + 2];
    s1 += x[j + 1] * y[j + 1] + x[j + 3] * y[j + 3];
  }
  if (j < end) {
    const p = (i: number): number => (j + i < end ? x[j + i] * y[j + i] : 0);
    s0 += p(0) + p(2);
    s1 += p(1) + p(3);
  }
  return s0 + s1;
}

/** tileDot of x with y and with z in one pass (x loaded once), added to G[iy] and G[iz]. */
function tileDots(x: Float32Array, y: Float32Array, z: Float32Array, c0: number, end: number, G: Float64Array, iy: number, iz: number): void {
  let s0 = 0;
  let s1 = 0;
  let t0 = 0;
  let t1 = 0;
  let j = c0;
  for (const whole = c0 + ((end - c0) & ~3); j < whole; j += 4) {
    const x0 = x[j];
    const x1 = x[j + 1];
    const x2 = x[j + 2];
    const x3 = x[j + 3];
    s0 += x0 * y[j] + x2 * y[j + 2];
    s1 += x1 * y[j + 1] + x3 * y[j + 3];
    t0 += x0 * z[j] + x2 * z[j + 2];
    t1 += x1 * z[j + 1] + x3 * z[j + 3];
  }
  if (j < end) {
    const p = (v: Float32Array, i: number): number => (j + i < end ? x[j + i] * v[j + i] : 0);
    s0 += p(y, 0) + p(y, 2);
    s1 += p(y, 1) + p(y, 3);
    t0 += p(z, 0) + p(z, 2);
    t1 += p(z, 1) + p(z, 3);
  }
  G[iy] += s0 + s1;
  G[iz] += t0 + t1;
}

/**
 * Twin of the Gram tiles (simdGram): for each pair i ≤ j, per chunk of WIDE
 * columns of each BLOCK (the last one padded to 16 columns), the tile's two
 * lane sums of pair-summed exact products, added lane 0 + lane 1 to the
 * running float64 total. Every pair is computed alike whichever tile holds it.
 */
export function scalarGram(vectors: readonly Float32Array[]): Float64Array {
  const n = vectors.length;
  const d = n ? vectors[0].length : 0;
  const G = new Float64Array(n * n);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const padded = (len + 15) & ~15;
    for (let k = 0; k < padded; k += WIDE) {
      const c0 = j0 + k;
      const end = j0 + Math.min(len, k + WIDE);
      for (let a = 0; a < n; a++) {
        const x = vectors[a];
        let b = a;
        for (; b + 1 < n; b += 2) tileDots(x, vectors[b], vectors[b + 1], c0, end, G, a * n + b, a * n + b + 1);
        if (b < n) G[a * n + b] += tileDot(x, vectors[b], c0, end);
      }
    }
  }
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) G[b * n + a] = G[a * n + b];
  return G;
}

/**
 * One row's contribution over the columns [j0, end) of a block: lanes lo₀,
 * lo₁, hi₀, hi₁ take columns 4g, 4g + 1, 4g + 2, 4g + 3 of each group, and
 * the block adds (lo₀ + hi₀) + (lo₁ + hi₁).
 */
function blockSquaredDistance(x: Float32Array, z: Float32Array | Float64Array, j0: number, end: number): number {
  let lo0 = 0;
  let lo1 = 0;
  let hi0 = 0;
  let hi1 = 0;
  let j = j0;
  for (const whole = j0 + ((end - j0) & ~3); j < whole; j += 4) {
    const t0 = x[j] - z[j];
    const t1 = x[j + 1] - z[j + 1];
    const t2 = x[j + 2] - z[j + 2];
    const t3 = x[j + 3] - z[j + 3];
    lo0 += t0 * t0;
    lo1 += t1 * t1;
    hi0 += t2 * t2;
    hi1 += t3 * t3;
  }
  // A group cut by the padding, whose missing lanes would add (0 − 0)² = +0.
  if (j < end) {
    const t0 = x[j] - z[j];
    lo0 += t0 * t0;
    if (j + 1 < end) {
      const t1 = x[j + 1] - z[j + 1];
      lo1 += t1 * t1;
    }
    if (j + 2 < end) {
      const t2 = x[j + 2] - z[j + 2];
      hi0 += t2 * t2;
    }
  }
  return lo0 + hi0 + (lo1 + hi1);
}

/** Twin of `sqdist` (simdSquaredDistancesTo): ‖xᵢ − z‖² as per-BLOCK lane sums of squared float64 differences. */
export function scalarSquaredDistancesTo(z: Float32Array, vectors: readonly Float32Array[], out: Float64Array): void {
  distancesByBlock(z, vectors, out);
}

/** Twin of `sqdist64` (simdSquaredDistancesTo64): the same sums for a float64 point v. */
export function scalarSquaredDistancesTo64(v: Float64Array, vectors: readonly Float32Array[], out: Float64Array): void {
  distancesByBlock(v, vectors, out);
}

function distancesByBlock(z: Float32Array | Float64Array, vectors: readonly Float32Array[], out: Float64Array): void {
  const n = vectors.length;
  const d = z.length;
  out.fill(0, 0, n);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const end = Math.min(d, j0 + BLOCK);
    for (let r = 0; r < n; r++) out[r] += blockSquaredDistance(vectors[r], z, j0, end);
  }
}

/** Columns per transposed pass of the network twins; wire i of column c at scratch[i·WIRES + c]. */
const WIRES = 256;

/** Copies columns [j0, j0 + width) of every row to scratch, wire-major, NaN as +Infinity (the kernels' bitselect). */
function loadWires(vectors: readonly Float32Array[], j0: number, width: number, s: Float32Array): void {
  for (let i = 0; i < vectors.length; i++) {
    const at = i * WIRES;
    s.set(vectors[i].subarray(j0, j0 + width), at);
    for (let c = at; c < at + width; c++) if (s[c] !== s[c]) s[c] = Infinity;
  }
}

/**
 * The kernels' compare-exchange, t = pmin(v[a], v[b]); v[b] = pmax(v[b], v[a]);
 * v[a] = t, on each column: the two wires swap iff v[b] < v[a]. Done on the
 * float32 bits without a branch (a data-dependent branch mispredicts half the
 * time; this is twice as fast): for non-NaN float32 values, y < x iff
 * key(y) < key(x) with key = ±magnitude bits by the sign (both zeros 0), and
 * the swap moves the bits unchanged, so ±0 and ties stay where pmin/pmax
 * leave them.
 */
function runNetwork(net: readonly Comparator[], bits: Int32Array, width: number): void {
  for (const [a, b] of net) {
    const pa = a * WIRES;
    const pb = b * WIRES;
    for (let c = 0; c < width; c++) {
      const x = bits[pa + c];
      const y = bits[pb + c];
      const sx = x >> 31;
      const sy = y >> 31;
      const kx = ((x & 0x7fffffff) ^ sx) - sx;
      const ky = ((y & 0x7fffffff) ^ sy) - sy;
      const t = (x ^ y) & -Number(ky < kx);
      bits[pa + c] = x ^ t;
      bits[pb + c] = y ^ t;
    }
  }
}

/**
 * Twin of the selection kernel (simdColumnSelect): the partition network,
 * then wire `low` alone, or wires low … low + mid − 1 added in order to
 * wire low's value and divided by mid. For 1 ≤ n ≤ MAX_NETWORK_N.
 */
export function scalarColumnSelect(vectors: readonly Float32Array[], low: number, mid: number, out: Float32Array): void {
  const n = vectors.length;
  checkNetworkSize(n, 'scalarColumnSelect');
  const net = partitionNetwork(n, low, mid);
  const d = out.length;
  const s = new Float32Array(n * WIRES);
  const bits = new Int32Array(s.buffer);
  const acc = new Float64Array(WIRES);
  for (let j0 = 0; j0 < d; j0 += WIRES) {
    const width = Math.min(WIRES, d - j0);
    loadWires(vectors, j0, width, s);
    runNetwork(net, bits, width);
    if (mid === 1) {
      out.set(s.subarray(low * WIRES, low * WIRES + width), j0);
      continue;
    }
    for (let c = 0; c < width; c++) acc[c] = s[low * WIRES + c];
    for (let k = low + 1; k < low + mid; k++) for (let c = 0; c < width; c++) acc[c] += s[k * WIRES + c];
    for (let c = 0; c < width; c++) out[j0 + c] = acc[c] / mid;
  }
}

/**
 * Twin of the closest-values kernel (simdClosestMean, meamed and phocas): the
 * rank network, the centre (median of wires m, m + 1 as 0.5·a + 0.5·b, or the
 * trimmed sum from 0 divided by n − 2f), the distances dl = c − v[i] and
 * dr = v[k − 1 + i] − c, the per-slot select, the lane flag, and the window
 * summed in the kernel's symmetric pairs (core pairs, core middle, selected
 * pairs, selected middle) from 0, divided by k. A flagged lane is NaN, and a
 * BLOCK with one is passed to `fallback` as the kernel's caller does.
 * For 1 ≤ n ≤ MAX_NETWORK_N and 0 ≤ f < n.
 */
export function scalarClosestMean(
  vectors: readonly Float32Array[],
  f: number,
  centre: Centre,
  out: Float32Array,
  fallback: (j0: number, j1: number) => void,
): void {
  const n = vectors.length;
  checkNetworkSize(n, 'scalarClosestMean');
  if (!(f >= 0 && f < n)) throw new RangeError(`scalarClosestMean: f = ${f} outside 0..${n - 1}`);
  const k = n - f;
  const m = (n - 1) >> 1;
  const net = closestNetwork(n, f, centre);
  const d = out.length;
  const s = new Float32Array(n * WIRES);
  const bits = new Int32Array(s.buffer);
  const dl = new Float64Array(f + 1);
  const dr = new Float64Array(f + 1);
  const val = new Float64Array(f);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    let flagged = false;
    for (let c0 = j0; c0 < j0 + len; c0 += WIRES) {
      const width = Math.min(WIRES, j0 + len - c0);
      loadWires(vectors, c0, width, s);
      runNetwork(net, bits, width);
      for (let c = 0; c < width; c++) {
        let cv: number;
        if (centre === 'median') {
          cv = n & 1 ? s[m * WIRES + c] : s[m * WIRES + c] * 0.5 + s[(m + 1) * WIRES + c] * 0.5;
        } else {
          let t = 0;
          for (let i = f; i < k; i++) t += s[i * WIRES + c];
          cv = t / (n - 2 * f);
        }
        const z = cv - cv;
        let flag = z !== z;
        for (let i = 0; i <= f; i++) {
          dl[i] = cv - s[i * WIRES + c];
          dr[i] = s[(k - 1 + i) * WIRES + c] - cv;
        }
        for (let i = 0; i < f; i++) {
          const lo = s[i * WIRES + c];
          const hi = s[(k + i) * WIRES + c];
          const l = dl[i];
          const r = dr[i + 1];
          val[i] = r < l ? hi : r === l ? lo * 0.5 + hi * 0.5 : lo;
          // A tie at a positive distance that is not the plain contested slot.
          if (r === l && l > 0 && !(dl[i + 1] < l && dr[i] < l && l < Infinity)) flag = true;
        }
        let acc = 0;
        for (let i = 0; f + i < k - 1 - i; i++) acc += s[(f + i) * WIRES + c] + s[(k - 1 - i) * WIRES + c];
        if ((k - f) & 1) acc += s[((f + k - 1) >> 1) * WIRES + c];
        for (let i = 0; i < f - 1 - i; i++) acc += val[i] + val[f - 1 - i];
        if (f & 1) acc += val[(f - 1) >> 1];
        out[c0 + c] = flag ? NaN : acc / k;
        if (flag) flagged = true;
      }
    }
    if (flagged) fallback(j0, j0 + len);
  }
}

/** Twin of `vote` (simdSignVote): per coordinate #{x > 0} − #{x < 0}, its sign as float32 (+0 on a tie); returns the ties. */
export function scalarSignVote(vectors: readonly Float32Array[], out: Float32Array): number {
  const d = out.length;
  const votes = new Int32Array(Math.min(COLUMNS, d));
  let ties = 0;
  for (let j0 = 0; j0 < d; j0 += COLUMNS) {
    const len = Math.min(COLUMNS, d - j0);
    votes.fill(0);
    for (const x of vectors) {
      // Branch-free: signs of random data would mispredict half the time.
      for (let c = 0; c < len; c++) {
        const t = x[j0 + c];
        votes[c] += Number(t > 0) - Number(t < 0);
      }
    }
    for (let c = 0; c < len; c++) {
      const v = votes[c];
      out[j0 + c] = v > 0 ? 1 : v < 0 ? -1 : 0;
      if (v === 0) ties++;
    }
  }
  return ties;
}

/** Twin of `clip` (simdClipStep): per coordinate, step = Σᵣ sᵣ·(xᵣ − v) from 0 in row order, then v ← v + step / n. */
export function scalarClipStep(vectors: readonly Float32Array[], scales: ArrayLike<number>, n: number, v: Float64Array): void {
  const d = v.length;
  const step = new Float64Array(Math.min(COLUMNS, d));
  for (let j0 = 0; j0 < d; j0 += COLUMNS) {
    const end = Math.min(d, j0 + COLUMNS);
    step.fill(0);
    // Four rows per pass, as in scalarWeightedSum.
    let r = 0;
    for (; r + 4 <= vectors.length; r += 4) {
      const [a, b, e, g] = vectors.slice(r, r + 4);
      const sa = scales[r];
      const sb = scales[r + 1];
      const se = scales[r + 2];
      const sg = scales[r + 3];
      for (let j = j0; j < end; j++) {
        const vj = v[j];
        step[j - j0] = step[j - j0] + sa * (a[j] - vj) + sb * (b[j] - vj) + se * (e[j] - vj) + sg * (g[j] - vj);
      }
    }
    for (; r < vectors.length; r++) {
      const x = vectors[r];
      const sr = scales[r];
      for (let j = j0; j < end; j++) step[j - j0] += sr * (x[j] - v[j]);
    }
    for (let j = j0; j < end; j++) v[j] += step[j - j0] / n;
  }
}
