/**
 * Per-round learning metrics, observed beside a run and never recorded in its
 * trace (so never in its hash): for each round t,
 *   - the honest gradients the workers sent in round t (whether or not they
 *     arrived), g_i for i in H_t: their count, the norm of their mean
 *     ‖ḡ_t‖ and their variance σ_t² = (1/|H_t|) Σ ‖g_i − ḡ_t‖²;
 *   - the aggregate a_t against that mean: ‖a_t − ḡ_t‖ and cos(a_t, ḡ_t);
 *   - the rule's selection (`diagnostics.selected`, by worker, as the trace
 *     names it: Krum's selection histogram) and the round's Byzantine set
 *     (from the ledger);
 *   - the variance-to-norm ratio of the DP paper (Guerraoui et al., PODC 2021,
 *     eq. 2 and eq. 8; src/aggregators/vn-bounds.ts) on the round's honest
 *     gradients before any DP noise (clipped, as the workers computed them):
 *     vn = √V̂ / ‖ḡ‖ with the unbiased V̂ = (1/(k − 1)) Σ ‖g_i − ḡ‖²,
 *     vnDp = √(V̂ + p·d·s²) / ‖ḡ‖ where d·s² is the noise's variance and p the
 *     share of those k gradients that were noised (vnDp = vn without DP),
 *     and whether vnDp ≤ k_F(n, f), the rule's bound, when it has one.
 *     Without DP and worker momentum these are the gradients sent; otherwise
 *     the runner hands each honest gradient over as computed (`computed`).
 *
 * The vectors come from where the run already holds them: honest gradients
 * from the network's `sent$` stream at the moment they are sent (a gradient
 * is honest when the ledger does not give its sender's round to the
 * adversary: the same test the worker made before sending it), the aggregate
 * from the `aggregate` event's payload (never serialized). Memory is O(d)
 * scratch, reused from round to round, plus O(rounds) scalars: the mean and
 * the sum of squared deviations are accumulated streaming in float64
 * (Welford's update, summed over coordinates), and the round is finalized
 * when its `aggregate` or `aggregate-skipped` event is recorded. A gradient
 * of round t sent after the server closed round t (a straggler) was never a
 * candidate input and is not counted.
 */
import type { ByzantineLedger } from '../adversary/ledger.ts';
import type { Message } from '../sim/network.ts';
import type { TraceEvent, TraceSink } from '../sim/trace.ts';
import { SERVER, workerIndex } from '../sim/address.ts';
import type { GradientFn } from './worker-momentum.ts';

/** One column per metric, one entry per round that ended (aggregated or skipped), in round order. */
export interface PerRoundMetrics {
  round: number[];
  /** Honest gradients sent in the round. */
  honestCount: number[];
  /** ‖ḡ_t‖, the norm of the honest gradients' mean; null when none was sent. */
  honestNorm: (number | null)[];
  /** (1/|H_t|) Σ ‖g_i − ḡ_t‖², the mean squared distance to that mean; null when none was sent. */
  honestVariance: (number | null)[];
  /** ‖a_t − ḡ_t‖; null when the round was skipped or no honest gradient was sent. */
  aggregateDistance: (number | null)[];
  /** ⟨a_t, ḡ_t⟩ / (‖a_t‖ ‖ḡ_t‖); null as for the distance, or when either vector is zero. */
  aggregateCosine: (number | null)[];
  /** The round's Byzantine workers, ascending (empty without an adversary). */
  byzantine: number[][];
  /** The workers the rule selected (`diagnostics.selected`), or null for a rule that selects none or a skipped round. */
  selected: (number[] | null)[];
  /** The VN ratio √V̂ / ‖ḡ‖ (eq. 2) of the round's honest gradients before noise; Infinity for a zero mean with V̂ > 0; null with fewer than 2, or 0/0. */
  vn: (number | null)[];
  /** The VN ratio with the DP noise's variance (eq. 8); equals vn without DP. */
  vnDp: (number | null)[];
  /** Whether vnDp ≤ k_F(n, f); null when the rule has no bound or vnDp is null. */
  vnHolds: (boolean | null)[];
}

