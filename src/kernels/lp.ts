/**
 * ℓp distances for the generalized rules of MixTailor's pool (krum(p),
 * geomed(p), bulyan(p)), p ≥ 1, p ≠ 2 in practice.
 *
 *   ‖u‖ₚ = top · (Σₖ (|uₖ|/top)ᵖ)^{1/p},   top = maxₖ |uₖ|,
 *
 * scaled by the largest |uₖ| so that |·|ᵖ can neither overflow nor underflow
 * for p up to 16 and beyond. Every function here computes, bit for bit, what
 * the rules' scalar loops over `powerFunction(p)` computed before (the same
 * operations in the same order: each sum runs over k = 0, …, d − 1 with one
 * accumulator, xᵖ by the same chain of multiplications), and is several
 * times faster:
 * - the power is `pow`, one monomorphic function that the JIT inlines into
 *   each loop, where a closure per exponent made every call site megamorphic
 *   across the 16 exponents of the pool;
 * - pairwise distances are blocked over the coordinates, so a block of every
 *   input stays in cache for all n²/2 pairs, and a row is paired with two
 *   others at once (two independent sums, each still in coordinate order).
 */

/**
 * xᵖ for x ≥ 0, bit for bit the `powerFunction(p)(x)` the rules used before (test/kernels/power-reference.ts): integer
 * |p| ≤ 64 by repeated multiplication (1/x^|p| for p < 0), otherwise Math.pow.
 * The loops below inline the same products for 1 ≤ p ≤ 31 (see `fastExponent`).
 */
export function pow(x: number, p: number): number {
  if (!Number.isInteger(p) || Math.abs(p) > 64) return Math.pow(x, p);
  if (p < 0) return 1 / pow(x, -p);
  let r = 1;
  let b = x;
  for (let e = p; e > 0; e >>= 1) {
    if (e & 1) r *= b;
    b *= b;
  }
  return r;
}

/**
 * Whether the loops inline xᵖ: integer 1 ≤ p ≤ 31, as r = Π_{bits k of p} x^{2ᵏ}
 * with x^{2ᵏ} by repeated squaring, the factors in ascending k, which is the
 * product `pow` (and powerFunction: x·x·x for 3 is the same product) forms.
 * The branches on the bits are loop-invariant; the squarings past p's top bit
 * cost a few multiplications and change nothing (p = 1 has its own loop).
 */
const fastExponent = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 31;

/** The largest |aₖ − bₖ|, NaN if any difference is NaN. */
function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>, d: number): number {
  let top = 0;
  for (let j = 0; j < d; j++) {
    const t = Math.abs(a[j] - b[j]);
    if (!(t <= top)) {
      if (t !== t) return NaN;
      top = t;
    }
  }
  return top;
}

/** Σₖ (|aₖ − bₖ|/top)ᵖ for k in [j0, j1), added to s in coordinate order. */
function scaledPowerSum(a: ArrayLike<number>, b: ArrayLike<number>, j0: number, j1: number, top: number, p: number, s: number): number {
  if (!fastExponent(p)) {
    for (let j = j0; j < j1; j++) s += pow(Math.abs(a[j] - b[j]) / top, p);
    return s;
  }
  if (p === 1) {
    for (let j = j0; j < j1; j++) s += Math.abs(a[j] - b[j]) / top;
    return s;
  }
  const c1 = (p & 1) !== 0;
  const c2 = (p & 2) !== 0;
  const c4 = (p & 4) !== 0;
  const c8 = (p & 8) !== 0;
  const c16 = (p & 16) !== 0;
  for (let j = j0; j < j1; j++) {
    const x1 = Math.abs(a[j] - b[j]) / top;
    const x2 = x1 * x1;
    const x4 = x2 * x2;
    const x8 = x4 * x4;
    let r = 1;
    if (c1) r *= x1;
    if (c2) r *= x2;
    if (c4) r *= x4;
    if (c8) r *= x8;
    if (c16) r *= x8 * x8;
    s += r;
  }
  return s;
}

