/**
 * smea — smallest maximum eigenvalue averaging.
 *
 *   S* = argmin_{S ⊆ [n], |S| = n − f} λ_max(Σ_S),   Σ_S = (1/|S|) Σ_{i∈S} (xᵢ − μ_S)(xᵢ − μ_S)ᵀ,
 *   smea(x₁, …, xₙ) = μ_{S*} = (1/|S*|) Σ_{i∈S*} xᵢ
 *
 * Requirement: n ≥ 2f + 1, and C(n, f) ≤ maxSubsets: the search is exact and,
 * on inputs without structure, examines about every subset of size n − f, so
 * the bound is part of what (n, f) the rule accepts (checked when a scenario
 * loads, not discovered in round 1).
 *
 * Reference: Allouah, Guerraoui, Gupta, Pinot, Stephan, On the
 * Privacy-Robustness-Utility Trilemma in Distributed Learning, ICML 2023
 * (the reference ByzFL's SMEA cites).
 *
 * λ_max(Σ_S) comes from the (n − f)×(n − f) centred Gram matrix of S rather
 * than the d×d covariance: with D the centred rows of S, Σ_S = DᵀD/|S|, and
 * DᵀD and DDᵀ have the same nonzero eigenvalues. DDᵀ = −½·H·D²_S·H (H the
 * centring matrix, D²_S the squared distances within S), from one n×n matrix
 * of squared distances computed up front from exact differences: a subset
 * then costs O((n − f)³) at most, whatever d, and nothing depends on the
 * frame (a translation leaves every distance, hence every decision, as it
 * was). Subsets are searched depth first, most central inputs first, a branch
 * dropped as soon as a lower bound on its λ_max reaches the best found (see
 * smallestEigenvalueSubset): Byzantine inputs far from the rest cost almost
 * nothing, inputs without structure up to C(n, f) subsets. A subset that
 * passes the bounds beats the best iff t·I − DDᵀ, t the best λ_max, is
 * positive definite (a Cholesky factorisation); its λ_max is then found by
 * bisection on t with the same test, to float64 resolution.
 *
 * Deliberate differences from ByzFL's SMEA (byzfl/aggregators/aggregators.py):
 * - ByzFL estimates each λ_max by one power-method step from a random start
 *   (np.random.randn): ‖M_S v‖ for M_S = |S|·Σ_S and a random unit v,
 *   anywhere between 0 and λ_max(M_S), so the subset it picks is random.
 *   byzsim computes λ_max exactly.
 * - Ties between subsets of the same λ_max: ByzFL keeps the first in index
 *   order; byzsim the first in its search order (inputs ranked by the sum of
 *   squared distances to their n − f − 1 nearest, then lexicographically),
 *   so the output does not depend on the order inputs arrived in.
 * - An input with a non-finite coordinate makes λ_max of every subset holding
 *   it +∞ (in ByzFL a NaN that never compares smaller: the same choice). With
 *   more than f of them every subset holds one; byzsim then averages the first
 *   subset in its order (a non-finite output) where ByzFL fails.
 * - ByzFL enumerates C(n, f) subsets however many there are; byzsim refuses
 *   past maxSubsets.
 */
import type { AggregationResult, Requirement } from './types.ts';
import { commonDimension, meanOf, squaredNorms } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { BLOCK } from '../kernels/simd.ts';
import { binomial, lexCompare } from '../kernels/subsets.ts';
import { resolveParams } from '../spec.ts';
import { defineRule } from './define.ts';

const params = {
  maxSubsets: {
    description:
      'largest C(n, f) accepted: the exact search may examine every subset of size n − f, each in O((n − f)³); C(20, 5) = 15,504, C(30, 5) = 142,506',
    default: 1e5,
    min: 1,
    max: 1e8,
    integer: true,
  },
};

