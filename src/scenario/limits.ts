/**
 * byzsim's limits on what a scenario may ask for, and the estimates of a run
 * checked against them: memory, trace size, work and virtual time. Every
 * limit is documented in README.md ("Limits"); each refusal states the
 * estimate, how it was reached and the limit, so a user knows which field to
 * lower and by how much.
 *
 * The hard limits come from the platform (V8's longest string, which bounds
 * what `byzsim replay` can read; float64's exact integers, which bound virtual
 * time); the memory and work budgets are byzsim's own, fixed so that whether
 * a scenario is valid never depends on the machine that checks it.
 */
import type { Scenario } from './schema.ts';
import type { DatasetShape } from '../learning/datasets/types.ts';
import { largestDraw, NORMAL_BOUND, type DelayDistribution } from '../sim/distribution.ts';
import type { Finding } from './load.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

export const LIMITS = {
  /** Bytes of a scenario file: a scenario is a page of settings (a per-round script for 10,000 rounds is ~0.4 MiB). */
  fileBytes: MiB,
  /** Issues `validate` prints; the rest are counted in a last line. */
  issues: 50,
  /** yaml's `maxAliasCount` (its default): how far aliases may expand before the file is refused as an alias bomb. */
  aliases: 100,
  /** `rounds`: more than any published experiment; the trace limit usually binds first. */
  rounds: 1_000_000,
  /** `workers`. */
  workers: 100_000,
  /** `adversary.flood`: extra messages per Byzantine worker and round; the trace limit usually binds first. */
  flood: 10_000,
  /** Bytes of `name` when it names the output directory: a file name's longest on Linux, macOS and Windows (NAME_MAX). */
  nameBytes: 255,
  /** Estimated memory of a run (its data and vectors). */
  memoryBytes: 4 * GiB,
  /** Estimated trace.jsonl: `byzsim replay` reads a trace as one string, and V8 caps a string at 2^29 − 24 characters. */
  traceBytes: 2 ** 29 - 24,
  /** Estimated operations (mostly floating-point): about a day at the 1 GFLOP/s the TypeScript kernels reach on one core. */
  work: 1e14,
  /** Virtual time (ms): past 2^53 a float64 no longer resolves a millisecond. */
  virtualTimeMs: 2 ** 53,
} as const;

/*
 * The estimates' constants, measured on the traces and runs of byzsim 0.2
 * (test/scenario/limits.test.ts checks them against real runs).
 */
/** Trace bytes per worker and round: broadcast and gradient sends and deliveries, observations, the aggregate's lists. */
const TRACE_PER_WORKER_ROUND = 650;
/** …and per duplicated message pair (the duplicate and the gradient it makes the server ignore). */
const TRACE_PER_DUPLICATE = 450;
/** Trace bytes per round and per evaluation, besides the workers'. */
const TRACE_PER_ROUND = 300;
/** Bytes per parameter and worker: a gradient (float32) held about six times (sent, received, stages' outputs, kernels' working copies). */
const VECTOR_BYTES = 24;
/** Bytes per training example for its indices (the shuffled order and the shards). */
const INDEX_BYTES = 24;

export interface RunEstimate {
  /** Bytes: the data (examples as float32 with their labels and indices) and the vectors (gradients, distance matrices). */
  memory: { data: number; vectors: number; total: number };
  /** Bytes of trace.jsonl. */
  trace: number;
  /**
   * Operations: gradients, aggregation (counted as n²·d, what distance-based
   * rules cost), evaluation, and a scripted schedule's scan of its entries
   * each round.
   */
  work: { gradients: number; aggregation: number; evaluation: number; schedule: number; total: number };
  evaluations: number;
}

/** The estimates for a scenario whose dataset has this shape and whose model this many parameters. */
export function estimateRun(s: Scenario, shape: DatasetShape, dim: number): RunEstimate {
  const n = s.workers;
  const rounds = s.rounds;
  const evaluations = Math.floor(rounds / s.eval.every) + 2;
  const examples = shape.train + shape.test;
  const data = examples * (shape.features * 4 + 4) + shape.train * INDEX_BYTES;
  const vectors = n * dim * VECTOR_BYTES + n * n * 8;
  // A flooded copy costs the trace what a duplicate does: its send, its delivery and the server's ignore.
  const copies = s.byzantine.f * s.adversary.flood * (1 + s.network.duplicate);
  const trace =
    rounds * (n * (TRACE_PER_WORKER_ROUND + TRACE_PER_DUPLICATE * s.network.duplicate) + TRACE_PER_DUPLICATE * copies + TRACE_PER_ROUND) +
    evaluations * TRACE_PER_ROUND;
  const gradients = rounds * n * s.data.batchSize * 4 * dim;
  const aggregation = rounds * n * n * dim;
  const evaluation = evaluations * shape.test * 2 * dim;
  const schedule = rounds * (s.byzantine.script?.length ?? 0);
  return {
    memory: { data, vectors, total: data + vectors },
    trace,
    work: { gradients, aggregation, evaluation, schedule, total: gradients + aggregation + evaluation + schedule },
    evaluations,
  };
}

/** `12.3 GiB`, `512 MiB`, `40 KiB`. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [2 ** 40, 'TiB'],
    [GiB, 'GiB'],
    [MiB, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) if (bytes >= size) return `${round3(bytes / size)} ${unit}`;
  return `${bytes} bytes`;
}

/** Three significant digits, without float noise; `1e+21` style for the enormous. */
function round3(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x >= 1e6 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/** A large count as `2.4e15`, a small one as is. */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x < 1e6 ? String(Math.round(x)) : x.toExponential(1).replace('e+', 'e');
}

