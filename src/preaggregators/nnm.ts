/**
 * nnm — nearest neighbour mixing.
 *
 *   nnm(x₁, …, xₙ) = (y₁, …, yₙ),   yᵢ = (1 / (n − f)) Σ_{j ∈ Nᵢ} xⱼ
 *
 * where Nᵢ is the set of the n − f inputs nearest to xᵢ in ℓ2, xᵢ itself
 * included (it is at distance 0).
 * Transform: n′ = n, f′ = f (only the rows of Byzantine inputs are arbitrary;
 * the others are means of n − f neighbours). Requirement: n ≥ f + 1.
 *
 * Reference: Allouah, Farhadkhani, Guerraoui, Gupta, Pinot, Stephan, Fixing
 * by Mixing: A Recipe for Optimal Byzantine ML under Heterogeneity, AISTATS
 * 2023 (Algorithm 1).
 *
 * Deliberate choices:
 * - Equal distances are broken by the lexicographic order of the vectors (xᵢ
 *   itself first), not by index, so the output does not depend on input order.
 * - An input with a non-finite coordinate is infinitely far from every other
 *   input, so with at most f of them no finite row includes one; its own row
 *   is the input itself, passed on for the rule after the stage to exclude
 *   (the row is Byzantine whatever it holds, and a zero stand-in is a value
 *   that rule could select: see shared.ts). Beyond f non-finite inputs finite
 *   rows may be NaN.
 */
import type { PreAggregationResult } from './types.ts';
import type { Requirement } from '../aggregators/types.ts';
import { commonDimension, pairwiseSquaredDistances } from '../kernels/vector.ts';
import { memoLexCompare } from '../kernels/subsets.ts';
import { defineStage } from './define.ts';
import { meansOfIndices } from './shared.ts';

const requirement: Requirement = {
  text: 'n ≥ f + 1',
  check: (n, f) => Number.isInteger(f) && f >= 0 && n >= f + 1,
};

export function nnmApply(vectors: readonly Float32Array[], f: number): PreAggregationResult {
  const n = vectors.length;
  const d = commonDimension(vectors, 'nnm');
  if (!requirement.check(n, f)) throw new Error(`nnm requires ${requirement.text} (got n=${n}, f=${f})`);
  // ‖xᵢ‖² is finite iff xᵢ is.
  const norms = new Float64Array(n);
  const dist = pairwiseSquaredDistances(vectors, norms);
  const finite = Array.from(norms, Number.isFinite);
  const k = n - f;
  const sources: number[][] = [];
  const order = vectors.map((_, j) => j);
  const lex = memoLexCompare(vectors);
  for (let i = 0; i < n; i++) {
    if (!finite[i]) {
      sources.push([i]);
      continue;
    }
    const key = (j: number): number => {
      if (j === i) return -1;
      if (!finite[j]) return Infinity;
      const v = dist[i * n + j];
      return v === v ? v : Infinity;
    };
    order.sort((a, b) => key(a) - key(b) || (a === i ? -1 : b === i ? 1 : lex(a, b)));
    sources.push(order.slice(0, k).sort((a, b) => a - b));
  }
  // The finite rows' means in one pass over the inputs.
  const rows = sources.flatMap((s, i) => (finite[i] ? [s] : []));
  const means = meansOfIndices(vectors, rows);
  let m = 0;
  const out = sources.map((_, i) => (finite[i] ? means[m++] : vectors[i].slice()));
  const nonFinite = finite.flatMap((ok, i) => (ok ? [] : [i]));
  return { vectors: out, sources, diagnostics: nonFinite.length ? { neighbours: k, nonFinite } : { neighbours: k } };
}

export const nnm = defineStage({
  name: 'nnm',
  summary: 'Nearest neighbour mixing: replace each input by the mean of its n − f nearest inputs (itself included).',
  reference: 'Allouah et al., Fixing by Mixing: A Recipe for Optimal Byzantine ML under Heterogeneity, AISTATS 2023',
  requirement,
  apply: (vectors, ctx) => nnmApply(vectors, ctx.f),
});
