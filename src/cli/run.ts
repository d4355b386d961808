/** `byzsim run <scenario>`: simulate, then write trace.jsonl, metrics.json and report.html. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { runPlan, type RunResult } from '../run/run.ts';
import { createPlan, type ModuleRecord } from '../run/plan.ts';
import { headerOf, openTraceWriter } from '../run/trace-file.ts';
import { kernelPath } from '../kernels/path.ts';
import { resolveBackend } from './backend.ts';
import { writeReport } from '../report/html.ts';
import { createProgress } from '../report/progress.ts';

export interface RunCommandOptions {
  seed?: number;
  out?: string;
  backend?: string;
}

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
  history: { round: number; accuracy: number; loss: number }[];
}

export async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  const { scenario, modules } = await loadScenario(file, { seed: options.seed, outDir: options.out });
  const backend = await resolveBackend(scenario, options.backend);
  console.error(`backend: ${backend.name} (${backend.note})`);
  const metrics = await runToDirectory(scenario, backend.name, modules.records);
  const dir = scenario.output.dir!;
  console.log(
    [
      `${metrics.name}: ${scenario.rounds} rounds, n=${scenario.workers}, f=${scenario.byzantine.f}, ` +
        `rule ${scenario.aggregator}, attack ${scenario.attack}, ${scenario.data.dataset}/${scenario.data.partition}`,
      `  final accuracy ${metrics.final.accuracy.toFixed(4)}, loss ${metrics.final.loss.toFixed(4)}`,
      `  trace hash ${metrics.traceHash} (${metrics.events} events, ${metrics.virtualTimeMs.toFixed(1)} virtual ms)`,
      `  wall time ${metrics.wallSeconds.toFixed(2)} s`,
      `  wrote ${join(dir, 'trace.jsonl')}, ${join(dir, 'metrics.json')}, ${join(dir, 'report.html')}`,
    ].join('\n'),
  );
  return 0;
}

/** Run a normalized scenario and write its three outputs into `scenario.output.dir`. */
export async function runToDirectory(scenario: Scenario, backend: string, modules: ModuleRecord[] = []): Promise<Metrics> {
  const dir = scenario.output.dir!;
  mkdirSync(dir, { recursive: true });
  const plan = createPlan(scenario, { backend, kernels: kernelPath(), modules });
  const writer = openTraceWriter(join(dir, 'trace.jsonl'), headerOf(plan));
  const progress = createProgress(scenario.rounds, Boolean(process.stderr.isTTY) && !process.env.CI);
  const started = performance.now();
  let result: RunResult;
  try {
    result = await runPlan(plan, {
      // Slices let the event loop breathe (the progress bar's redraw timer) without changing the trace.
      slice: { maxEvents: 20_000 },
      sinks: [writer.sink],
      onRound: (round, evaluation) => progress.update(round, evaluation?.accuracy),
    });
  } finally {
    progress.stop();
    writer.close();
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
    history: result.history,
  };
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
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
    },
    history: result.history,
  });
  return metrics;
}
