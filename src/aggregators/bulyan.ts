/**
 * bulyan — Bulyan over an inner rule A (Krum by default).
 *
 * Selection: θ = n − 2f times, apply A to the inputs R not yet selected and
 * move to the selection the input of R closest to A(R) (for Krum, A(R) is that
 * input itself). Aggregation: per coordinate k, among the θ selected values,
 * average the β = θ − 2f closest to their median:
 *
 *   bulyan(x₁, …, xₙ)[k] = (1/β) Σ_{i ∈ Mₖ} xᵢ[k],   |Mₖ| = β = n − 4f
 *
 * Requirement: n ≥ 4f + 3 (so that β ≥ 3), and A must accept every remaining
 * count from n down to 2f + 1 (the last selection step).
 *
 * Reference: El Mhamdi, Guerraoui, Rouault, The Hidden Vulnerability of
 * Distributed Learning in Byzantium, ICML 2018. MixTailor (TMLR 2022) uses
 * Bulyan over Krum, geomed, cwmed and mean, with ℓp Krum: `inner=krum(p=3)`.
 *
 * Inner rules (option `inner`, a spec): krum, geomed, cwmed, cwtm, mean, mda,
 * meamed, phocas — the stateless deterministic rules whose output is a point
 * of the input space (not signmv, whose output is a sign vector, nor cc or nm,
 * which depend on a centre outside the inputs).
 *
 * Deliberate choices:
 * - A is applied with f while |R| allows it, then with the largest f' < f it
 *   accepts: Krum needs |R| ≥ 2f + 3, so on the last 2f + 2 and 2f + 1
 *   inputs it runs with f' = f − 1 (implementations that keep f score on
 *   |R| − f − 2 ≤ f − 1 neighbours there, down to none for f = 1).
 * - With f = 0 every input is selected and the output is the mean.
 * - Ties (two inputs equally close to A(R), two values equally close to the
 *   median) are broken by the lexicographic order of the vectors, and a
 *   contested last coordinate slot counts both values by half, so the output
 *   does not depend on input order.
 * - Non-finite inputs are infinitely far from A(R) and sort (NaN as
 *   +Infinity) to the ends of each coordinate; with at most f of them and an
 *   inner rule that ignores them (all the rules above but mean), the output is
 *   finite.
 */
import { krumVnBound } from './vn-bounds.ts';
import { lpDistance, pairwiseLp } from '../kernels/lp.ts';
import type { AggregationResult, Aggregator, Requirement } from './types.ts';
import { commonDimension, isFiniteVector, pairwiseSquaredDistances, squaredDistancesTo } from '../kernels/vector.ts';
import { lexCompare, sortedClosestMean, sortedColumnwise, sortedMedian } from '../kernels/subsets.ts';
import { parseSpec, resolveParams, SpecError } from '../spec.ts';
import { createRegistry } from '../registry.ts';
import { defineRule } from './define.ts';
import { cwmed } from './cwmed.ts';
import { cwtm } from './cwtm.ts';
import { geomed } from './geomed.ts';
import { krum } from './krum.ts';
import { mda } from './mda.ts';
import { mean } from './mean.ts';
import { meamed } from './meamed.ts';
import { phocas } from './phocas.ts';

const INNER = createRegistry('inner rule of bulyan', [krum, geomed, cwmed, cwtm, mean, mda, meamed, phocas]);

const params = {
  p: { description: 'ℓp distance of the selection phase (nearest to the inner rule’s output); 2 is Euclidean', default: 2, min: 1, omitAt: 2 },
};

/** The canonical spec of the default inner rule, which has a fast path (Krum on a precomputed distance matrix). */
const KRUM = 'krum(m=1)';

const options = {
  inner: { description: `selection rule: ${INNER.names().join(', ')}, with its parameters`, default: 'krum' },
};

/** Builds the inner rule from its spec; throws SpecError for anything but one allowed rule. */
export function bulyanInner(spec: string): Aggregator {
  const stages = parseSpec(spec);
  if (stages.length > 1) throw new SpecError(`bulyan: inner rule '${spec}' must be a single rule`);
  const { def, params, options: innerOptions } = INNER.resolve(stages[0]);
  return def.create(params, innerOptions);
}

/** The f the inner rule runs with on `count` inputs: f, or the largest f' < f it accepts; −1 if none. */
function innerF(inner: Aggregator, count: number, f: number): number {
  for (let g = f; g >= 0; g--) if (inner.requirement.check(count, g)) return g;
  return -1;
}

function requirementFor(inner: Aggregator): Requirement {
  const base = 'n ≥ 4f + 3';
  return {
    // Only Multi-Krum can refuse the last 2f + 1 inputs (it needs m ≤ f + 2 there).
    text: (parseSpec(inner.spec)[0].params.m ?? 1) > 1 ? `${base} and m ≤ f + 2 for ${inner.spec}` : base,
    check: (n, f) => {
      if (!Number.isInteger(f) || f < 0 || n < 4 * f + 3) return false;
      if (f === 0) return true;
      for (let count = n; count >= 2 * f + 1; count--) if (innerF(inner, count, f) < 0) return false;
      return true;
    },
  };
}

/** The norm of the inner rule when it is Krum (m = 1), ℓ2 or ℓp; undefined for any other rule. */
function innerKrumNorm(inner: Aggregator): number | undefined {
  const [stage] = parseSpec(inner.spec);
  if (stage.name !== 'krum' || (stage.params.m ?? 1) !== 1) return undefined;
  return Number(stage.params.p ?? 2);
}