/** As scaledPowerSum for the pairs (a, b) and (a, c) at once: two independent sums, each in coordinate order. */
function scaledPowerSums2(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  j0: number,
  j1: number,
  tb: number,
  tc: number,
  p: number,
  sums: Float64Array,
  kb: number,
  kc: number,
): void {
  if (!fastExponent(p)) {
    sums[kb] = scaledPowerSum(a, b, j0, j1, tb, p, sums[kb]);
    sums[kc] = scaledPowerSum(a, c, j0, j1, tc, p, sums[kc]);
    return;
  }
  const c1 = (p & 1) !== 0;
  const c2 = (p & 2) !== 0;
  const c4 = (p & 4) !== 0;
  const c8 = (p & 8) !== 0;
  const c16 = (p & 16) !== 0;
  let sb = sums[kb];
  let sc = sums[kc];
  if (p === 1) {
    for (let j = j0; j < j1; j++) {
      const aj = a[j];
      sb += Math.abs(aj - b[j]) / tb;
      sc += Math.abs(aj - c[j]) / tc;
    }
    sums[kb] = sb;
    sums[kc] = sc;
    return;
  }
  for (let j = j0; j < j1; j++) {
    const aj = a[j];
    const x1 = Math.abs(aj - b[j]) / tb;
    const y1 = Math.abs(aj - c[j]) / tc;
    const x2 = x1 * x1;
    const y2 = y1 * y1;
    const x4 = x2 * x2;
    const y4 = y2 * y2;
    const x8 = x4 * x4;
    const y8 = y4 * y4;
    let r = 1;
    let q = 1;
    if (c1) {
      r *= x1;
      q *= y1;
    }
    if (c2) {
      r *= x2;
      q *= y2;
    }
    if (c4) {
      r *= x4;
      q *= y4;
    }
    if (c8) {
      r *= x8;
      q *= y8;
    }
    if (c16) {
      r *= x8 * x8;
      q *= y8 * y8;
    }
    sb += r;
    sc += q;
  }
  sums[kb] = sb;
  sums[kc] = sc;
}

/** ‖a − b‖ₚ over the first d coordinates; NaN or ±Infinity differences give +Infinity. */
export function lpDistance(a: ArrayLike<number>, b: ArrayLike<number>, p: number, d = a.length): number {
  const top = largestDifference(a, b, d);
  if (top !== top) return Infinity;
  if (top === 0 || !(top < Infinity)) return top;
  return top * scaledPowerSum(a, b, 0, d, top, p, 0) ** (1 / p);
}

/** ‖a − b‖ₚ² = top² · (Σ …)^{2/p}; NaN or ±Infinity differences give +Infinity. */
export function squaredLpDistance(a: ArrayLike<number>, b: ArrayLike<number>, p: number, d = a.length): number {
  const top = largestDifference(a, b, d);
  if (top !== top) return Infinity;
  if (top === 0) return 0;
  if (!(top < Infinity)) return Infinity;
  return top * top * scaledPowerSum(a, b, 0, d, top, p, 0) ** (2 / p);
}

/** Coordinates per block of the pairwise pass: 1024 float32 per input, ~70 KB for n = 17, in L2. */
const BLOCK = 1024;

/** Pairwise ℓp distances of n inputs, row-major n × n, zero on the diagonal. */
export interface PairwiseLp {
  /** ‖xₐ − x_b‖ₚ, as lpDistance. */
  distance: Float64Array;
  /** ‖xₐ − x_b‖ₚ², as squaredLpDistance (not the square of `distance`, which may differ in the last bit). */
  squared: Float64Array;
}

/**
 * Every ‖xₐ − x_b‖ₚ and ‖xₐ − x_b‖ₚ² at once: entry (a, b) is bit for bit
 * lpDistance(xₐ, x_b) and squaredLpDistance(xₐ, x_b). Two blocked passes:
 * the largest differences, then the scaled power sums.
 */
export function pairwiseLp(vectors: readonly Float32Array[], p: number): PairwiseLp {
  const n = vectors.length;
  const d = n ? vectors[0].length : 0;
  const top = new Float64Array(n * n);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const j1 = Math.min(d, j0 + BLOCK);
    for (let a = 0; a < n; a++) {
      const x = vectors[a];
      for (let b = a + 1; b < n; b++) {
        const y = vectors[b];
        let t0 = top[a * n + b];
        if (t0 !== t0) continue;
        for (let j = j0; j < j1; j++) {
          const t = Math.abs(x[j] - y[j]);
          if (!(t <= t0)) {
            if (t !== t) {
              t0 = NaN;
              break;
            }
            t0 = t;
          }
        }
        top[a * n + b] = t0;
      }
    }
  }
  // The pairs whose sums are needed, two by two with the same first row where possible.
  const sums = new Float64Array(n * n);
  const live = (a: number, b: number) => {
    const t = top[a * n + b];
    return t > 0 && t < Infinity;
  };
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const j1 = Math.min(d, j0 + BLOCK);
    for (let a = 0; a < n; a++) {
      const x = vectors[a];
      let pending = -1;
      for (let b = a + 1; b < n; b++) {
        if (!live(a, b)) continue;
        if (pending < 0) {
          pending = b;
          continue;
        }
        scaledPowerSums2(x, vectors[pending], vectors[b], j0, j1, top[a * n + pending], top[a * n + b], p, sums, a * n + pending, a * n + b);
        pending = -1;
      }
      if (pending >= 0) sums[a * n + pending] = scaledPowerSum(x, vectors[pending], j0, j1, top[a * n + pending], p, sums[a * n + pending]);
    }
  }
  const distance = new Float64Array(n * n);
  const squared = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const t = top[a * n + b];
      let dist: number;
      let sq: number;
      if (t !== t) dist = sq = Infinity;
      else if (t === 0) dist = sq = 0;
      else if (!(t < Infinity)) dist = sq = Infinity;
      else {
        const s = sums[a * n + b];
        dist = t * s ** (1 / p);
        sq = t * t * s ** (2 / p);
      }
      distance[a * n + b] = distance[b * n + a] = dist;
      squared[a * n + b] = squared[b * n + a] = sq;
    }
  }
  return { distance, squared };
}

