/**
 * foolsgold — weights from how alike each worker's history of updates is to
 * another's.
 *
 *   Hᵢ ← Hᵢ + xᵢ                                 (worker i's history, kept across rounds)
 *   csᵢⱼ = cos(Hᵢ, Hⱼ) for j ≠ i,   vᵢ = max(0, maxⱼ csᵢⱼ)
 *   pardoning: csᵢⱼ ← csᵢⱼ · vᵢ / vⱼ  where vⱼ > vᵢ
 *   αᵢ = min(1, max(0, 1 − maxⱼ csᵢⱼ)),   αᵢ ← αᵢ / maxₖ αₖ,   1 ↦ 0.99
 *   wᵢ = min(1, max(0, κ (ln(αᵢ / (1 − αᵢ)) + 0.5)))
 *   foolsgold(x₁, …, xₙ) = Σᵢ wᵢxᵢ / Σᵢ wᵢ
 *
 * Sybils pursuing one goal send updates whose histories point one way: their
 * cosines approach 1 and their weights 0, while honest workers with diverse
 * data stay apart. Pardoning scales down the similarity of a worker to one
 * more suspicious than itself, so that an honest worker is not punished for
 * resembling a sybil; the logit pushes the weights to 0 or 1 (κ its slope).
 * The rule never reads f: FoolsGold bounds no number of sybils. It assumes
 * instead that honest histories are not parallel to each other.
 * Requirement: n ≥ f + 1, one honest input at least.
 *
 * Reference: Fung, Yoon, Beschastnikh, The Limitations of Federated Learning
 * in Sybil Settings, RAID 2020 (Algorithm 1).
 *
 * Peers, transcribed in test/fixtures/peers/clustering_foolsgold.py: the
 * authors' code (github DistributedML/FoolsGold, deep-fg/fg/foolsgold.py at
 * 661f7fd2bb3fcca71db94e7b40affeeb1dfd08fa for the weights, with
 * deep-fg/fg/trainer.py at 19cc49a8 for the history, `memory += grads`; the
 * same weights as ML/code/logistic_aggregator.py at 31f2865b) and FLPoison
 * (github vio1etus/FLPoison, aggregators/foolsgold.py at
 * eb74fb2440478b68c09decdbaeb8d0c9d0616d1d).
 *
 * Deliberate differences and choices:
 * - The output is the weighted mean. Algorithm 1 and the authors' ML code add
 *   Σ wᵢΔᵢ to the model, FLPoison returns that sum, the authors' deep-learning
 *   trainer divides it by n: a sum grows with n, and a division by n shrinks
 *   the step by the sybils' share. Σ wᵢxᵢ / Σ wᵢ has the scale of one update,
 *   like every other rule, and F(x, …, x) = x.
 * - vᵢ is at least 0: every implementation takes the maximum of cs − I, whose
 *   diagonal is 0. The paper's maximum over j ≠ i alone can be negative, and
 *   pardoning's vᵢ/vⱼ with it would raise a dissimilar worker's similarity.
 * - When every αᵢ is 0 (each history parallel to another), α/max α is 0/0,
 *   NaN in every implementation; nothing tells the inputs apart, so they are
 *   weighted equally.
 * - No ε: FLPoison adds 1e-6 to vᵢ and inside the logarithm (the authors' later
 *   ML/code/model_aggregator.py 1e-5); the paper and the authors' deep-learning
 *   code have none.
 * - Every coordinate counts. FLPoison restricts the cosines to "indicative
 *   features" (the top 10% of each class's output-layer weights of the global
 *   model), the paper's optional feature importance; a rule sees vectors, not
 *   the model. The authors' experiment drivers use all features too.
 * - No normalization: the authors' driver (ML/code/ML_main.py) and FLPoison
 *   divide each update of norm > 1 by its norm before it enters the history
 *   and the sum; Algorithm 1 does not. Workers can clip their own updates.
 * - Workers are told apart by ctx.senders (the server passes them; inputs[k]
 *   is worker senders[k]'s), or by position when absent. The cosines are among
 *   this round's workers; an absent worker keeps its history for later.
 * - An input with a non-finite coordinate gets weight 0 and leaves its worker's
 *   history unchanged, which one NaN would otherwise spoil for good.
 * - Histories and cosines in float64. A call whose dimension differs from the
 *   histories' forgets them (a new model); `reset()` forgets them too.
 */
