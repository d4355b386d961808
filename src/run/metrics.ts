/**
 * Per-round learning metrics, observed beside a run and never recorded in its
 * trace (so never in its hash): for each round t,
 *   - the honest gradients the workers sent in round t (whether or not they
 *     arrived), g_i for i in H_t: their count, the norm of their mean
 *     ‖ḡ_t‖ and their variance σ_t² = (1/|H_t|) Σ ‖g_i − ḡ_t‖²;
 *   - the aggregate a_t against that mean: ‖a_t − ḡ_t‖ and cos(a_t, ḡ_t);
 *   - the rule's selection (`diagnostics.selected`, by worker, as the trace
 *     names it: Krum's selection histogram) and the round's Byzantine set
 *     (from the ledger).
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
}

export interface MetricsCollector {
  /** Sees the trace's events: finalizes a round at its `aggregate` (the payload is the aggregate) or `aggregate-skipped`. */
  readonly sink: TraceSink;
  /** Sees every message as it is sent (subscribe it to the network's `sent$`). */
  sent(message: Message): void;
  result(): PerRoundMetrics;
}

/** Welford's update of coordinate j's mean by x = g[j] (1/k = inv); returns its term of Σ‖g_i − ḡ‖²'s increment. */
function welford(g: Float32Array, mu: Float64Array, j: number, inv: number): number {
  const x = g[j];
  const delta = x - mu[j];
  const m = mu[j] + delta * inv;
  mu[j] = m;
  return delta * (x - m);
}

export function createMetricsCollector(ledger: Pick<ByzantineLedger, 'at' | 'controls'>): MetricsCollector {
  const out: PerRoundMetrics = {
    round: [],
    honestCount: [],
    honestNorm: [],
    honestVariance: [],
    aggregateDistance: [],
    aggregateCosine: [],
    byzantine: [],
    selected: [],
  };
  // The round being accumulated: its honest count, mean and Σ‖g_i − ḡ‖² (Welford).
  let mean: Float64Array | undefined;
  let round = 0;
  let count = 0;
  let m2 = 0;
  let closed = 0;

  const add = (g: Float32Array, r: number): void => {
    if (r <= closed) return;
    if (r !== round) {
      round = r;
      count = 0;
      m2 = 0;
    }
    if (mean === undefined || mean.length !== g.length) mean = new Float64Array(g.length);
    count++;
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
  };

  const finalize = (e: TraceEvent): void => {
    const r = e.round!;
    const k = round === r ? count : 0;
    let norm: number | null = null;
    let variance: number | null = null;
    let distance: number | null = null;
    let cosine: number | null = null;
    if (k > 0) {
      const mu = mean!;
      const a = e.kind === 'aggregate' ? e.payload : undefined;
      let mm = 0;
      let aa = 0;
      let am = 0;
      let dd = 0;
      if (a !== undefined && a.length === mu.length) {
        for (let j = 0; j < mu.length; j++) {
          const x = a[j];
          const y = mu[j];
          mm += y * y;
          aa += x * x;
          am += x * y;
          dd += (x - y) * (x - y);
        }
        distance = Math.sqrt(dd);
        cosine = aa > 0 && mm > 0 ? am / Math.sqrt(aa * mm) : null;
      } else {
        for (let j = 0; j < mu.length; j++) mm += mu[j] * mu[j];
      }
      norm = Math.sqrt(mm);
      variance = Math.max(0, m2 / k);
    }
    const diagnostics = e.data?.diagnostics as { selected?: number[] } | undefined;
    out.round.push(r);
    out.honestCount.push(k);
    out.honestNorm.push(norm);
    out.honestVariance.push(variance);
    out.aggregateDistance.push(distance);
    out.aggregateCosine.push(cosine);
    out.byzantine.push(ledger.at(r).slice());
    out.selected.push(diagnostics?.selected ? diagnostics.selected.slice() : null);
    closed = r;
    count = 0;
    m2 = 0;
  };

  return {
    sink(_line, e) {
      if (e.from === SERVER && (e.kind === 'aggregate' || e.kind === 'aggregate-skipped')) finalize(e);
    },
    sent(m) {
      if (m.kind !== 'gradient' || m.to !== SERVER) return;
      const w = workerIndex(m.from);
      if (w < 0 || ledger.controls(w, m.round) || !(m.payload instanceof Float32Array)) return;
      add(m.payload, m.round);
    },
    result: () => out,
  };
}
