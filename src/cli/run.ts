/**
 * `byzsim run <scenario>`: simulate, then write trace.jsonl, metrics.json and
 * report.html. The output directory (--out, else output.dir, else
 * out/<name>) is resolved from the working directory; one that already holds
 * a run's outputs is refused unless --force.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { loadScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { runPlan, type PerRoundMetrics, type PrivacySpent, type RunCounts, type RunResult, type VnCondition } from '../run/run.ts';
import { createPlan, type ModuleRecord } from '../run/plan.ts';
import { headerOf, openTraceWriter } from '../run/trace-file.ts';
import { kernelPath } from '../kernels/path.ts';
import { resolveBackend, UsageError } from './backend.ts';
import { alwaysTs } from '../learning/build.ts';
import { writeReport } from '../report/html.ts';
import { createProgress } from '../report/progress.ts';
import { CheckerViolation } from '../sim/checkers/violation.ts';

export interface RunCommandOptions {
  seed?: number;
  out?: string;
  backend?: string;
  /** Overwrite the outputs of a run already in the output directory. */
  force?: boolean;
  /** Threads computing honest gradients, the main thread included (default: the number of cores). */
  threads?: number;
}

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

export async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  const { scenario, modules } = await loadScenario(file, { seed: options.seed, outDir: options.out });
  const dir = scenario.output.dir;
  prepareOutputDirectory(dir, options.force === true);
  const backend = await resolveBackend(scenario, options.backend);
  console.error(`backend: ${backend.name} (${backend.note})`);
  let metrics: Metrics;
  try {
    metrics = await runToDirectory(scenario, backend.name, modules.records, options.threads ?? availableParallelism());
  } catch (err) {
    if (!(err instanceof CheckerViolation)) throw err;
    // A safety property broke: a byzsim bug (or a user module's). The trace stops at the violating event, without a trailer.
    console.error(`byzsim: ${err.message}`);
    console.error(`  the run stopped there (its trace ends at that event, without a trailer); reproduce it with: byzsim replay ${join(dir, 'trace.jsonl')}`);
    return 1;
  }
  console.log(
    [
      `${metrics.name}: ${scenario.rounds} rounds, n=${scenario.workers}, f=${scenario.byzantine.f}, ` +
        `rule ${scenario.aggregator}, attack ${scenario.attack}, ${scenario.data.dataset}/${scenario.data.partition}`,
      `  final accuracy ${metrics.final.accuracy.toFixed(4)}, loss ${metrics.final.loss.toFixed(4)}`,
      `  trace hash ${metrics.traceHash} (${metrics.events} events, ${metrics.virtualTimeMs.toFixed(1)} virtual ms)`,
      ...(metrics.vnCondition.bound !== null || metrics.privacy ? [`  ${vnLine(metrics.vnCondition, metrics.privacy !== undefined)}`] : []),
      ...(metrics.privacy ? Object.entries(privacyRows(metrics.privacy)).map(([k, v]) => `  privacy, ${k}: ${v}`) : []),
      ...warnings(metrics.counts, metrics.rounds).map((w) => `  warning: ${w}`),
      `  wall time ${metrics.wallSeconds.toFixed(2)} s`,
      `  wrote ${join(dir, 'trace.jsonl')}, ${join(dir, 'metrics.json')}, ${join(dir, 'report.html')}`,
    ].join('\n'),
  );
  return 0;
}

/**
 * Makes `dir` (and its parents) and checks it can take a run's outputs: a
 * UsageError names the directory and what to do when it is a file, cannot be
 * made, or already holds another run's outputs (unless `force`).
 */
export function prepareOutputDirectory(dir: string, force: boolean): void {
  const kind = (path: string): 'file' | 'directory' | 'other' | undefined => {
    try {
      const stat = statSync(path);
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
    } catch {
      return undefined;
    }
  };
  const existing = kind(dir);
  if (existing !== undefined && existing !== 'directory') {
    throw new UsageError(`output directory ${dir} exists and is not a directory: choose another --out or output.dir`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of its path is a file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? message);
    throw new UsageError(`cannot create the output directory ${dir} (${why}): choose another --out or output.dir`);
  }
  const found = OUTPUTS.filter((name) => kind(join(dir, name)) !== undefined);
  const unwritable = found.filter((name) => kind(join(dir, name)) !== 'file');
  if (unwritable.length > 0) {
    throw new UsageError(`${join(dir, unwritable[0])} exists and is not a file, so the run cannot write it: choose another --out or output.dir`);
  }
  if (found.length > 0 && !force) {
    throw new UsageError(`${dir} already holds a run's outputs (${found.join(', ')}): pass --force to overwrite them, or choose another --out`);
  }
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
  const started = performance.now();
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
  const wallSeconds = (performance.now() - started) / 1000;
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
  await writeReport(join(dir, 'report.html'), {
    title: `byzsim — ${metrics.name}`,
    summary: {
      scenario: metrics.name,
      seed: scenario.seed,
      backend,
      workers: scenario.workers,
      byzantine: `${scenario.byzantine.f} (${scenario.byzantine.schedule})`,
      aggregator: scenario.aggregator,
      attack: scenario.attack,
      data: `${scenario.data.dataset}, ${scenario.data.partition}`,
      rounds: result.rounds,
      'final accuracy': result.final.accuracy.toFixed(4),
      'final loss': result.final.loss.toFixed(4),
      'trace hash': result.traceHash,
      'wall seconds': wallSeconds.toFixed(2),
      'rounds aggregated': result.counts.aggregated,
      'rounds skipped': result.counts.skipped,
      'rounds ended by timeout': result.counts.timeouts,
      'non-finite aggregates': result.counts.nonFiniteAggregates,
      'steps refused (θ kept finite)': result.counts.refusedSteps,
      'diverged evaluations': result.counts.diverged.evaluations,
      'gradients ignored': `${result.counts.ignored.duplicate} duplicate, ${result.counts.ignored.stale} stale, ${result.counts.ignored.malformed} malformed`,
    },
    warnings: warnings(result.counts, result.rounds),
    history: result.history,
    workers: scenario.workers,
    perRound: result.perRound,
    vn: { ...result.vnCondition!, dp: result.privacy !== undefined },
    ...(result.privacy ? { privacy: privacyRows(result.privacy) } : {}),
    holdings: result.holdings,
  });
  return metrics;
}
