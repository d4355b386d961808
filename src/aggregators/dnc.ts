/**
 * dnc — Divide-and-Conquer.
 *
 * Each of `niters` iterations draws a set r of b coordinates (all d of them when b ≥ d),
 * centres the inputs restricted to r, x̃ᵢ = xᵢ[r] − μ with μ = (1/n) Σⱼ xⱼ[r], takes the top
 * right singular vector v of the n × b matrix of the x̃ᵢ and scores every input by
 *
 *   sᵢ = (x̃ᵢ · v)²,
 *
 * keeping the n − ⌊c·f⌋ inputs of lowest score. The output is the mean of the inputs kept
 * in every iteration (the intersection of the kept sets).
 * Requirement: n ≥ 2f + 1 (and ⌊c·f⌋ < n when c > 1).
 *
 * Reference: Shejwalkar, Houmansadr, Manipulating the Byzantine: Optimizing Model Poisoning
 * Attacks and Defenses for Federated Learning, NDSS 2021 (Algorithm 2). Defaults b = 10000,
 * niters = 5, c = 1 as in Blades (lishenghui/blades, blades/aggregators/aggregators.py at
 * 2cead944, `DnC`); FLPoison (vio1etus/FLPoison, aggregators/dnc.py at eb74fb24) has the same
 * niters and c but subsamples a fraction (20%) of the coordinates.
 *
 * The scores come from the n × n Gram matrix G = C Cᵀ of the centred rows C instead of an
 * SVD of C: with (λ, u) the top eigenpair of G (cyclic Jacobi), x̃ᵢ · v = √λ·uᵢ, so
 * sᵢ = λ·uᵢ², the same scores for O(n²·b) to form G and O(n³) per Jacobi sweep (about
 * 0.4 s per aggregation at n = 50, d = 10⁵ with the defaults; 5 s at n = 200). C is formed
 * as n·xᵢ[r] − Σⱼ xⱼ[r] (n times the centred rows, the same ranking), which is exact for
 * integer-valued inputs, so a translation of the inputs leaves G bit for bit unchanged.
 *
 * Deliberate differences:
 * - Blades removes ⌊c·f⌋ inputs per iteration, FLPoison n − ⌊n − c·f⌋ (the ceiling); byzsim
 *   follows Blades. (Blades' older src/blades/aggregators/dnc.py, 17c159e4, took the union
 *   of the kept sets; byzsim takes the paper's intersection, as Blades does now.)
 * - When the kept sets have no input in common (possible for small n with niters > 1), the
 *   peers average an empty set (NaN); byzsim averages the inputs kept in the most
 *   iterations, which is the intersection whenever that is not empty.
 * - An input with a non-finite coordinate is never kept, and is left out of μ and of the
 *   singular vector, which it would otherwise make NaN: the peers' SVD fails on it.
 * - The inputs are processed in the lexicographic order of the vectors, and equal scores
 *   are broken by that order, so for the same coordinate draws the output does not depend
 *   on the order the inputs arrived in. The drawn coordinates are used in ascending order.
 * - When b ≥ d every iteration would use all coordinates: the rule draws nothing and
 *   computes one iteration (the intersection of equal sets is that set).
 */
import type { AggregationContext, AggregationResult, Requirement } from './types.ts';
import { commonDimension, squaredNorms } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import type { Rng } from '../sim/rng.ts';
import { lexCompare } from '../kernels/subsets.ts';
import { resolveParams } from '../spec.ts';
import { defineRule } from './define.ts';

const params = {
  b: { description: 'coordinates drawn per iteration (all d when b ≥ d)', default: 10000, min: 1, integer: true },
  niters: { description: 'iterations; the output averages the inputs kept in every one', default: 5, min: 1, integer: true },
  c: { description: 'filtering fraction: each iteration removes the ⌊c·f⌋ highest scores', default: 1, min: 0 },
};

function requirementFor(c: number): Requirement {
  return {
    text: c <= 1 ? 'n ≥ 2f + 1' : `n ≥ 2f + 1 and ⌊c·f⌋ < n (c=${c})`,
    check: (n, f) => Number.isInteger(f) && f >= 0 && n >= 2 * f + 1 && Math.floor(c * f) < n,
  };
}