import type { AggregationResult, Aggregator, Requirement } from './types.ts';
import { commonDimension, squaredNorms, weightedMeanOf } from '../kernels/vector.ts';
import { defineRule } from './define.ts';

const params = {
  kappa: { description: 'confidence κ: slope of the logit that maps similarity to weight', default: 1, min: 0, exclusiveMin: true },
};

const requirement: Requirement = {
  text: 'n ≥ f + 1',
  check: (n, f) => Number.isInteger(f) && f >= 0 && n >= f + 1,
};

/** Columns per pass of gram64: 512 float64 per history, so a pass over a few hundred stays in cache. */
const BLOCK = 512;

/**
 * Hᵢ·Hⱼ for float64 rows, row-major m × m, one blocked pass over the columns.
 * The sum for a pair runs over the columns in the same order whichever of the
 * two comes first (per block of BLOCK columns from 0, the blocks' sums added
 * in column order), so each entry depends on its two rows only. Rows go two
 * at a time against four (eight sums per load of six values), then against
 * two and one; the entries below the diagonal that a tile computes on the
 * way are overwritten from those above it.
 */
function gram64(rows: readonly Float64Array[], d: number): Float64Array {
  const m = rows.length;
  const G = new Float64Array(m * m);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const j1 = Math.min(d, j0 + BLOCK);
    let a = 0;
    for (; a + 1 < m; a += 2) {
      const x0 = rows[a];
      const x1 = rows[a + 1];
      const r0 = a * m;
      const r1 = r0 + m;
      let b = a;
      for (; b + 3 < m; b += 4) {
        const y0 = rows[b];
        const y1 = rows[b + 1];
        const y2 = rows[b + 2];
        const y3 = rows[b + 3];
        let s00 = 0;
        let s01 = 0;
        let s02 = 0;
        let s03 = 0;
        let s10 = 0;
        let s11 = 0;
        let s12 = 0;
        let s13 = 0;
        for (let j = j0; j < j1; j++) {
          const u = x0[j];
          const v = x1[j];
          const p = y0[j];
          const q = y1[j];
          const r = y2[j];
          const t = y3[j];
          s00 += u * p;
          s01 += u * q;
          s02 += u * r;
          s03 += u * t;
          s10 += v * p;
          s11 += v * q;
          s12 += v * r;
          s13 += v * t;
        }
        G[r0 + b] += s00;
        G[r0 + b + 1] += s01;
        G[r0 + b + 2] += s02;
        G[r0 + b + 3] += s03;
        G[r1 + b] += s10;
        G[r1 + b + 1] += s11;
        G[r1 + b + 2] += s12;
        G[r1 + b + 3] += s13;
      }
      for (; b < m; b++) {
        const y = rows[b];
        let s0 = 0;
        let s1 = 0;
        for (let j = j0; j < j1; j++) {
          const t = y[j];
          s0 += x0[j] * t;
          s1 += x1[j] * t;
        }
        G[r0 + b] += s0;
        G[r1 + b] += s1;
      }
    }
    if (a < m) {
      const x = rows[a];
      let s = 0;
      for (let j = j0; j < j1; j++) s += x[j] * x[j];
      G[a * m + a] += s;
    }
  }
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) G[b * m + a] = G[a * m + b];
  return G;
}

