/**
 * `byzsim report <run-or-sweep-dir> [--format svg|png] [--out DIR] [--round R]`.
 *
 * A run directory (metrics.json, trace.jsonl): rewrites its report.html, with
 * the event timeline of round R (default the last). A sweep directory
 * (sweep.json): writes <sweep>/report.html, and (format html) rewrites each
 * complete run's report.html with the sweep's baselines drawn behind its curves.
 * --format svg|png also writes every chart of the report as its own file into
 * --out (default <dir>/figures); with html (the default) --out is where
 * report.html goes.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import type { PrivacySpent } from '../run/run.ts';
import { buildReportHtml, runSections, writeReport } from '../report/html.ts';
import { exportCharts, type FigureFormat } from '../report/export.ts';
import { chartsOf, type Section } from '../report/page.ts';
import { isRunDirectory, loadRun, runReportData, type LoadedRun, type RunReportExtras } from '../report/run-report.ts';
import { baselinesOf, buildSweepHtml, sweepSections } from '../report/sweep-html.ts';
import { loadSweep } from '../report/sweep.ts';
import { privacyRows, warnings } from '../run/output.ts';

export interface ReportCommandOptions {
  format?: 'html' | 'svg' | 'png';
  out?: string;
  round?: number;
}

function kind(path: string): 'file' | 'directory' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

function extrasOf(run: LoadedRun): RunReportExtras {
  const m = run.metrics;
  return { warnings: warnings(m.counts, m.rounds), ...(m.privacy ? { privacy: privacyRows(m.privacy as PrivacySpent) } : {}) };
}

function makeDirectory(path: string, what: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new UserError(`${what} ${path}: cannot create the directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export async function reportCommand(dir: string, options: ReportCommandOptions): Promise<number> {
  const format = options.format ?? 'html';
  if (format !== 'html' && format !== 'svg' && format !== 'png') {
    throw new UserError(`--format ${String(format)}: expected html, svg or png`);
  }
  if (options.round !== undefined && !(Number.isInteger(options.round) && options.round >= 1)) {
    throw new UserError(`--round ${String(options.round)}: expected a round number (an integer ≥ 1)`);
  }
  const what = kind(dir);
  if (what === 'missing') throw new UserError(`${dir}: no such directory (expected a run directory or a sweep directory)`);
  if (what === 'file') throw new UserError(`${dir} is a file: expected a run directory (metrics.json, trace.jsonl) or a sweep directory (sweep.json)`);

  let sections: Section[];
  let html: string;
  if (kind(join(dir, 'sweep.json')) === 'file') {
    const sweep = loadSweep(dir, options.round);
    const missing = sweep.runs.filter((r) => !r.loaded).length;
    // An export of the sweep's figures leaves the runs' reports as they are.
    if (format === 'html') {
      for (const run of sweep.runs) {
        if (run.loaded) await writeReport(join(run.dir, 'report.html'), runReportData(run.loaded, { ...extrasOf(run.loaded), baselines: baselinesOf(sweep, run) }));
      }
    }
    console.log(`${sweep.name}: ${sweep.runs.length - missing} of ${sweep.runs.length} runs complete${format === 'html' ? '; rewrote their report.html' : ''}`);
    sections = sweepSections(sweep);
    html = await buildSweepHtml(sweep, sections);
  } else if (isRunDirectory(dir)) {
    const run = loadRun(dir, options.round);
    const data = runReportData(run, extrasOf(run));
    sections = runSections(data);
    html = await buildReportHtml(data, sections);
  } else {
    throw new UserError(`${dir} is neither a run directory (no metrics.json or trace.jsonl) nor a sweep directory (no sweep.json)`);
  }

  const htmlDir = format === 'html' && options.out !== undefined ? options.out : dir;
  makeDirectory(htmlDir, '--out');
  writeFileSync(join(htmlDir, 'report.html'), html);
  console.log(`wrote ${join(htmlDir, 'report.html')}`);
  if (format !== 'html') {
    const out = options.out ?? join(dir, 'figures');
    makeDirectory(out, options.out === undefined ? 'the figures directory' : '--out');
    const paths = await exportCharts(chartsOf(sections), out, format as FigureFormat);
    console.log(`wrote ${paths.length} ${format.toUpperCase()} figure${paths.length === 1 ? '' : 's'} into ${out}: ${paths.map((p) => p.slice(out.length + 1)).join(', ')}`);
  }
  return 0;
}
