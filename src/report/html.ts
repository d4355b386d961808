/**
 * The static HTML report of one run: header, summary table, accuracy and loss
 * charts as inline SVG, notes. One self-contained file — inline CSS, no
 * scripts, no external URLs — so it can be mailed, archived next to the trace,
 * or opened offline years later. A Content-Security-Policy meta tag makes the
 * browser enforce that promise. No timestamp is written: the same run gives
 * the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderSvg } from './render.ts';
import { accuracySpec, aggregateSpec, hasSelections, hasVn, holdingsSpec, honestSpec, lossSpec, selectionSpec, vnSpec, type PerRoundSeries, type RoundMetrics } from './specs.ts';

export interface ReportData {
  title: string;
  /** Label → value, shown in insertion order (scenario, seed, backend, trace hash, …). */
  summary: Record<string, string | number>;
  history: readonly RoundMetrics[];
  /** The per-round metrics (metrics.json's `perRound`): honest gradients, the aggregate against them, selections. */
  perRound?: PerRoundSeries;
  /** Workers in the run (n): the selection histogram has one bar per worker. */
  workers?: number;
  /** Each worker's training-label counts (what `byzsim data` prints). */
  holdings?: readonly (readonly number[])[];
  /** The VN-ratio condition: the rule's bound k_F(n, f) (null: none), how often it held, and whether DP noise was added. */
  vn?: { rule: string; bound: number | null; holdsFraction: number | null; measured: number; dp: boolean };
  /** The privacy spent, label → value (with a dp section). */
  privacy?: Record<string, string | number>;
  /** What went wrong (refused steps, skipped rounds): shown first, so a diverged run is unmistakable. */
  warnings?: readonly string[];
  notes?: readonly string[];
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Integers verbatim; other numbers to six significant digits, dropping float noise. */
function formatValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #111827;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 32px 24px 48px; }
header { border-bottom: 1px solid #e5e7eb; margin-bottom: 24px; padding-bottom: 12px; }
header p { margin: 0; color: #6b7280; font-size: 13px; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: 4px 0 0; font-size: 26px; font-weight: 650; overflow-wrap: anywhere; }
h2 { margin: 32px 0 12px; font-size: 17px; font-weight: 600; }
table { width: 100%; border-collapse: collapse; background: #fff;
  border: 1px solid #e5e7eb; border-radius: 8px; overflow: hidden; }
th, td { padding: 7px 14px; text-align: left; vertical-align: top; border-bottom: 1px solid #eef0f3; }
tr:last-child th, tr:last-child td { border-bottom: none; }
th { width: 34%; font-weight: 500; color: #4b5563; background: #fafbfc; }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13.5px;
  overflow-wrap: anywhere; }
figure { margin: 0 0 16px; padding: 12px; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; }
figure svg { display: block; max-width: 100%; height: auto; }
.empty { color: #6b7280; font-style: italic; }
.warnings { background: #fef2f2; border: 1px solid #fca5a5; border-radius: 8px; padding: 4px 16px; color: #991b1b; }
.warnings h2 { margin: 12px 0 4px; }
ul { margin: 0; padding-left: 20px; }
li { margin: 4px 0; }
`;

function summaryTable(summary: Record<string, string | number>): string {
  const rows = Object.entries(summary).map(
    ([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(formatValue(v))}</td></tr>`,
  );
  if (rows.length === 0) return '<p class="empty">No summary.</p>';
  return `<table>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

async function charts(history: readonly RoundMetrics[]): Promise<string> {
  if (history.length === 0) return '<p class="empty">No rounds were recorded.</p>';
  const [accuracy, loss] = await Promise.all([renderSvg(accuracySpec(history)), renderSvg(lossSpec(history))]);
  return [
    `<figure aria-label="Test accuracy per round">${accuracy}</figure>`,
    `<figure aria-label="Test loss per round">${loss}</figure>`,
  ].join('\n');
}

/** The gradient charts: honest norm and variance, the aggregate against the honest mean, and the rule's selections when it makes any. */
async function gradientCharts(series: PerRoundSeries | undefined, workers: number | undefined): Promise<string> {
  if (series === undefined || series.round.length === 0) return '';
  const figures = [
    renderSvg(honestSpec(series)).then((svg) => `<figure aria-label="Honest gradients per round">${svg}</figure>`),
    renderSvg(aggregateSpec(series)).then((svg) => `<figure aria-label="Aggregate against the honest mean per round">${svg}</figure>`),
  ];
  if (hasSelections(series)) {
    const n = workers ?? Math.max(0, ...series.selected.flatMap((s) => s ?? []), ...series.byzantine.flat()) + 1;
    figures.push(renderSvg(selectionSpec(series, n)).then((svg) => `<figure aria-label="Selections per worker">${svg}</figure>`));
  }
  return `<section>\n<h2>Gradients and aggregates</h2>\n${(await Promise.all(figures)).join('\n')}\n</section>`;
}

/** The VN ratio against the rule's bound, with how often the bound held, and the privacy spent. */
async function vnSection(series: PerRoundSeries | undefined, vn: ReportData['vn'], privacy: ReportData['privacy']): Promise<string> {
  const parts: string[] = [];
  if (series !== undefined && vn !== undefined && hasVn(series)) {
    const svg = await renderSvg(vnSpec(series, vn.bound, { dp: vn.dp }));
    const which = vn.dp ? 'eq. 8, with the DP noise' : 'eq. 2';
    const verdict =
      vn.bound === null
        ? `${vn.rule} has no VN-ratio bound in the DP paper (or pre-aggregation stands before it): the ratio is shown alone.`
        : `k_F(n, f) = ${formatValue(vn.bound)} for ${vn.rule}; the ratio (${which}) was within it in ${formatValue((vn.holdsFraction ?? 0) * 100)}% of the ${vn.measured} rounds measured.`;
    parts.push(`<p>${escapeHtml(verdict)}</p>`, `<figure aria-label="VN ratio per round against the rule's bound">${svg}</figure>`);
  }
  const sections: string[] = [];
  if (parts.length > 0) sections.push(`<section>\n<h2>VN-ratio condition</h2>\n${parts.join('\n')}\n</section>`);
  if (privacy !== undefined) sections.push(`<section>\n<h2>Privacy spent</h2>\n${summaryTable(privacy)}\n</section>`);
  return sections.join('\n');
}

/** The data each worker holds, as `byzsim data` prints it. */
async function dataChart(holdings: readonly (readonly number[])[] | undefined): Promise<string> {
  if (holdings === undefined || holdings.length === 0) return '';
  const svg = await renderSvg(holdingsSpec(holdings));
  return `<section>\n<h2>Data</h2>\n<figure aria-label="Training examples per worker, by label">${svg}</figure>\n</section>`;
}

function warningsBox(warnings: readonly string[] | undefined): string {
  if (warnings === undefined || warnings.length === 0) return '';
  return `<section class="warnings" role="alert">\n<h2>What went wrong</h2>\n<ul>\n${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('\n')}\n</ul>\n</section>`;
}

function notesList(notes: readonly string[] | undefined): string {
  if (notes === undefined || notes.length === 0) return '';
  return `<section>\n<h2>Notes</h2>\n<ul>\n${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>\n</section>`;
}

export async function buildReportHtml(data: ReportData): Promise<string> {
  const title = escapeHtml(data.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="byzsim">
<title>${title} · byzsim report</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<p>byzsim report</p>
<h1>${title}</h1>
</header>
${warningsBox(data.warnings)}
<section>
<h2>Summary</h2>
${summaryTable(data.summary)}
</section>
<section>
<h2>Learning curves</h2>
${await charts(data.history)}
</section>
${await gradientCharts(data.perRound, data.workers)}
${await vnSection(data.perRound, data.vn, data.privacy)}
${await dataChart(data.holdings)}
${notesList(data.notes)}
</main>
</body>
</html>
`;
}

/** Writes the report, creating the parent directory if needed. */
export async function writeReport(path: string, data: ReportData): Promise<void> {
  const html = await buildReportHtml(data);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html, 'utf8');
}