/** How the run's VN ratios compare with the rule's bound. */
export interface VnCondition {
  /** The rule the bound is for (the server's spec). */
  rule: string;
  /** k_F(n, f), or null when the DP paper gives the rule none (or pre-aggregation stands before it). */
  bound: number | null;
  /** Rounds with a VN ratio measured. */
  measured: number;
  /** Share of those rounds where vnDp ≤ bound; null without a bound or a measured round. */
  holdsFraction: number | null;
}

export interface MetricsOptions {
  /** d·s², the variance of the DP noise on a noised gradient (0 without DP); read when a round ends (d is known once the task is built). */
  noiseVariance?: () => number;
  /** k_F(n, f) of the server's rule, when it has one. */
  vnBound?: number;
  /** The rule's spec, for the VN condition's summary. */
  rule?: string;
  /** The VN ratio comes from `computed` (the honest gradients before noise or momentum), not from the gradients sent. */
  computedChannel?: boolean;
}

export interface MetricsCollector {
  /** Sees the trace's events: finalizes a round at its `aggregate` (the payload is the aggregate) or `aggregate-skipped`. */
  readonly sink: TraceSink;
  /** Sees every message as it is sent (subscribe it to the network's `sent$`). */
  sent(message: Message): void;
  /** An honest gradient of `round` as worker `worker` computed it, before any noise or momentum; `noised`: DP noise was added to what it sent. */
  computed(worker: number, round: number, gradient: Float32Array, noised: boolean): void;
  result(): PerRoundMetrics;
  vnCondition(): VnCondition;
}

/** Welford's update of coordinate j's mean by x = g[j] (1/k = inv); returns its term of Σ‖g_i − ḡ‖²'s increment. */
function welford(g: Float32Array, mu: Float64Array, j: number, inv: number): number {
  const x = g[j];
  const delta = x - mu[j];
  const m = mu[j] + delta * inv;
  mu[j] = m;
  return delta * (x - m);
}

/** Streaming count, mean and Σ‖g_i − ḡ‖² of one round's vectors (Welford), its scratch reused from round to round. */
interface RoundAccumulator {
  add(g: Float32Array, r: number, mark?: boolean): void;
  /** The round's count, mean (valid while count > 0), Σ‖g_i − ḡ‖², and how many were marked; then resets. */
  take(r: number): { count: number; mean: Float64Array | undefined; m2: number; marked: number };
}

function createAccumulator(): RoundAccumulator {
  let mean: Float64Array | undefined;
  let round = 0;
  let count = 0;
  let marked = 0;
  let m2 = 0;
  let closed = 0;
  return {
    add(g, r, mark = false) {
      if (r <= closed) return;
      if (r !== round) {
        round = r;
        count = 0;
        marked = 0;
        m2 = 0;
      }
      if (mean === undefined || mean.length !== g.length) mean = new Float64Array(g.length);
      count++;
      if (mark) marked++;
      if (count === 1) {
        for (let j = 0; j < g.length; j++) mean[j] = g[j];
        return;
      }
      const inv = 1 / count;
      const mu = mean;
      // Four partial sums: independent chains the CPU runs in parallel (this loop runs n·d times a round).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const len = g.length;
      let j = 0;
      for (; j + 3 < len; j += 4) {
        s0 += welford(g, mu, j, inv);
        s1 += welford(g, mu, j + 1, inv);
        s2 += welford(g, mu, j + 2, inv);
        s3 += welford(g, mu, j + 3, inv);
      }
      for (; j < len; j++) s0 += welford(g, mu, j, inv);
      m2 += s0 + s1 + s2 + s3;
    },
    take(r) {
      const out = round === r ? { count, mean, m2, marked } : { count: 0, mean, m2: 0, marked: 0 };
      closed = r;
      count = 0;
      marked = 0;
      m2 = 0;
      return out;
    },
  };
}

function squaredNorm(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return s;
}

