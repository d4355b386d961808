/**
 * The page both reports share: a shell (CSP, inline CSS), tables, and charts.
 *
 * A chart is a Vega-Lite spec with an id. The page carries it twice: as the
 * SVG vega renders from it here (so the page needs no script and shows the
 * same pixels offline, in a mail client or in ten years), and as the spec
 * itself in a JSON data block beside it, which a reader can paste into the
 * Vega editor. A data block is never executed, so the Content-Security-Policy
 * still forbids every script. No timestamp is written: the same inputs give
 * the same bytes.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from './render.ts';

export interface Chart {
  /** Stable and file-name safe: the figure's file name on export (`accuracy.svg`). */
  id: string;
  /** What the figure shows, for screen readers and the export's index. */
  title: string;
  spec: TopLevelSpec;
}

/** A section of a report: a heading, then charts and HTML in order. */
export interface Section {
  title: string;
  blocks: Block[];
  /** Drawn as an alert (what went wrong). */
  alert?: boolean;
}

export type Block = { chart: Chart } | { html: string };

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
export function formatValue(v: string | number | boolean | null): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null) return String(v);
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

export const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #111827;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 820px; margin: 0 auto; padding: 32px 24px 48px; }
header { border-bottom: 1px solid #e5e7eb; margin-bottom: 24px; padding-bottom: 12px; }
header p { margin: 0; color: #6b7280; font-size: 13px; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: 4px 0 0; font-size: 26px; font-weight: 650; overflow-wrap: anywhere; }
h2 { margin: 32px 0 12px; font-size: 17px; font-weight: 600; }
table { width: 100%; border-collapse: collapse; background: #fff; margin-bottom: 16px;
  border: 1px solid #e5e7eb; border-radius: 8px; overflow: hidden; }
th, td { padding: 7px 14px; text-align: left; vertical-align: top; border-bottom: 1px solid #eef0f3; }
tr:last-child th, tr:last-child td { border-bottom: none; }
tbody th { width: 34%; font-weight: 500; color: #4b5563; background: #fafbfc; }
thead th { font-weight: 600; color: #374151; background: #f3f4f6; }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13.5px;
  overflow-wrap: anywhere; }
table.grid th, table.grid td { padding: 5px 10px; }
td.bad { color: #991b1b; font-weight: 600; }
figure { margin: 0 0 16px; padding: 12px; background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
details { margin: 0 0 16px; }
summary { cursor: pointer; color: #374151; }
.empty, .omitted { color: #6b7280; font-style: italic; }
.warnings { background: #fef2f2; border: 1px solid #fca5a5; border-radius: 8px; padding: 4px 16px; color: #991b1b; }
.warnings h2 { margin: 12px 0 4px; }
ul { margin: 0; padding-left: 20px; }
li { margin: 4px 0; }
`;

/** A label → value table, in insertion order. */
export function keyValueTable(rows: Record<string, string | number | boolean | null>): string {
  const body = Object.entries(rows).map(
    ([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(formatValue(v))}</td></tr>`,
  );
  if (body.length === 0) return '<p class="empty">No summary.</p>';
  return `<table>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** A table with a header row; a cell given as `{ text, bad }` is shown in red (a diverged or missing value). */
export function gridTable(head: readonly string[], rows: readonly (readonly (string | number | { text: string; bad: boolean })[])[]): string {
  const cell = (c: string | number | { text: string; bad: boolean }): string =>
    typeof c === 'object' ? `<td${c.bad ? ' class="bad"' : ''}>${escapeHtml(c.text)}</td>` : `<td>${escapeHtml(formatValue(c))}</td>`;
  return [
    '<table class="grid">',
    `<thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

export function paragraph(text: string, className?: string): string {
  return `<p${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</p>`;
}

/** A chart the data cannot support is not drawn empty: a line says why. */
export function omitted(what: string, why: string): string {
  return paragraph(`${what}: not drawn — ${why}.`, 'omitted');
}

export function list(items: readonly string[]): string {
  return `<ul>\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;
}

/** The spec as a JSON data block: `<` escaped so no string in it can close the element. */
function specBlock(chart: Chart): string {
  const json = JSON.stringify(chart.spec).replace(/</g, '\\u003c');
  return `<script type="application/json" data-spec="${escapeHtml(chart.id)}">${json}</script>`;
}

async function figure(chart: Chart): Promise<string> {
  const svg = await renderSvg(chart.spec);
  return `<figure data-chart="${escapeHtml(chart.id)}" aria-label="${escapeHtml(chart.title)}">${svg}\n${specBlock(chart)}</figure>`;
}

/** Every chart of the sections, in page order. */
export function chartsOf(sections: readonly Section[]): Chart[] {
  return sections.flatMap((s) => s.blocks.flatMap((b) => ('chart' in b ? [b.chart] : [])));
}

async function renderSection(section: Section): Promise<string> {
  if (section.blocks.length === 0) return '';
  const body = await Promise.all(section.blocks.map((b) => ('chart' in b ? figure(b.chart) : Promise.resolve(b.html))));
  const attrs = section.alert ? ' class="warnings" role="alert"' : '';
  return `<section${attrs}>\n<h2>${escapeHtml(section.title)}</h2>\n${body.join('\n')}\n</section>`;
}

export async function renderPage(kicker: string, title: string, sections: readonly Section[]): Promise<string> {
  const t = escapeHtml(title);
  const ids = chartsOf(sections).map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`report: two charts share the id ${duplicate}`);
  const body = (await Promise.all(sections.map(renderSection))).filter((s) => s !== '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="byzsim">
<title>${t} · byzsim ${escapeHtml(kicker)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<p>byzsim ${escapeHtml(kicker)}</p>
<h1>${t}</h1>
</header>
${body.join('\n')}
</main>
</body>
</html>
`;
}