/**
 * Largest eigenvalue of the symmetric m × m matrix `a` (row-major; overwritten) and a unit
 * eigenvector for it, by cyclic Jacobi rotations (Numerical Recipes' `jacobi`, whose
 * thresholds are relative, so scaling `a` by a power of two scales λ and leaves u alone).
 * Equal eigenvalues: the first in index order.
 */
export function topEigenpair(a: Float64Array, m: number): { value: number; vector: Float64Array } {
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 1; sweep <= 50; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += Math.abs(a[p * m + q]);
    if (off === 0) break;
    // The first sweeps skip rotations far below the average off-diagonal entry.
    const threshold = sweep < 4 ? (0.2 * off) / (m * m) : 0;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        const g = 100 * Math.abs(apq);
        const app = a[p * m + p];
        const aqq = a[q * m + q];
        if (sweep > 4 && Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
          a[p * m + q] = a[q * m + p] = 0;
          continue;
        }
        if (!(Math.abs(apq) > threshold)) continue;
        const h = aqq - app;
        let t: number;
        if (Math.abs(h) + g === Math.abs(h)) {
          t = apq / h;
        } else {
          const theta = (0.5 * h) / apq;
          t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
          if (theta < 0) t = -t;
        }
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        a[p * m + p] = app - t * apq;
        a[q * m + q] = aqq + t * apq;
        a[p * m + q] = a[q * m + p] = 0;
        for (let k = 0; k < m; k++) {
          if (k !== p && k !== q) {
            const akp = a[k * m + p];
            const akq = a[k * m + q];
            a[k * m + p] = a[p * m + k] = c * akp - s * akq;
            a[k * m + q] = a[q * m + k] = s * akp + c * akq;
          }
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let top = 0;
  for (let i = 1; i < m; i++) if (a[i * m + i] > a[top * m + top]) top = i;
  const vector = new Float64Array(m);
  for (let i = 0; i < m; i++) vector[i] = v[i * m + top];
  return { value: a[top * m + top], vector };
}

/**
 * DnC's outlier scores of `rows` (inputs in their processing order) on the coordinates
 * `coords`, scaled by n² (which leaves the ranking as it is): λ·uᵢ² for the top eigenpair
 * of the Gram matrix of the rows n·xᵢ[r] − Σⱼ xⱼ[r].
 */
function outlierScores(rows: readonly Float32Array[], coords: ArrayLike<number>): Float64Array {
  const m = rows.length;
  const b = coords.length;
  const centred = new Float64Array(m * b);
  for (let k = 0; k < b; k++) {
    const j = coords[k];
    let sum = 0;
    for (let i = 0; i < m; i++) sum += rows[i][j];
    for (let i = 0; i < m; i++) centred[i * b + k] = m * rows[i][j] - sum;
  }
  const gram = new Float64Array(m * m);
  for (let p = 0; p < m; p++) {
    const rowP = centred.subarray(p * b, (p + 1) * b);
    for (let q = p; q < m; q++) {
      const rowQ = centred.subarray(q * b, (q + 1) * b);
      // Four accumulators: ~2× faster, and still the same sum for (p, q) and (q, p).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < b; k += 4) {
        s0 += rowP[k] * rowQ[k];
        s1 += rowP[k + 1] * rowQ[k + 1];
        s2 += rowP[k + 2] * rowQ[k + 2];
        s3 += rowP[k + 3] * rowQ[k + 3];
      }
      for (; k < b; k++) s0 += rowP[k] * rowQ[k];
      gram[p * m + q] = gram[q * m + p] = s0 + s1 + (s2 + s3);
    }
  }
  const { value, vector } = topEigenpair(gram, m);
  return Float64Array.from(vector, (u) => value * u * u);
}

/**
 * rng.sample(n, k) — the first k entries of a Fisher–Yates shuffle of 0 … n − 1, with the
 * same calls to rng.next() and the same result — without building its pool as an array of
 * n numbers (DnC draws b = 10⁴ of d = 10⁶ coordinates per iteration, where that pool took
 * most of the rule's time). test/aggregators/speed-dnc.test.ts checks it against rng.sample.
 */
