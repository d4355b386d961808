/**
 * caf — covariance-bound agnostic filter.
 *
 * Weights cᵢ = 1; while Σᵢ cᵢ > n − 2f, one round:
 *
 *   μ_c = Σᵢ cᵢxᵢ / Σᵢ cᵢ,   Σ_c = Σᵢ cᵢ(xᵢ − μ_c)(xᵢ − μ_c)ᵀ / Σᵢ cᵢ,
 *   v = the top eigenvector of Σ_c (eigenvalue λ_max),
 *   τᵢ = ((xᵢ − μ_c)ᵀv)²,   cᵢ ← cᵢ (1 − τᵢ / τ_max);
 *
 * the output is the μ_c of the round with the smallest λ_max. With f = 0 no
 * round runs and the output is the mean (of the finite inputs).
 * Requirement: n ≥ 2f + 1 (ByzFL checks 2f < n).
 *
 * Reference: Allouah, Guerraoui, Stephan, Towards Trustworthy Federated
 * Learning with Untrusted Participants, ICML 2025 (CAF, the aggregation step
 * of CafCor; the reference ByzFL's CAF cites).
 *
 * A round runs in the space of the inputs, not of the coordinates: with
 * wᵢ = cᵢ/Σc and G the Gram matrix of the xᵢ − μ_c over the inputs still
 * weighted, Σ_c and K = W^½ G W^½ have the same nonzero eigenvalues, and if
 * Ku = λu then v ∝ Σᵢ √wᵢ uᵢ (xᵢ − μ_c), so (xᵢ − μ_c)ᵀv = (G W^½ u)ᵢ / √λ.
 * G comes from the squared distances, computed once from exact differences:
 * Gᵢⱼ = ½ (aᵢ + aⱼ − b − D²ᵢⱼ), aᵢ = Σₖ wₖ D²ᵢₖ, b = Σᵢ wᵢ aᵢ. A round costs
 * O(n³) (cyclic Jacobi on K), whatever d, and translating the inputs changes
 * no weight.
 *
 * Deliberate differences from ByzFL's CAF (byzfl/aggregators/aggregators.py):
 * - ByzFL takes one power-method step from a random start (np.random.randn)
 *   for v and λ_max, so its weights and its choice of round are random;
 *   byzsim computes the top eigenpair exactly (Jacobi, to float64 rounding).
 * - τ_max is the largest τᵢ among inputs still weighted (cᵢ > 0); ByzFL takes
 *   it over all inputs. Then every round zeroes at least one weight and the
 *   loop ends within n rounds; in ByzFL an input already zeroed far away keeps
 *   τ_max large and the others' weights shrink by about (σ/R)² a round
 *   (inputs ±1 and one at 1e6, f = 2: 10¹² rounds).
 * - With f = 0 ByzFL runs no round and returns None; byzsim returns the mean.
 * - When the weighted inputs coincide (λ_max = 0) their mean is returned:
 *   no covariance is smaller. ByzFL divides by ‖Σ_c v‖ = 0 there.
 * - An input with a non-finite coordinate starts with weight 0: it is
 *   filtered before the first round (it would have τ = +∞) and the others
 *   keep theirs; it still counts in n.
 * - The rounds run on the inputs in the lexicographic order of the vectors,
 *   so when λ_max is repeated (any vector of its eigenspace fits the
 *   algorithm) the one chosen, hence the output, does not depend on the order
 *   inputs arrived in.
 */
import type { AggregationResult } from './types.ts';
import { commonDimension, meanOf, weightedMeanOf } from '../kernels/vector.ts';
import { canonicalOrder, finiteInputs, squaredDistanceMatrix, topEigenpair } from './smea.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

interface CafRounds {
  /** Weights of the returned round, by position in `order`. */
  weights: Float64Array;
  /** λ_max of Σ_c in that round (undefined when no round ran, f = 0). */
  eigenvalue: number | undefined;
  rounds: number;
}

