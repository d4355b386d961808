/**
 * krum — Krum and Multi-Krum.
 *
 *   scoreᵢ = Σ_{i → j} ‖xᵢ − xⱼ‖²
 *
 * where i → j ranges over the n − f − 2 inputs nearest to xᵢ (excluding xᵢ).
 * The output is the mean of the m inputs with the lowest scores (m = 1 is
 * Krum: the output is one of the inputs; m > 1 is Multi-Krum, and
 * `multikrum`, multikrum.ts, takes m = n − f as ByzFL's MultiKrum does).
 * Requirement: n ≥ 2f + 3, and m ≤ n − f so that only a majority is averaged.
 *
 * Reference: Blanchard, El Mhamdi, Guerraoui, Stainer, Machine Learning with
 * Adversaries: Byzantine Tolerant Gradient Descent, NeurIPS 2017.
 *
 * Generalized Krum (parameter p ≥ 1, default 2) follows MixTailor, eq. (3):
 * distances are ℓp norms and the score sums their squares,
 *
 *   scoreᵢ = Σ_{i → j} ‖xᵢ − xⱼ‖ₚ²,   ‖u‖ₚ² = (Σₖ |uₖ|ᵖ)^{2/p},
 *
 * with neighbours i → j chosen by ℓp distance; p = 2 is Krum exactly, and its
 * canonical spec omits p so that existing specs and traces do not change.
 * Reference: Ramezani-Kebrya, Madden, Faghri, Arjevani, MixTailor: Mixed
 * Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR 2022.
 *
 * Deliberate differences:
 * - ByzFL sums over n − f − 1 neighbours; byzsim follows the paper (n − f − 2).
 * - An input with a non-finite coordinate is infinitely far from every other
 *   input (score +Infinity), so it is never selected while m ≤ n − f.
 * - Equal scores are broken by the lexicographic order of the vectors, not by
 *   index, so the output does not depend on the order inputs arrived in.
 */
import { krumVnBound } from './vn-bounds.ts';
import { pairwiseLp } from '../kernels/lp.ts';
import type { AggregationResult, Requirement } from './types.ts';
import { commonDimension, isFiniteVector, meanOf, pairwiseSquaredDistances } from '../kernels/vector.ts';
import { resolveParams } from '../spec.ts';
import { defineRule } from './define.ts';

const params = {
  m: { description: 'number of lowest-score inputs averaged (1 = Krum, > 1 = Multi-Krum)', default: 1, min: 1, integer: true },
  p: { description: 'ℓp distance of generalized Krum (MixTailor); 2 is Krum', default: 2, min: 1, omitAt: 2 },
};

/** Krum's requirement for m averaged inputs (multikrum's too, for the m it averages). */
export function krumRequirement(m: number): Requirement {
  return {
    text: m === 1 ? 'n ≥ 2f + 3' : `n ≥ 2f + 3 and m ≤ n − f (m=${m})`,
    check: (n, f) => Number.isInteger(f) && f >= 0 && n >= 2 * f + 3 && m <= n - f,
  };
}

function lexCompare(a: Float32Array, b: Float32Array): number {
  for (let j = 0; j < a.length; j++) {
    if (a[j] < b[j]) return -1;
    if (a[j] > b[j]) return 1;
  }
  return 0;
}

/** Krum scores (n − f − 2 nearest neighbours); +Infinity for non-finite inputs. */
export function krumScores(vectors: readonly Float32Array[], f: number): Float64Array {
  const n = vectors.length;
  const norms = new Float64Array(n);
  const dist = pairwiseSquaredDistances(vectors, norms);
  return scoresFromDistances(dist, Array.from(norms, (x) => x < Infinity), f);
}

/**
 * Krum scores from an n × n matrix of (squared) distances: for each finite
 * input, the sum of its n − f − 2 smallest distances to the others; +Infinity
 * for non-finite inputs, which also count as infinitely far.
 */
function scoresFromDistances(dist: Float64Array, finite: readonly boolean[], f: number): Float64Array {
  const n = finite.length;
  const neighbours = n - f - 2;
  const row = new Float64Array(n - 1);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!finite[i]) {
      scores[i] = Infinity;
      continue;
    }
    let r = 0;
    for (let j = 0; j < n; j++) if (j !== i) row[r++] = finite[j] ? dist[i * n + j] : Infinity;
    // Summing in ascending order makes the score independent of input order.
    row.sort();
    let s = 0;
    for (let k = 0; k < neighbours; k++) s += row[k];
    scores[i] = s;
  }
  return scores;
}

/**
 * Generalized Krum scores for p ≠ 2: Σ over the n − f − 2 nearest neighbours
 * (by ℓp distance) of the squared ℓp distance; +Infinity for non-finite inputs.
 * The distances are scaled by the largest |aₖ − bₖ| so that |·|ᵖ cannot
 * overflow for large p (kernels/lp.ts).
 */
export function krumScoresLp(vectors: readonly Float32Array[], f: number, p: number): Float64Array {
  if (vectors.length) commonDimension(vectors, 'krumScoresLp');
  return scoresFromDistances(pairwiseLp(vectors, p).squared, vectors.map(isFiniteVector), f);
}

export function krumAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { m?: number; p?: number } = {},
): AggregationResult {
  const given: Record<string, number> = {};
  if (options.m !== undefined) given.m = options.m;
  if (options.p !== undefined) given.p = options.p;
  const { m, p } = resolveParams('krum', params, given);
  commonDimension(vectors, 'krum');
  const requirement = krumRequirement(m);
  if (!requirement.check(vectors.length, f)) {
    throw new Error(`krum requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  }
  const scores = p === 2 ? krumScores(vectors, f) : krumScoresLp(vectors, f, p);
  const order = vectors.map((_, i) => i);
  order.sort((a, b) => scores[a] - scores[b] || lexCompare(vectors[a], vectors[b]));
  const selected = order.slice(0, m);
  return {
    // A copy rather than a mean of one, so Krum returns its input bit for bit (−0 included).
    // Not the input itself: the aggregate goes to the optimizer, the trace and
    // library callers, and an alias would change if a worker's buffer were
    // reused or mutated; the copy costs ~0.03 ms at d = 1e5 (~1% of a call).
    aggregate: m === 1 ? vectors[selected[0]].slice() : meanOf(selected.map((i) => vectors[i])),
    diagnostics: { selected, scores: selected.map((i) => scores[i]) },
  };
}

export const krum = defineRule({
  name: 'krum',
  summary: 'Krum / Multi-Krum: mean of the m inputs closest to their n − f − 2 nearest neighbours (ℓp: generalized Krum).',
  reference: 'Blanchard et al., Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent, NeurIPS 2017',
  params,
  vnBound: (n, f, { m, p }) => (m === 1 && p === 2 ? krumVnBound(n, f) : undefined),
  requirement: ({ m }) => krumRequirement(m),
  aggregate: (vectors, ctx, values) => krumAggregate(vectors, ctx.f, values),
});