function requirementFor(maxSubsets: number): Requirement {
  return {
    text: `n ≥ 2f + 1 and C(n, f) ≤ ${maxSubsets}`,
    check: (n, f) => Number.isInteger(f) && f >= 0 && n >= 2 * f + 1 && binomial(n, f) <= maxSubsets,
  };
}

/**
 * Input positions in an order that does not depend on how the inputs arrived:
 * finite inputs first, by the lexicographic order of the vectors, then the
 * non-finite ones by position. Equal vectors are interchangeable, so a rule
 * computing on this order gives the same output for any order of its inputs.
 */
export function canonicalOrder(vectors: readonly Float32Array[], finite: readonly boolean[]): number[] {
  return vectors
    .map((_, i) => i)
    .sort((a, b) => Number(finite[b]) - Number(finite[a]) || (finite[a] && finite[b] ? lexCompare(vectors[a], vectors[b]) : 0) || a - b);
}

/**
 * ‖xₐ − x_b‖² for the inputs at `positions` (an m×m row-major matrix), float64 sums of exact differences
 * (squaredDistancesTo's, so each entry depends on its two inputs only, in either order). The columns go
 * a kernel block at a time, each block's rows still in cache for the m − 1 calls that read them; the
 * blocks' sums are added in column order from 0, which is what one call over all the columns adds.
 */
export function squaredDistanceMatrix(vectors: readonly Float32Array[], positions: readonly number[]): Float64Array {
  const m = positions.length;
  const out = new Float64Array(m * m);
  if (m < 2) return out;
  const d = vectors[positions[0]].length;
  const row = new Float64Array(m);
  const k = kernels();
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const block = positions.map((p) => vectors[p].subarray(j0, Math.min(d, j0 + BLOCK)));
    for (let a = 0; a + 1 < m; a++) {
      k.squaredDistancesTo(block[a], block.slice(a + 1), row);
      for (let t = 0; a + 1 + t < m; t++) out[a * m + a + 1 + t] += row[t];
    }
  }
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) out[b * m + a] = out[a * m + b];
  return out;
}

/** The inputs' finiteness from one SIMD pass: ‖xᵢ‖² is finite iff xᵢ is (float32 squares cannot overflow the float64 sum). */
export function finiteInputs(vectors: readonly Float32Array[]): boolean[] {
  return Array.from(squaredNorms(vectors), (s) => s < Infinity);
}

/**
 * The largest eigenvalue of the symmetric m×m matrix A (row-major, destroyed)
 * and a unit eigenvector, by cyclic Jacobi rotations until the off-diagonal
 * mass is below float64 resolution of the diagonal. Every step depends on
 * ratios of entries, so scaling A by a power of two scales λ and nothing else.
 */
export function topEigenpair(A: Float64Array, m: number): { value: number; vector: Float64Array } {
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diagonal = 0;
    for (let p = 0; p < m; p++) {
      diagonal += A[p * m + p] * A[p * m + p];
      for (let q = p + 1; q < m; q++) off += A[p * m + q] * A[p * m + q];
    }
    if (!(off > 2 ** -106 * diagonal)) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q];
        if (apq === 0) continue;
        const theta = (A[q * m + q] - A[p * m + p]) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 0.5 / theta : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        const tau = s / (1 + c);
        A[p * m + p] -= t * apq;
        A[q * m + q] += t * apq;
        A[p * m + q] = A[q * m + p] = 0;
        for (let r = 0; r < m; r++) {
          if (r !== p && r !== q) {
            const arp = A[r * m + p];
            const arq = A[r * m + q];
            A[r * m + p] = A[p * m + r] = arp - s * (arq + tau * arp);
            A[r * m + q] = A[q * m + r] = arq + s * (arp - tau * arq);
          }
          const vrp = V[r * m + p];
          const vrq = V[r * m + q];
          V[r * m + p] = vrp - s * (vrq + tau * vrp);
          V[r * m + q] = vrq + s * (vrp - tau * vrq);
        }
      }
    }
  }
  let top = 0;
  for (let i = 1; i < m; i++) if (A[i * m + i] > A[top * m + top]) top = i;
  return { value: A[top * m + top], vector: Float64Array.from({ length: m }, (_, r) => V[r * m + top]) };
}