/** Memory, trace size and work against the limits, each refusal at the field that drives it. */
export function checkSize(s: Scenario, dataset: string, shape: DatasetShape, dim: number): Finding[] {
  const out: Finding[] = [];
  const e = estimateRun(s, shape, dim);
  const n = s.workers;
  const field = (size: keyof DatasetShape['fields']): PropertyKey[][] => {
    const key = shape.fields[size];
    return key === undefined ? [] : [['data', dataset, key]];
  };

  if (e.memory.total > LIMITS.memoryBytes) {
    const dataFirst = e.memory.data >= e.memory.vectors;
    const [path, ...near] = dataFirst
      ? [...field('features'), ...field('train'), ...field('test'), ['data', dataset]]
      : [['workers'], ...field('features'), ...field('classes')];
    out.push({
      path,
      near,
      message:
        `the run would need about ${formatBytes(e.memory.total)} of memory, above byzsim's limit of ${formatBytes(LIMITS.memoryBytes)} ` +
        `(data: ${shape.train + shape.test} examples × ${shape.features} features as float32 = ${formatBytes(e.memory.data)}; ` +
        `vectors: ${n} workers × ${dim} parameters × ${VECTOR_BYTES} bytes = ${formatBytes(e.memory.vectors)})`,
    });
  }

  if (e.trace > LIMITS.traceBytes) {
    out.push({
      path: ['rounds'],
      near: [['workers']],
      message:
        `the trace would be about ${formatBytes(e.trace)} (${s.rounds} rounds × ${n} workers × ~${Math.round(TRACE_PER_WORKER_ROUND + TRACE_PER_DUPLICATE * s.network.duplicate)} bytes), ` +
        `above byzsim's limit of ${formatBytes(LIMITS.traceBytes)}, the most byzsim replay can read (V8 caps a string at 2^29 − 24 characters): lower rounds or workers`,
    });
  }

  if (e.work.total > LIMITS.work) {
    out.push({
      path: ['rounds'],
      near: [['workers'], ['data', 'batchSize']],
      message:
        `the run would take about ${formatCount(e.work.total)} floating-point operations, above byzsim's limit of ${formatCount(LIMITS.work)} ` +
        `(about a day at 1 GFLOP/s): gradients ${formatCount(e.work.gradients)} (${s.rounds} rounds × ${n} workers × ${s.data.batchSize} examples × 4 × ${dim} parameters), ` +
        `aggregation ${formatCount(e.work.aggregation)} (rounds × n² × parameters), evaluation ${formatCount(e.work.evaluation)} (${e.evaluations} × ${shape.test} test examples × 2 × ${dim})` +
        (e.work.schedule > 0 ? `, schedule ${formatCount(e.work.schedule)} (rounds × script entries)` : ''),
    });
  }
  return out;
}

/**
 * Virtual time: every duration a run schedules must be finite, and the whole
 * run must end before 2^53 ms. A round lasts at most the server's timeout;
 * after the last one, the messages still in flight take at most a delay,
 * a compute time, a delay and the adversary's patience and crafting.
 */
export function checkVirtualTime(s: Scenario): Finding[] {
  const limit = LIMITS.virtualTimeMs;
  const out: Finding[] = [];
  const past = `past 2^53 ms (about 285,000 years), beyond which float64 time no longer resolves a millisecond`;
  const durations: { path: PropertyKey[]; value: number; what: string; how?: string }[] = [
    distribution(['network', 'delay'], s.network.delay, 'a network delay'),
    distribution(['worker', 'computeTime'], s.worker.computeTime, 'a compute time'),
    { path: ['network', 'adversarialDelay', 'max'], value: s.network.adversarialDelay.max, what: 'an adversarial delay' },
    { path: ['adversary', 'craftTime'], value: s.adversary.craftTime, what: 'the crafting time' },
    { path: ['server', 'timeout'], value: s.server.timeout, what: 'the round timeout' },
  ];
  for (const d of durations) {
    if (!(d.value <= limit)) {
      const truncated = d.how === undefined ? '' : ` (lognormal draws are truncated at ${NORMAL_BOUND} standard deviations)`;
      out.push({ path: d.path, message: `${d.what} could reach ${d.how ?? ''}${formatCount(d.value)} ms${truncated}, ${past}` });
    }
  }
  if (out.length > 0) return out;

  const [delay, compute, adversarial, craft, timeout] = durations.map((d) => d.value);
  const end = s.rounds * timeout + 2 * Math.max(delay, adversarial) + compute + craft + timeout / 2;
  if (end > limit) {
    out.push({
      path: ['server', 'timeout'],
      near: [['rounds']],
      message: `the run's virtual time could reach ${formatCount(end)} ms (${s.rounds} rounds × timeout ${formatCount(timeout)} ms, and the messages still in flight), ${past}`,
    });
  }
  return out;
}

function distribution(path: PropertyKey[], d: DelayDistribution, what: string): { path: PropertyKey[]; value: number; what: string; how?: string } {
  if (d.kind !== 'lognormal') return { path, value: largestDraw(d), what };
  // The truncation is what makes a lognormal bounded at all (sim/distribution.ts).
  return { path, value: largestDraw(d), what, how: `exp(mu + ${NORMAL_BOUND}·sigma) = ` };
}