export function sampleIndices(rng: Pick<Rng, 'next'>, n: number, k: number): number[] {
  if (k > n) throw new RangeError(`cannot sample ${k} distinct indices out of ${n}`);
  // The pool's displaced entries in an open-addressing table (position → entry; −1 an empty slot),
  // at most k of them, at a load of at most 1/4; a position not in it still holds itself.
  const bits = Math.min(30, Math.max(4, Math.ceil(Math.log2(4 * k))));
  const mask = (1 << bits) - 1;
  const keys = new Int32Array(mask + 1).fill(-1);
  const values = new Int32Array(mask + 1);
  const slot = (x: number): number => {
    let h = Math.imul(x, 0x9e3779b1) >>> (32 - bits);
    while (keys[h] !== -1 && keys[h] !== x) h = (h + 1) & mask;
    return h;
  };
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const si = slot(i);
    const atI = keys[si] === i ? values[si] : i;
    const sj = slot(j);
    out[i] = keys[sj] === j ? values[sj] : j;
    keys[sj] = j;
    values[sj] = atI;
  }
  return out;
}

/** The common dimension, once (n, f) is known to meet the requirement. */
function validated(vectors: readonly Float32Array[], f: number, c: number): number {
  const d = commonDimension(vectors, 'dnc');
  const requirement = requirementFor(c);
  if (!requirement.check(vectors.length, f)) throw new Error(`dnc requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  return d;
}

/**
 * DnC on given coordinate subsets (one per iteration): the pure core of the rule, which
 * draws the subsets from the server's stream. `subsets[t]` lists coordinates in [0, d).
 */
export function dncAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { c?: number; subsets: readonly (readonly number[])[] },
): AggregationResult {
  const { c } = resolveParams('dnc', { c: params.c }, options.c === undefined ? {} : { c: options.c });
  const d = validated(vectors, f, c);
  const n = vectors.length;
  if (options.subsets.length === 0) throw new Error('dnc: no coordinate subsets (one per iteration)');
  // ‖xᵢ‖² is finite iff xᵢ is (float32 squares cannot overflow the float64 sum): one SIMD pass.
  const sq = squaredNorms(vectors);
  const order = vectors.map((_, i) => i).filter((i) => sq[i] < Infinity);
  order.sort((i, j) => lexCompare(vectors[i], vectors[j]) || i - j);
  const rows = order.map((i) => vectors[i]);
  const keep = Math.min(order.length, n - Math.floor(c * f));
  const count = new Int32Array(n);
  for (const subset of options.subsets) {
    if (subset.length === 0 || subset.some((j) => !Number.isInteger(j) || j < 0 || j >= d)) {
      throw new Error(`dnc: a coordinate subset must list coordinates in [0, ${d})`);
    }
    const scores = outlierScores(rows, Int32Array.from(subset).sort());
    // Ties go to the lexicographically first vector: `order` is sorted that way.
    const ranked = rows.map((_, r) => r).sort((r, s) => scores[r] - scores[s] || r - s);
    for (let r = 0; r < keep; r++) count[order[ranked[r]]]++;
  }
  const most = Math.max(...count);
  const selected = vectors.map((_, i) => i).filter((i) => count[i] === most);
  // Σ xᵢ in float64 in ascending i from 0, divided by |selected|, rounded once.
  const aggregate = new Float32Array(d);
  kernels().weightedSum(selected.map((i) => vectors[i]), new Float64Array(selected.length).fill(1), selected.length, aggregate);
  return {
    aggregate,
    diagnostics: { selected, iterations: options.subsets.length },
  };
}

export const dnc = defineRule({
  name: 'dnc',
  summary: 'Divide-and-Conquer: drop the ⌊c·f⌋ inputs farthest along the top singular direction of random coordinate subsets; mean of the rest.',
  reference: 'Shejwalkar, Houmansadr, Manipulating the Byzantine: Optimizing Model Poisoning Attacks and Defenses for Federated Learning, NDSS 2021',
  params,
  randomized: true,
  requirement: ({ c }) => requirementFor(c),
  aggregate(vectors: readonly Float32Array[], ctx: AggregationContext, { b, niters, c }): AggregationResult {
    const d = validated(vectors, ctx.f, c);
    if (b >= d) return dncAggregate(vectors, ctx.f, { c, subsets: [Array.from({ length: d }, (_, j) => j)] });
    const rng = ctx.rng;
    if (!rng) throw new Error('dnc is randomized: it needs ctx.rng (the server’s stream) to draw its coordinates');
    const subsets = Array.from({ length: niters }, () => sampleIndices(rng, d, b));
    return dncAggregate(vectors, ctx.f, { c, subsets });
  },
});