/**
 * Whether t·I − G is positive definite, i.e. λ_max(G) < t, for the symmetric
 * m×m matrix G (row-major), by Cholesky factorisation into `work`.
 */
function eigenvaluesBelow(G: Float64Array, m: number, t: number, work: Float64Array): boolean {
  for (let j = 0; j < m; j++) {
    let s = t - G[j * m + j];
    for (let k = 0; k < j; k++) s -= work[j * m + k] * work[j * m + k];
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    work[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let v = -G[i * m + j];
      for (let k = 0; k < j; k++) v -= work[i * m + k] * work[j * m + k];
      work[i * m + j] = v / l;
    }
  }
  return true;
}

/**
 * λ_max of the symmetric positive semi-definite m×m matrix G, known to lie in
 * [max diagonal, upper], by bisection with eigenvaluesBelow: the smallest t
 * found with λ_max < t, to float64 resolution.
 */
function largestEigenvalue(G: Float64Array, m: number, upper: number, work: Float64Array): number {
  let lo = 0;
  for (let i = 0; i < m; i++) lo = Math.max(lo, G[i * m + i]);
  let hi = upper;
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (!(mid > lo && mid < hi)) return hi;
    if (eigenvaluesBelow(G, m, mid, work)) hi = mid;
    else lo = mid;
  }
}

/**
 * DDᵀ for the subset `subset` (indices into the n×n distance matrix D2):
 * Gᵢⱼ = −½ (D²ᵢⱼ − rᵢ − rⱼ + s), rᵢ the mean of row i within the subset and s
 * the mean of the rᵢ. Returns the trace.
 */
function centredGram(D2: Float64Array, n: number, subset: readonly number[], G: Float64Array, r: Float64Array): number {
  const m = subset.length;
  let s = 0;
  for (let a = 0; a < m; a++) {
    let t = 0;
    for (let b = 0; b < m; b++) t += D2[subset[a] * n + subset[b]];
    r[a] = t / m;
    s += r[a];
  }
  s /= m;
  let trace = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) G[a * m + b] = -0.5 * (D2[subset[a] * n + subset[b]] - r[a] - r[b] + s);
    trace += G[a * m + a];
  }
  return trace;
}

/**
 * The first subset of size m of [0, count), in lexicographic order, minimising
 * λ_max of its centred Gram matrix: a depth-first search that adds inputs in
 * order and drops a prefix P once a lower bound on λ_max of every completion
 * reaches the best found. Bounds on λ_max(P) bound the completions because
 * adding an input adds a positive semi-definite term to the scatter matrix,
 * Σ_{P∪{x}} (xᵢ − μ)(xᵢ − μ)ᵀ = Σ_P (…) + (p/(p+1))(x − μ_P)(x − μ_P)ᵀ, so λ_max
 * never decreases along a branch; and every completion of P comes after the
 * best in the order, so it could not win a tie either. The bounds, O(n) each
 * from running sums of distances:
 * - λ_max(P) ≥ its largest diagonal entry ‖xₐ − μ_P‖², and ≥ trace/rank
 *   (rank ≤ min(p − 1, d));
 * - λ_max(P) ≥ the spread of P along the best subset's top eigenvector v,
 *   Σ_{i∈P} ((xᵢ − μ_P)·v)²;
 * - a completion adds m − p of the inputs after the last one chosen, so its
 *   trace is at least that of P plus their m − p smallest sums of squared
 *   distances to P, over m: a far input is cut as soon as it can no longer be
 *   avoided, not when it is reached.
 * A full subset that passes them gets the exact test. The caller orders the
 * inputs most central first, so the first subset is already a good one.
 */
