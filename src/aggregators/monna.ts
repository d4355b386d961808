/**
 * monna — MoNNA's nearest-neighbour averaging around a trusted input.
 *
 *   monna(x₁, …, xₙ) = (1/(n − f)) Σ_{i ∈ N(p)} xᵢ
 *
 * where p is the pivot, an input the server trusts, and N(p) its n − f
 * nearest inputs in ℓ2 (p itself included, at distance 0). MoNNA is
 * momentum at the workers (byzsim's `optimizer.workerMomentum`) plus this
 * average; the rule is the average.
 * Requirement: n ≥ 2f + 1 (as ByzFL checks, 2f < n), and the pivot's input
 * present. The guarantee assumes the pivot is honest: under byzsim's default
 * schedule the Byzantine workers are the last f, so the default pivot, worker
 * 0, is; a schedule that corrupts it voids the guarantee.
 *
 * Reference: Farhadkhani, Guerraoui, Gupta, Hoang, Pinot, Stephan, Robust
 * Collaborative Learning with Linear Gradient Overhead, ICML 2023 (the
 * reference ByzFL's MoNNA cites).
 *
 * Deliberate differences from ByzFL's MoNNA(f, idx) (byzfl/aggregators/aggregators.py):
 * - The pivot names a worker, not a position: the server passes the sender of
 *   each input (ctx.senders) and the pivot's input is found among them, so
 *   the rule does not depend on the order inputs arrived in; without senders
 *   (a library call, a composition after a pre-aggregator) the pivot is a
 *   position, as ByzFL's idx. An absent pivot is an error naming it.
 * - Ties at the (n − f)-th distance are broken by the lexicographic order of
 *   the vectors (as krum breaks its ties), not by numpy's argpartition.
 * - A distance that is NaN (an input with NaN) counts as +∞, as it sorts in
 *   numpy: with at most f non-finite inputs and a finite pivot none is kept.
 *   A non-finite pivot makes the output non-finite.
 */
import type { AggregationResult } from './types.ts';
import { commonDimension, meanOf, squaredDistancesTo } from '../kernels/vector.ts';
import { lexCompare } from '../kernels/subsets.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  pivot: {
    description: 'the trusted worker (ByzFL idx) whose n − f nearest inputs are averaged; a position when the caller names no senders',
    default: 0,
    min: 0,
    integer: true,
  },
};

/** Where the pivot's input is: its sender's position, or the pivot itself as a position when there are no senders. */
function pivotPosition(n: number, pivot: number, senders: readonly number[] | undefined): number {
  if (senders) {
    if (senders.length !== n) throw new Error(`monna: senders names ${senders.length} workers for ${n} inputs`);
    const k = senders.indexOf(pivot);
    if (k < 0) throw new Error(`monna: the pivot, worker ${pivot}, sent no input (inputs from workers ${senders.join(', ')})`);
    return k;
  }
  if (pivot >= n) throw new Error(`monna: the pivot, input ${pivot}, is absent (n=${n}; without senders the pivot is a position)`);
  return pivot;
}

export function monnaAggregate(
  vectors: readonly Float32Array[],
  f: number,
  options: { pivot?: number; senders?: readonly number[] } = {},
): AggregationResult {
  const { pivot } = resolveParams('monna', params, options.pivot === undefined ? {} : { pivot: options.pivot });
  commonDimension(vectors, 'monna');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`monna requires ${requirement.text} (got n=${n}, f=${f})`);
  const p = pivotPosition(n, pivot, options.senders);
  const dist = squaredDistancesTo(vectors[p], vectors);
  const far = (i: number) => (dist[i] === dist[i] ? dist[i] : Infinity);
  const others = vectors.map((_, i) => i).filter((i) => i !== p);
  others.sort((a, b) => far(a) - far(b) || lexCompare(vectors[a], vectors[b]) || a - b);
  const kept = [p, ...others.slice(0, n - f - 1)];
  // Summed in the vectors' order, so the output is the same bit for bit whatever the input order.
  const summed = kept.slice().sort((a, b) => lexCompare(vectors[a], vectors[b]) || a - b);
  return {
    aggregate: meanOf(summed.map((i) => vectors[i])),
    diagnostics: { selected: kept.sort((a, b) => a - b) },
  };
}

export const monna = defineRule({
  name: 'monna',
  summary: 'MoNNA: mean of the n − f inputs nearest the input of a trusted worker, the pivot.',
  reference: 'Farhadkhani, Guerraoui, Gupta, Hoang, Pinot, Stephan, Robust Collaborative Learning with Linear Gradient Overhead, ICML 2023',
  params,
  requirement,
  aggregate: (vectors, ctx, { pivot }) => monnaAggregate(vectors, ctx.f, { pivot, ...(ctx.senders ? { senders: ctx.senders } : {}) }),
});