/** The filter on the inputs at order[0, count) (finite, canonical order), with n − 2f the weight at which it stops. */
function filter(D2: Float64Array, count: number, stopAt: number): CafRounds {
  const c = new Float64Array(count).fill(1);
  let total = count;
  let best = c.slice();
  let bestLambda = Infinity;
  let rounds = 0;
  while (total > stopAt) {
    rounds++;
    const kept: number[] = [];
    for (let k = 0; k < count; k++) if (c[k] > 0) kept.push(k);
    const m = kept.length;
    const w = Float64Array.from(kept, (k) => c[k] / total);
    const a = new Float64Array(m);
    let b = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) a[i] += w[j] * D2[kept[i] * count + kept[j]];
      b += w[i] * a[i];
    }
    const G = new Float64Array(m * m);
    const K = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        G[i * m + j] = 0.5 * (a[i] + a[j] - b - D2[kept[i] * count + kept[j]]);
        K[i * m + j] = Math.sqrt(w[i] * w[j]) * G[i * m + j];
      }
    }
    const { value: lambda, vector: u } = topEigenpair(K, m);
    if (lambda < bestLambda) {
      bestLambda = lambda;
      best = c.slice();
    }
    // The weighted inputs coincide: nothing to filter, and no round can have a smaller λ_max.
    if (!(lambda > 0)) break;
    const tau = new Float64Array(m);
    let tauMax = 0;
    for (let i = 0; i < m; i++) {
      let g = 0;
      for (let j = 0; j < m; j++) g += G[i * m + j] * Math.sqrt(w[j]) * u[j];
      tau[i] = (g * g) / lambda;
      tauMax = Math.max(tauMax, tau[i]);
    }
    if (!(tauMax > 0)) break;
    total = 0;
    for (let i = 0; i < m; i++) {
      c[kept[i]] *= 1 - tau[i] / tauMax;
      total += c[kept[i]];
    }
  }
  return { weights: best, eigenvalue: rounds === 0 ? undefined : bestLambda, rounds };
}

export function cafAggregate(vectors: readonly Float32Array[], f: number): AggregationResult {
  commonDimension(vectors, 'caf');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`caf requires ${requirement.text} (got n=${n}, f=${f})`);
  const finite = finiteInputs(vectors);
  const order = canonicalOrder(vectors, finite);
  const count = finite.filter(Boolean).length;
  // Nothing to filter: every input is non-finite, and so is their mean.
  if (count === 0) return { aggregate: meanOf(vectors), diagnostics: { selected: [], iterations: 0 } };
  const D2 = squaredDistanceMatrix(vectors, order.slice(0, count));
  const { weights, eigenvalue, rounds } = filter(D2, count, n - 2 * f);
  const kept = order.slice(0, count).filter((_, k) => weights[k] > 0);
  const byPosition = new Float64Array(n);
  for (let k = 0; k < count; k++) byPosition[order[k]] = weights[k];
  return {
    // Summed in the canonical order (inputs of weight 0 skipped), so the output does not depend on the input order.
    aggregate: weightedMeanOf(
      kept.map((i) => vectors[i]),
      kept.map((i) => byPosition[i]),
    ),
    diagnostics: {
      selected: kept.slice().sort((x, y) => x - y),
      weights: Array.from(byPosition),
      iterations: rounds,
      ...(eigenvalue === undefined ? {} : { eigenvalue }),
    },
  };
}

export const caf = defineRule({
  name: 'caf',
  summary: 'Covariance-bound agnostic filter: down-weight inputs along the top eigenvector of the weighted covariance; mean of the round with the smallest top eigenvalue.',
  reference: 'Allouah, Guerraoui, Stephan, Towards Trustworthy Federated Learning with Untrusted Participants, ICML 2025',
  requirement,
  aggregate: (vectors, ctx) => cafAggregate(vectors, ctx.f),
});