export function createMetricsCollector(ledger: Pick<ByzantineLedger, 'at' | 'controls'>, options: MetricsOptions = {}): MetricsCollector {
  const out: PerRoundMetrics = {
    round: [],
    honestCount: [],
    honestNorm: [],
    honestVariance: [],
    aggregateDistance: [],
    aggregateCosine: [],
    byzantine: [],
    selected: [],
    vn: [],
    vnDp: [],
    vnHolds: [],
  };
  const sentVectors = createAccumulator();
  const computedVectors = options.computedChannel ? createAccumulator() : undefined;
  const noiseVariance = options.noiseVariance ?? (() => 0);
  const bound = options.vnBound;

  const vnOf = (k: number, mean: Float64Array | undefined, m2: number, noised: number): { vn: number | null; vnDp: number | null } => {
    if (k < 2 || mean === undefined) return { vn: null, vnDp: null };
    const norm = Math.sqrt(squaredNorm(mean));
    const variance = Math.max(0, m2 / (k - 1));
    const withNoise = variance + (noised / k) * noiseVariance();
    // A zero mean (a saturated model's gradients) with any spread is an infinite ratio, which no bound admits; 0/0 says nothing.
    const ratio = (numerator: number): number | null => (norm > 0 ? Math.sqrt(numerator) / norm : numerator > 0 ? Infinity : null);
    return { vn: ratio(variance), vnDp: ratio(withNoise) };
  };

  const finalize = (e: TraceEvent): void => {
    const r = e.round!;
    const { count: k, mean: mu, m2 } = sentVectors.take(r);
    let norm: number | null = null;
    let variance: number | null = null;
    let distance: number | null = null;
    let cosine: number | null = null;
    if (k > 0) {
      const a = e.kind === 'aggregate' ? e.payload : undefined;
      let mm = 0;
      if (a !== undefined && a.length === mu!.length) {
        let aa = 0;
        let am = 0;
        let dd = 0;
        for (let j = 0; j < mu!.length; j++) {
          const x = a[j];
          const y = mu![j];
          mm += y * y;
          aa += x * x;
          am += x * y;
          dd += (x - y) * (x - y);
        }
        distance = Math.sqrt(dd);
        cosine = aa > 0 && mm > 0 ? am / Math.sqrt(aa * mm) : null;
      } else {
        mm = squaredNorm(mu!);
      }
      norm = Math.sqrt(mm);
      variance = Math.max(0, m2 / k);
    }
    const ratio = computedVectors ? (({ count, mean, m2: c2, marked }) => vnOf(count, mean, c2, marked))(computedVectors.take(r)) : vnOf(k, mu, m2, 0);
    const diagnostics = e.data?.diagnostics as { selected?: number[] } | undefined;
    out.round.push(r);
    out.honestCount.push(k);
    out.honestNorm.push(norm);
    out.honestVariance.push(variance);
    out.aggregateDistance.push(distance);
    out.aggregateCosine.push(cosine);
    out.byzantine.push(ledger.at(r).slice());
    out.selected.push(diagnostics?.selected ? diagnostics.selected.slice() : null);
    out.vn.push(ratio.vn);
    out.vnDp.push(ratio.vnDp);
    out.vnHolds.push(bound === undefined || ratio.vnDp === null ? null : ratio.vnDp <= bound);
  };

  return {
    sink(_line, e) {
      if (e.from === SERVER && (e.kind === 'aggregate' || e.kind === 'aggregate-skipped')) finalize(e);
    },
    sent(m) {
      if (m.kind !== 'gradient' || m.to !== SERVER) return;
      const w = workerIndex(m.from);
      if (w < 0 || ledger.controls(w, m.round) || !(m.payload instanceof Float32Array)) return;
      sentVectors.add(m.payload, m.round);
    },
    computed(_worker, round, gradient, noised) {
      computedVectors?.add(gradient, round, noised);
    },
    result: () => out,
    vnCondition() {
      const measured = out.vnDp.filter((v) => v !== null).length;
      const held = out.vnHolds.filter((h) => h === true).length;
      return {
        rule: options.rule ?? '',
        bound: bound ?? null,
        measured,
        holdsFraction: bound === undefined || measured === 0 ? null : held / measured,
      };
    },
  };
}

/** `gradient`, with each honest gradient handed to `computed` as well (the VN ratio's channel under worker momentum). */
export function observeHonest(gradient: GradientFn, computed: MetricsCollector['computed']): GradientFn {
  return (theta, worker, rng, labels, forAdversary, round) => {
    const g = gradient(theta, worker, rng, labels, forAdversary, round);
    if (!forAdversary) computed(worker, round, g, false);
    return g;
  };
}
