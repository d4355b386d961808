/**
 * `byzsim run <scenario>`: simulate, then write trace.jsonl, metrics.json and
 * report.html (src/run/output.ts). The output directory (--out, else
 * output.dir, else out/<name>) is resolved from the working directory; one
 * that already holds a run's outputs is refused unless --force.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { loadScenario } from '../scenario/load.ts';
import { OUTPUTS, privacyRows, runToDirectory, vnLine, warnings, type Metrics } from '../run/output.ts';
import { resolveBackend, UsageError } from './backend.ts';
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