/**
 * One IRLS pass of the ℓp geometric median (geomed.ts): for every finite
 * input i and coordinate j, with uᵢⱼ = zⱼ − xᵢⱼ and N = max(ε, normᵢ),
 *
 *   wᵢⱼ = (max(ε, |uᵢⱼ|)/N)^{p−2} / N,   num[j] += wᵢⱼ xᵢⱼ,   den[j] += wᵢⱼ,
 *
 * the inputs in order (num and den are added to, not cleared).
 */
export function lpIrlsSums(
  z: ArrayLike<number>,
  vectors: readonly Float32Array[],
  finite: readonly boolean[],
  norms: ArrayLike<number>,
  eps: number,
  p: number,
  num: Float64Array,
  den: Float64Array,
): void {
  const d = num.length;
  const e = p - 2;
  const c1 = (e & 1) !== 0;
  const c2 = (e & 2) !== 0;
  const c4 = (e & 4) !== 0;
  const c8 = (e & 8) !== 0;
  const c16 = (e & 16) !== 0;
  for (let i = 0; i < vectors.length; i++) {
    if (!finite[i]) continue;
    const x = vectors[i];
    const N = Math.max(eps, norms[i]);
    if (fastExponent(e)) {
      for (let j = 0; j < d; j++) {
        const y1 = Math.max(eps, Math.abs(z[j] - x[j])) / N;
        const y2 = y1 * y1;
        const y4 = y2 * y2;
        const y8 = y4 * y4;
        let r = 1;
        if (c1) r *= y1;
        if (c2) r *= y2;
        if (c4) r *= y4;
        if (c8) r *= y8;
        if (c16) r *= y8 * y8;
        const w = r / N;
        num[j] += w * x[j];
        den[j] += w;
      }
    } else if (e === -1) {
      for (let j = 0; j < d; j++) {
        const w = 1 / (Math.max(eps, Math.abs(z[j] - x[j])) / N) / N;
        num[j] += w * x[j];
        den[j] += w;
      }
    } else {
      for (let j = 0; j < d; j++) {
        const w = pow(Math.max(eps, Math.abs(z[j] - x[j])) / N, e) / N;
        num[j] += w * x[j];
        den[j] += w;
      }
    }
  }
}

/** The largest |aⱼ − bⱼ| and |aⱼ − cⱼ| at once, into tops[0] and tops[1] (NaN if a difference is NaN). */
function largestDifferences2(a: Float32Array, b: Float32Array, c: Float32Array, d: number, tops: Float64Array): void {
  let tb = 0;
  let tc = 0;
  for (let j = 0; j < d; j++) {
    const aj = a[j];
    const u = Math.abs(aj - b[j]);
    const v = Math.abs(aj - c[j]);
    if (!(u <= tb)) tb = u !== u || tb !== tb ? NaN : u;
    if (!(v <= tc)) tc = v !== v || tc !== tc ? NaN : v;
  }
  tops[0] = tb;
  tops[1] = tc;
}

/**
 * ‖z − xᵢ‖ₚ for every input with finite[i] (each bit for bit lpDistance(z, xᵢ)),
 * +Infinity for the others, into `out`; returns the sum of the finite ones, in
 * input order. Inputs are taken two at a time, z read once for both.
 */
export function lpDistancesFrom(z: Float32Array, vectors: readonly Float32Array[], finite: readonly boolean[], p: number, out: Float64Array): number {
  const d = z.length;
  const rows: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    if (finite[i]) rows.push(i);
    else out[i] = Infinity;
  }
  const tops = new Float64Array(2);
  const sums = new Float64Array(2);
  const finish = (i: number, top: number, s: number) => {
    out[i] = top !== top ? Infinity : top === 0 || !(top < Infinity) ? top : top * s ** (1 / p);
  };
  let r = 0;
  for (; r + 1 < rows.length; r += 2) {
    const i = rows[r];
    const k = rows[r + 1];
    largestDifferences2(z, vectors[i], vectors[k], d, tops);
    const ti = tops[0];
    const tk = tops[1];
    const li = ti > 0 && ti < Infinity;
    const lk = tk > 0 && tk < Infinity;
    sums[0] = sums[1] = 0;
    if (li && lk) scaledPowerSums2(z, vectors[i], vectors[k], 0, d, ti, tk, p, sums, 0, 1);
    else if (li) sums[0] = scaledPowerSum(z, vectors[i], 0, d, ti, p, 0);
    else if (lk) sums[1] = scaledPowerSum(z, vectors[k], 0, d, tk, p, 0);
    finish(i, ti, sums[0]);
    finish(k, tk, sums[1]);
  }
  if (r < rows.length) out[rows[r]] = lpDistance(z, vectors[rows[r]], p, d);
  let total = 0;
  for (const i of rows) total += out[i];
  return total;
}