/**
 * Krum (m = 1, ℓ2 or ℓp) on the inputs `members` (ascending indices) with f', from
 * the (squared) distance matrix of all n inputs: what krumAggregate returns on them,
 * since each matrix entry depends on its two vectors only. Same scores (the
 * |R| − f' − 2 smallest distances to the others, summed in ascending order;
 * +Infinity for a non-finite input), same order (lexicographic, then position).
 */
function krumChoice(D: Float64Array, n: number, members: readonly number[], g: number, vectors: readonly Float32Array[], finite: readonly boolean[]): number {
  const count = members.length;
  const neighbours = count - g - 2;
  const row = new Float64Array(count - 1);
  let best = -1;
  let bestScore = Infinity;
  for (const i of members) {
    let score = Infinity;
    if (finite[i]) {
      let r = 0;
      for (const j of members) if (j !== i) row[r++] = finite[j] ? D[i * n + j] : Infinity;
      row.sort();
      score = 0;
      for (let k = 0; k < neighbours; k++) score += row[k];
    }
    if (best < 0 || score < bestScore || (score === bestScore && lexCompare(vectors[i], vectors[best]) < 0)) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

export function bulyanAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { inner?: string | Aggregator; p?: number } = {},
): AggregationResult {
  const inner = typeof options.inner === 'object' ? options.inner : bulyanInner(options.inner ?? 'krum');
  const { p } = resolveParams('bulyan', params, options.p === undefined ? {} : { p: options.p });
  commonDimension(vectors, 'bulyan');
  const n = vectors.length;
  const requirement = requirementFor(inner);
  if (!requirement.check(n, f)) throw new Error(`bulyan requires ${requirement.text} (got n=${n}, f=${f})`);

  const theta = n - 2 * f;
  const beta = theta - 2 * f;
  const finite = vectors.map(isFiniteVector);
  const remaining = vectors.map((_, i) => i);
  const selected: number[] = [];
  if (f === 0) selected.push(...remaining.splice(0));
  // Krum's output is one of its inputs, and distances among the inputs do not change between steps:
  // one pass over the pairs serves every step (instead of one per step, and a distance pass per step).
  // For ℓp Krum the matrices are the entries krumScoresLp and lpDistance compute, bit for bit.
  const q = f > 0 ? innerKrumNorm(inner) : undefined;
  let D: Float64Array | undefined;
  let toChoice: Float64Array | undefined;
  if (q === 2 && inner.spec === KRUM) D = pairwiseSquaredDistances(vectors);
  else if (q !== undefined && q !== 2) {
    const lp = pairwiseLp(vectors, q);
    D = lp.squared;
    // The selection's ℓp distances to Krum's choice, from the same pass when the norms agree.
    toChoice = p === q ? lp.distance : p === 2 ? undefined : pairwiseLp(vectors, p).distance;
  }
  const dist = new Float64Array(n);
  while (selected.length < theta) {
    const pool = remaining.map((i) => vectors[i]);
    const g = innerF(inner, pool.length, f);
    let distances: ArrayLike<number>;
    if (D) {
      const c = krumChoice(D, n, remaining, g, vectors, finite);
      // ℓp Krum under ℓ2 selection: the distances the generic path computes to Krum's output, a copy of x_c.
      const E = toChoice ?? (q === 2 ? D : undefined);
      distances = E ? remaining.map((i) => (i === c ? 0 : E[c * n + i])) : squaredDistancesTo(vectors[c], pool, dist);
    } else {
      const target = inner.aggregate(pool, { f: g }).aggregate;
      distances = p === 2 ? squaredDistancesTo(target, pool, dist) : pool.map((x) => lpDistance(x, target, p));
    }
    let best = -1;
    let bestDistance = Infinity;
    for (let r = 0; r < remaining.length; r++) {
      const i = remaining[r];
      const dd = finite[i] ? distances[r] : Infinity;
      const d = dd === dd ? dd : Infinity;
      if (best < 0 || d < bestDistance || (d === bestDistance && finite[i] && lexCompare(vectors[i], vectors[remaining[best]]) < 0)) {
        best = r;
        bestDistance = d;
      }
    }
    selected.push(remaining[best]);
    remaining.splice(best, 1);
  }
  const chosen = selected.map((i) => vectors[i]);
  const aggregate = sortedColumnwise(chosen, 'bulyan', (s, lo, m) => sortedClosestMean(s, lo, m, beta, sortedMedian(s, lo, m)));
  return { aggregate, diagnostics: { selected, trimmed: f, rule: inner.spec } };
}

export const bulyan = defineRule({
  name: 'bulyan',
  summary: 'Bulyan: select n − 2f inputs with an inner rule (Krum), then average the n − 4f values nearest each coordinate’s median.',
  reference: 'El Mhamdi, Guerraoui, Rouault, The Hidden Vulnerability of Distributed Learning in Byzantium, ICML 2018',
  params,
  options,
  setup: ({ p, inner }) => ({ p, inner: bulyanInner(inner) }),
  canonical: ({ p, inner }) => ({ p, inner: inner.spec }),
  vnBound: (n, f, { p, inner }) => (p === 2 && inner.spec === KRUM ? krumVnBound(n, f) : undefined),
  requirement: ({ inner }) => requirementFor(inner),
  aggregate: (vectors, ctx, setup) => bulyanAggregate(vectors, ctx.f, setup),
});
