/**
 * `byzsim sweep <file> [--jobs N] [--quick] [--dry-run] [--out DIR] [--queue URL [--watch]]`:
 * expand a sweep file, check every run, then run the incomplete ones on this
 * machine's threads (or enqueue them on a Redis queue for `byzsim worker`s),
 * and write summary.csv and summary.json.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadSweep, label, parseSetFlags } from '../sweep/load.ts';
import { runLocal } from '../sweep/local.ts';
import { completedRun } from '../sweep/job.ts';
import { summaryLines } from '../sweep/summary.ts';
import { UsageError } from './backend.ts';

export interface SweepCommandOptions {
  jobs?: number;
  quick?: boolean;
  /** `path=value` overrides of every run, after the quick profile. */
  set?: string[];
  dryRun?: boolean;
  out?: string;
  backend?: string;
  queue?: string;
  watch?: boolean;
}

export async function sweepCommand(file: string, options: SweepCommandOptions): Promise<number> {
  if (options.watch && !options.queue) throw new UsageError('--watch follows a queue: give --queue redis://host:port too');
  const sweep = await loadSweep(file, { quick: options.quick, set: parseSetFlags(options.set ?? []), outDir: options.out, backend: options.backend });
  const runsDir = join(sweep.dir, 'runs');
  const complete = sweep.runs.filter((r) => completedRun(runsDir, r.id) !== undefined).length;
  const configurations = new Set(sweep.runs.map((r) => JSON.stringify(r.config))).size;
  console.error(
    `sweep ${sweep.name}${sweep.quick ? ' (quick)' : ''}: ${sweep.runs.length} runs (${configurations} configurations), ` +
      `${complete} complete, ${sweep.skipped.length} invalid skipped → ${sweep.dir}`,
  );
  for (const s of sweep.skipped) console.error(`  skipped ${label(s.config, s.seed)}: ${s.message}`);
  if (options.dryRun) {
    for (const run of sweep.runs) {
      console.log(`${run.id}  ${completedRun(runsDir, run.id) ? 'complete' : 'pending '}  ${label(run.config, run.seed)}`);
    }
    return 0;
  }
  if (options.queue) {
    const { submitCommand } = await import('../sweep/queue.ts');
    return submitCommand(sweep, options.queue, { watch: options.watch === true });
  }
  const jobs = options.jobs ?? availableParallelism();
  const result = await runLocal(sweep, { jobs, progress: Boolean(process.stderr.isTTY) && !process.env.CI });
  console.log(summaryLines(sweep.name, result.summary).join('\n'));
  for (const f of result.failed) console.error(`  failed ${f.id}: ${f.message}`);
  console.log(`  ran ${result.ran}, ${result.resumed} were complete; wrote ${join(sweep.dir, 'summary.csv')}, ${join(sweep.dir, 'summary.json')}`);
  return result.failed.length > 0 ? 1 : 0;
}
