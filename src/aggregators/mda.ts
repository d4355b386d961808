/**
 * mda — minimum-diameter averaging.
 *
 *   S* = argmin_{S ⊆ [n], |S| = n − f} max_{i, j ∈ S} ‖xᵢ − xⱼ‖₂,   mda = (1/|S*|) Σ_{i ∈ S*} xᵢ
 *
 * Requirement: n ≥ 2f + 1.
 *
 * References: El Mhamdi, Guerraoui, Rouault, The Hidden Vulnerability of
 * Distributed Learning in Byzantium, ICML 2018 (MDA, after Rousseeuw's
 * minimum-volume ellipsoid); El Mhamdi et al., Genuinely Distributed Byzantine
 * Machine Learning, PODC 2020.
 *
 * The search is exact without listing all C(n, n − f) subsets: the optimal
 * diameter is one of the pairwise distances, found by bisection over them;
 * whether a diameter ≤ T is reachable asks whether removing at most f inputs
 * leaves no pair farther apart than T, a vertex cover of size ≤ f in the
 * "conflict" graph, decided by branching on the farthest conflicting pair (one
 * of the two must go) with the usual reductions (an input with more than the
 * remaining budget of conflicts must go; a greedy matching larger than the
 * budget proves failure). Each search node counts against `maxSubsets`; past
 * it the rule throws, naming C(n, n − f).
 *
 * Deliberate choices:
 * - Ties between subsets of the same minimum diameter are broken by keeping
 *   inputs early in the lexicographic order of the vectors (as krum breaks its
 *   ties), so the output does not depend on the order inputs arrived in.
 * - An input with a non-finite coordinate is infinitely far from every other
 *   input: with at most f of them every minimum-diameter subset excludes them.
 */
import { mdaVnBound } from './vn-bounds.ts';
import type { AggregationResult } from './types.ts';
import { commonDimension, isFiniteVector, meanOf, pairwiseSquaredDistances } from '../kernels/vector.ts';
import { binomial, lexCompare } from '../kernels/subsets.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  maxSubsets: {
    description:
      'search nodes (candidate subsets) examined before giving up; at most 1e8: exhaustive MDA lists C(n, f) subsets, 2,035,800 at n = 30, f = 7, and each node costs O(n²)',
    default: 1e6,
    min: 1,
    max: 1e8,
    integer: true,
  },
};

/** Exact minimum-diameter subset of size n − f; see the header for the method. */
function minimumDiameterSubset(
  vectors: readonly Float32Array[],
  f: number,
  maxSubsets: number,
): { selected: number[]; diameter: number; searched: number } {
  const n = vectors.length;
  const finite = vectors.map(isFiniteVector);
  const dist = pairwiseSquaredDistances(vectors);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a !== b && (!finite[a] || !finite[b] || !(dist[a * n + b] < Infinity))) dist[a * n + b] = Infinity;
    }
  }
  let searched = 0;

  /** Can removing ≤ budget alive, non-kept inputs leave no alive pair farther than T? */
  const coverable = (T: number, aliveIn: Uint8Array, keptIn: Uint8Array, budgetIn: number): boolean => {
    if (++searched > maxSubsets) {
      throw new Error(
        `mda: exact search passed maxSubsets=${maxSubsets} candidate subsets ` +
          `(out of C(${n}, ${n - f}) = ${binomial(n, n - f)}); raise maxSubsets or lower f`,
      );
    }
    const alive = aliveIn.slice();
    const kept = keptIn.slice();
    let budget = budgetIn;
    for (let changed = true; changed; ) {
      changed = false;
      for (let v = 0; v < n; v++) {
        if (!alive[v]) continue;
        let degree = 0;
        for (let u = 0; u < n; u++) if (u !== v && alive[u] && dist[v * n + u] > T) degree++;
        if (degree === 0) continue;
        if (kept[v]) {
          for (let u = 0; u < n; u++) {
            if (u === v || !alive[u] || !(dist[v * n + u] > T)) continue;
            if (kept[u]) return false;
            alive[u] = 0;
            budget--;
          }
          changed = true;
        } else if (degree > budget) {
          alive[v] = 0;
          budget--;
          changed = true;
        }
        if (budget < 0) return false;
      }
    }
    let a = -1;
    let b = -1;
    let far = T;
    const matched = new Uint8Array(n);
    let matching = 0;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      for (let j = i + 1; j < n; j++) {
        if (!alive[j] || !(dist[i * n + j] > T)) continue;
        if (dist[i * n + j] > far || a < 0) {
          far = dist[i * n + j];
          a = i;
          b = j;
        }
        if (!matched[i] && !matched[j]) {
          matched[i] = matched[j] = 1;
          matching++;
        }
      }
    }
    if (a < 0) return true;
    if (matching > budget) return false;
    // After the reductions no kept input has a conflict, so neither a nor b is kept.
    alive[a] = 0;
    if (coverable(T, alive, kept, budget - 1)) return true;
    alive[a] = 1;
    kept[a] = 1;
    alive[b] = 0;
    return coverable(T, alive, kept, budget - 1);
  };

  const all = new Uint8Array(n).fill(1);
  const none = new Uint8Array(n);
  const candidates: number[] = [0];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) candidates.push(dist[a * n + b]);
  candidates.sort((x, y) => x - y);
  let lo = 0;
  let hi = candidates.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (coverable(candidates[mid], all, none, f)) hi = mid;
    else lo = mid + 1;
  }
  const T = candidates[lo];

  const rank = vectors.map((_, i) => i);
  rank.sort((i, j) => Number(finite[j]) - Number(finite[i]) || (finite[i] ? lexCompare(vectors[i], vectors[j]) : 0) || i - j);
  const alive = all.slice();
  const kept = none.slice();
  let budget = f;
  let count = 0;
  for (const v of rank) {
    if (count === n - f) break;
    kept[v] = 1;
    if (coverable(T, alive, kept, budget)) {
      count++;
    } else {
      kept[v] = 0;
      alive[v] = 0;
      budget--;
    }
  }
  const selected = rank.filter((i) => kept[i]).sort((i, j) => i - j);
  return { selected, diameter: Math.sqrt(T), searched };
}

export function mdaAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { maxSubsets?: number } = {},
): AggregationResult {
  const given: Record<string, number> = options.maxSubsets === undefined ? {} : { maxSubsets: options.maxSubsets };
  const { maxSubsets } = resolveParams('mda', params, given);
  commonDimension(vectors, 'mda');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`mda requires ${requirement.text} (got n=${n}, f=${f})`);
  const { selected, diameter, searched } = minimumDiameterSubset(vectors, f, maxSubsets);
  return {
    aggregate: meanOf(selected.map((i) => vectors[i])),
    diagnostics: { selected, diameter, searched },
  };
}

export const mda = defineRule({
  name: 'mda',
  summary: 'Minimum-diameter averaging: mean of the n − f inputs with the smallest diameter (exact search).',
  reference: 'El Mhamdi, Guerraoui, Rouault, The Hidden Vulnerability of Distributed Learning in Byzantium, ICML 2018',
  params,
  vnBound: (n, f) => mdaVnBound(n, f),
  requirement,
  aggregate: (vectors, ctx, values) => mdaAggregate(vectors, ctx.f, values),
});