function smallestEigenvalueSubset(D2: Float64Array, count: number, m: number, d: number): { subset: number[]; lambda: number; examined: number } {
  const G = new Float64Array(m * m);
  const work = new Float64Array(m * m);
  const r = new Float64Array(m);
  const chosen = new Array<number>(m).fill(0);
  // rows[p·count + j]: Σ of D²(chosen[k], j) over k < p, for the prefix of length p; pairs[p]: Σ of D² within it.
  const rows = new Float64Array((m + 1) * count);
  const pairs = new Float64Array(m + 1);
  const largest = new Int32Array(count);
  const skip = new Uint8Array(count);
  // q[i] = (xᵢ − μ_best)·v, v the best subset's unit top eigenvector; along[p], along2[p]: Σ q and Σ q² over the prefix.
  const q = new Float64Array(count);
  const along = new Float64Array(m + 1);
  const along2 = new Float64Array(m + 1);
  const rank = Math.max(1, Math.min(m - 1, d));
  let best: number[] = [];
  let lambda = Infinity;
  let examined = 0;
  const newBest = (): void => {
    best = chosen.slice();
    centredGram(D2, count, best, G, r);
    const { value, vector: u } = topEigenpair(G, m);
    // v = Σⱼ uⱼ(xⱼ − μ)/√λ, and (xᵢ − μ)·(xⱼ − μ) = ½(‖xᵢ − μ‖² + ‖xⱼ − μ‖² − D²ᵢⱼ), ‖xᵢ − μ‖² = aᵢ − b/2.
    q.fill(0);
    if (value > 0) {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) for (let j = 0; j < m; j++) a[i] += D2[i * count + best[j]] / m;
      let b = 0;
      for (let j = 0; j < m; j++) b += a[best[j]] / m;
      const scale = 0.5 / Math.sqrt(value);
      for (let i = 0; i < count; i++) {
        let t = 0;
        for (let j = 0; j < m; j++) t += u[j] * (a[i] + a[best[j]] - b - D2[i * count + best[j]]);
        q[i] = t * scale;
      }
    }
    for (let p = 1; p <= m; p++) {
      along[p] = along[p - 1] + q[chosen[p - 1]];
      along2[p] = along2[p - 1] + q[chosen[p - 1]] * q[chosen[p - 1]];
    }
  };
  const visit = (depth: number, start: number): void => {
    const p = depth + 1;
    for (let x = start; x <= count - (m - depth); x++) {
      examined++;
      along[p] = along[depth] + q[x];
      along2[p] = along2[depth] + q[x] * q[x];
      if (p >= 2 && along2[p] - (along[p] * along[p]) / p >= lambda) continue;
      chosen[depth] = x;
      for (let j = 0; j < count; j++) rows[p * count + j] = rows[depth * count + j] + D2[x * count + j];
      pairs[p] = pairs[depth] + rows[depth * count + x];
      if (p >= 2 && lambda < Infinity) {
        const s = (2 * pairs[p]) / (p * p);
        let bound = pairs[p] / p / Math.max(1, Math.min(p - 1, d));
        for (let k = 0; k < p; k++) bound = Math.max(bound, rows[p * count + chosen[k]] / p - s / 2);
        if (bound >= lambda) continue;
      }
      if (p < m) {
        if (lambda < Infinity) {
          // The completion leaves out `slack` of the inputs after x: the largest sums, at best.
          const slack = count - x - 1 - (m - p);
          let out = 0;
          for (let j = x + 1; j < count && slack > 0; j++) {
            const t = rows[p * count + j];
            if (out === slack && !(t > rows[p * count + largest[out - 1]])) continue;
            let i = out < slack ? out++ : slack - 1;
            for (; i > 0 && rows[p * count + largest[i - 1]] < t; i--) largest[i] = largest[i - 1];
            largest[i] = j;
          }
          for (let i = 0; i < out; i++) skip[largest[i]] = 1;
          let sum = pairs[p];
          for (let j = x + 1; j < count; j++) if (!skip[j]) sum += rows[p * count + j];
          for (let i = 0; i < out; i++) skip[largest[i]] = 0;
          if (sum / m / rank >= lambda) continue;
        }
        visit(p, x + 1);
        continue;
      }
      const trace = centredGram(D2, count, chosen, G, r);
      if (lambda === Infinity || eigenvaluesBelow(G, m, lambda, work)) {
        lambda = largestEigenvalue(G, m, Math.min(trace, lambda), work);
        newBest();
      }
    }
  };
  visit(0, 0);
  return { subset: best, lambda, examined };
}

