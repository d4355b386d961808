/**
 * A run's outputs: run a normalized scenario and write trace.jsonl,
 * metrics.json and report.html into its output directory, exactly as
 * `byzsim run` does (and each run of a sweep, src/sweep/job.ts); the shape of
 * metrics.json; the words the console and the report use for what went wrong
 * and the privacy spent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.ts';
import { runPlan, type PerRoundMetrics, type PrivacySpent, type RunCounts, type RunResult, type VnCondition } from './run.ts';
import { createPlan, type ModuleRecord } from './plan.ts';
import { headerOf, openTraceWriter } from './trace-file.ts';
import { kernelPath } from '../kernels/path.ts';
import { alwaysTs } from '../learning/build.ts';
import { writeReport } from '../report/html.ts';
import { loadRun, runReportData } from '../report/run-report.ts';
import { createProgress } from '../report/progress.ts';
import { startStopwatch } from '../report/stopwatch.ts';

/** What a run writes into its output directory. */
export const OUTPUTS = ['trace.jsonl', 'metrics.json', 'report.html'] as const;

export interface Metrics {
  name: string;
  /** The run plan's id: the hash of everything the result depends on. */
  run: string;
  traceHash: string;
  backend: string;
  kernels: string;
  seed: number;
  rounds: number;
  events: number;
  virtualTimeMs: number;
  wallSeconds: number;
  final: { accuracy: number; loss: number };
  /** Skipped rounds, timeouts, non-finite aggregates, refused steps, ignored gradients. */
  counts: RunCounts;
  history: { round: number; accuracy: number; loss: number; trainLoss?: number; perClass?: number[] }[];
  /**
   * One array per metric, one entry per round: the honest gradients sent (count, norm of their mean,
   * variance), the aggregate's distance and cosine to their mean, the Byzantine set, the rule's selection.
   */
  perRound: PerRoundMetrics;
  /** Each worker's training examples by label (what `byzsim data` prints). */
  holdings: number[][];
  /** The VN ratio against the rule's bound k_F(n, f): the bound (null: none) and the share of rounds within it. */
  vnCondition: VnCondition;
  /** With a dp section: the noise, the per-step (ε, δ), and the totals by basic composition and by RDP. */
  privacy?: PrivacySpent;
}

/** The VN condition in a line. */
export function vnLine(vn: VnCondition, dp: boolean): string {
  const which = dp ? 'with DP noise, eq. 8' : 'eq. 2';
  if (vn.bound === null) return `VN ratio measured in ${vn.measured} rounds (${vn.rule} has no bound in the DP paper)`;
  return `VN ratio (${which}) within ${vn.rule}'s bound k_F(n, f) = ${fmt(vn.bound)} in ${fmt((vn.holdsFraction ?? 0) * 100)}% of ${vn.measured} rounds`;
}

/** The privacy spent, label → value (the console's lines and the report's table). */
export function privacyRows(p: PrivacySpent): Record<string, string> {
  return {
    noise: `σ = ${fmt(p.sigma)} per coordinate (${p.from === 'epsilon' ? 'calibrated from the per-step ε' : 'given'}), clip G_max = ${fmt(p.clip)} per ${p.clipping}`,
    'per step': `(ε, δ) = (${fmt(p.perStep.epsilon)}, ${fmt(p.perStep.delta)})${p.classical ? '' : ' — ε ≥ 1: outside the Gaussian mechanism\'s classical range'}`,
    'noised gradients': `${p.steps} by worker ${p.worker} (the most; ${p.workers} workers released any)`,
    'basic composition': `(ε, δ) = (${fmt(p.basic.epsilon)}, ${fmt(p.basic.delta)})`,
    'Rényi DP': `(ε, δ) = (${fmt(p.rdp.epsilon)}, ${fmt(p.rdp.delta)}) at order ${fmt(p.rdp.order)}, q = ${fmt(p.rdp.q)}, z = ${fmt(p.rdp.noiseMultiplier)}`,
    ...(p.clipping === 'batch' ? { caveat: 'clipping: batch bounds the minibatch gradient, not one example: these figures are nominal, not a guarantee' } : {}),
  };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** The counts a reader must not miss, in words; empty when nothing went wrong. */
export function warnings(counts: RunCounts, rounds: number): string[] {
  const out: string[] = [];
  if (counts.refusedSteps > 0) {
    const nonFinite = counts.nonFiniteAggregates > 0 ? `, ${counts.nonFiniteAggregates} of them with a non-finite aggregate` : '';
    out.push(`${counts.refusedSteps} of ${rounds} steps refused to keep θ finite${nonFinite}: θ did not move in those rounds`);
  }
  if (counts.skipped > 0) out.push(`${counts.skipped} of ${rounds} rounds skipped: the rule could not take the inputs that arrived`);
  if (counts.diverged.evaluations > 0) {
    out.push(`the model diverged from round ${counts.diverged.firstRound}: ${counts.diverged.evaluations} evaluations had a loss that is not finite or above 1e6 × the initial loss`);
  }
  return out;
}

/**
 * Run a normalized scenario and write its three outputs into
 * `scenario.output.dir` (made if missing; overwritten if present: the
 * command checks first, prepareOutputDirectory). `backend` is the one asked
 * for; what is recorded is the one that runs (a generated dataset always
 * runs on ts).
 */
export async function runToDirectory(scenario: Scenario, requested: string, modules: ModuleRecord[] = [], threads = 1): Promise<Metrics> {
  const dir = scenario.output.dir!;
  mkdirSync(dir, { recursive: true });
  const backend = alwaysTs(scenario.data.dataset) ? 'ts' : requested;
  const plan = createPlan(scenario, { backend, kernels: kernelPath(), modules });
  const writer = openTraceWriter(join(dir, 'trace.jsonl'), headerOf(plan), scenario.output.trace);
  const progress = createProgress(scenario.rounds, Boolean(process.stderr.isTTY) && !process.env.CI);
  const watch = startStopwatch();
  let result: RunResult | undefined;
  try {
    result = await runPlan(plan, {
      // Slices let the event loop breathe (the progress bar's redraw timer) without changing the trace.
      slice: { maxEvents: 20_000 },
      sinks: [writer.sink],
      onRound: (round, evaluation) => progress.update(round, evaluation?.accuracy),
      threads,
    });
  } finally {
    progress.stop();
    // A run that failed leaves its trace without a trailer, as a killed one does: replay says it is cut short.
    writer.close(result && { events: result.events, hash: result.traceHash });
  }
  const wallSeconds = watch.seconds();
  const metrics: Metrics = {
    name: scenario.name!,
    run: plan.id,
    traceHash: result.traceHash,
    backend,
    kernels: plan.kernels,
    seed: scenario.seed,
    rounds: result.rounds,
    events: result.events,
    virtualTimeMs: result.virtualTime,
    wallSeconds,
    final: result.final,
    counts: result.counts,
    history: result.history,
    perRound: result.perRound!,
    holdings: result.holdings,
    vnCondition: result.vnCondition!,
    ...(result.privacy ? { privacy: result.privacy } : {}),
  };
  // Non-finite numbers (a diverged loss) as the strings "Infinity", "-Infinity", "NaN", not JSON's null.
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n');
  // Built from the files just written, as `byzsim report <dir>` rebuilds it: the same bytes either way.
  await writeReport(join(dir, 'report.html'), runReportData(loadRun(dir), {
    warnings: warnings(result.counts, result.rounds),
    ...(result.privacy ? { privacy: privacyRows(result.privacy) } : {}),
  }));
  return metrics;
}