/** FoolsGold's weight for each history (rows of equal length), Algorithm 1 from the cosines to the logit. */
export function foolsgoldWeights(histories: readonly Float64Array[], kappa = 1): Float64Array {
  const m = histories.length;
  const G = gram64(histories, m ? histories[0].length : 0);
  const cs = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      // √(‖a‖²‖b‖²) rather than ‖a‖·‖b‖: equal histories then have cosine exactly 1 (√(s²) = s in floating point).
      const scale = Math.sqrt(G[a * m + a] * G[b * m + b]);
      cs[a * m + b] = cs[b * m + a] = scale > 0 ? Math.min(1, Math.max(-1, G[a * m + b] / scale)) : 0;
    }
  }
  const v = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (j !== i && cs[i * m + j] > v[i]) v[i] = cs[i * m + j];
  const alpha = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let top = 0;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const pardoned = v[j] > v[i] ? (cs[i * m + j] * v[i]) / v[j] : cs[i * m + j];
      if (pardoned > top) top = pardoned;
    }
    alpha[i] = Math.min(1, Math.max(0, 1 - top));
  }
  const peak = alpha.reduce((a, b) => Math.max(a, b), 0);
  if (peak === 0) return new Float64Array(m).fill(1);
  return alpha.map((a) => {
    const r = a / peak === 1 ? 0.99 : a / peak;
    const w = kappa * (Math.log(r / (1 - r)) + 0.5);
    return w > 1 ? 1 : w > 0 ? w : 0;
  });
}

/** A foolsgold instance: an Aggregator that keeps every worker's history. */
export interface FoolsgoldAggregator extends Aggregator {
  /** Worker ids with a history, ascending. */
  readonly workers: readonly number[];
  /** A copy of worker `id`'s history (the sum of its finite inputs), or null. */
  history(id: number): Float64Array | null;
  /** Forgets every history. */
  reset(): void;
}

export const foolsgold = defineRule({
  name: 'foolsgold',
  summary: 'FoolsGold: weights from the cosine similarity of per-worker histories (pardoning, logit); sybils that agree get weight 0 (stateful).',
  reference: 'Fung, Yoon, Beschastnikh, The Limitations of Federated Learning in Sybil Settings, RAID 2020',
  params,
  requirement,
  stateful: true,
  init({ kappa }): Pick<FoolsgoldAggregator, 'workers' | 'history' | 'reset' | 'aggregate'> {
    const histories = new Map<number, Float64Array>();
    let dimension = -1;
    return {
      get workers() {
        return [...histories.keys()].sort((a, b) => a - b);
      },
      history(id) {
        return histories.get(id)?.slice() ?? null;
      },
      reset() {
        histories.clear();
        dimension = -1;
      },
      aggregate(vectors, ctx): AggregationResult {
        const d = commonDimension(vectors, 'foolsgold');
        const n = vectors.length;
        if (!requirement.check(n, ctx.f)) throw new Error(`foolsgold requires ${requirement.text} (got n=${n}, f=${ctx.f})`);
        const ids = ctx.senders ? Array.from(ctx.senders) : vectors.map((_, k) => k);
        if (ids.length !== n) throw new Error(`foolsgold: ${ids.length} senders for ${n} inputs`);
        const twice = ids.find((id, k) => ids.indexOf(id) !== k);
        if (twice !== undefined) throw new Error(`foolsgold: worker ${twice} sent two inputs in one round`);
        if (d !== dimension) {
          histories.clear();
          dimension = d;
        }
        // ‖xₖ‖² is finite iff xₖ is (float32 squares cannot overflow the float64 sum): one SIMD pass.
        const sq = squaredNorms(vectors);
        const finite = vectors.flatMap((_, k) => (sq[k] < Infinity ? [k] : []));
        const weights = new Float64Array(n);
        if (finite.length === 0) {
          // Every input non-finite: outside the contract; NaN says so.
          return { aggregate: new Float32Array(d).fill(NaN), diagnostics: { selected: [], weights: Array.from(weights) } };
        }
        const rows = finite.map((k) => {
          let h = histories.get(ids[k]);
          if (!h) histories.set(ids[k], (h = new Float64Array(d)));
          const x = vectors[k];
          for (let j = 0; j < d; j++) h[j] += x[j];
          return h;
        });
        foolsgoldWeights(rows, kappa).forEach((w, r) => (weights[finite[r]] = w));
        const selected = finite.filter((k) => weights[k] > 0);
        return { aggregate: weightedMeanOf(vectors, weights), diagnostics: { selected, weights: Array.from(weights) } };
      },
    };
  },
});