export function smeaAggregate(vectors: readonly Float32Array[], f: number, options: { maxSubsets?: number } = {}): AggregationResult {
  const given: Record<string, number> = options.maxSubsets === undefined ? {} : { maxSubsets: options.maxSubsets };
  const { maxSubsets } = resolveParams('smea', params, given);
  const d = commonDimension(vectors, 'smea');
  const n = vectors.length;
  const requirement = requirementFor(maxSubsets);
  if (!requirement.check(n, f)) {
    const count = Number.isInteger(f) && f >= 0 && n >= 2 * f + 1 ? `: C(${n}, ${f}) = ${binomial(n, f)} subsets; raise maxSubsets or lower f` : '';
    throw new Error(`smea requires ${requirement.text} (got n=${n}, f=${f}${count})`);
  }
  const m = n - f;
  const finite = finiteInputs(vectors);
  const order = canonicalOrder(vectors, finite);
  const finiteCount = finite.filter(Boolean).length;
  let chosen = order.slice(0, m);
  let lambda = Infinity;
  let examined = 0;
  if (finiteCount >= m) {
    // Searched from the most central input to the least (by the sum of squared distances to its m − 1
    // nearest, Krum's score), so that the first subsets are good ones and prune the rest; ties by the
    // canonical order.
    const finiteOrder = order.slice(0, finiteCount);
    const byDistance = squaredDistanceMatrix(vectors, finiteOrder);
    const scores = finiteOrder.map((_, k) =>
      byDistance
        .slice(k * finiteCount, (k + 1) * finiteCount)
        .sort()
        .subarray(0, m)
        .reduce((a, b) => a + b, 0),
    );
    const central = finiteOrder.map((_, k) => k).sort((a, b) => scores[a] - scores[b] || a - b);
    const searchOrder = central.map((k) => finiteOrder[k]);
    // The same distances in the search order (each entry depends on its two inputs only).
    const bySearch = new Float64Array(finiteCount * finiteCount);
    for (let a = 0; a < finiteCount; a++) for (let b = 0; b < finiteCount; b++) bySearch[a * finiteCount + b] = byDistance[central[a] * finiteCount + central[b]];
    const found = smallestEigenvalueSubset(bySearch, finiteCount, m, d);
    // Summed in the canonical order, so the output is the same bit for bit whatever the input order.
    chosen = found.subset.map((k) => central[k]).sort((a, b) => a - b).map((k) => finiteOrder[k]);
    lambda = found.lambda;
    examined = found.examined;
  }
  return {
    aggregate: meanOf(chosen.map((i) => vectors[i])),
    diagnostics: { selected: chosen.slice().sort((a, b) => a - b), eigenvalue: lambda / m, searched: examined },
  };
}

export const smea = defineRule({
  name: 'smea',
  summary: 'Smallest maximum eigenvalue averaging: mean of the n − f inputs whose covariance has the smallest largest eigenvalue (exact search).',
  reference: 'Allouah, Guerraoui, Gupta, Pinot, Stephan, On the Privacy-Robustness-Utility Trilemma in Distributed Learning, ICML 2023',
  params,
  requirement: ({ maxSubsets }) => requirementFor(maxSubsets),
  aggregate: (vectors, ctx, values) => smeaAggregate(vectors, ctx.f, values),
});
