/**
 * The static HTML report of one run: what went wrong first, the summary, the
 * learning curves (against the sweep's baselines when there are any), the
 * robustness diagnostics per round (the aggregate against the honest mean, the
 * Byzantine share of the rule's selection, MixTailor's draws), drops,
 * timeouts, skipped rounds and refused steps, the VN-ratio condition, the
 * event timeline of one round, the data each worker holds, and the whole
 * configuration. One self-contained file (src/report/page.ts): charts as the
 * SVG vega renders, no scripts, no external URLs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { escapeHtml, formatValue, keyValueTable, list, omitted, paragraph, renderPage, type Block, type Section } from './page.ts';
import { aggregateSpec, hasSelections, hasVn, holdingsSpec, honestSpec, selectionSpec, vnSpec, type LabelledRun, type PerRoundSeries, type RoundMetrics } from './specs.ts';
import { byzantineShareSpec, drawsSpec, hasByzantineSelections, runCurveSpec, troubleSpec, TROUBLES, type Draw, type RoundTrouble } from './run-specs.ts';
import { timelineSpec } from './timeline.ts';
import type { RoundTimeline } from './trace-scan.ts';

export { escapeHtml };

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
  /** The whole configuration, dotted path → value (the trace header's normalized scenario). */
  configuration?: Record<string, string | number | boolean | null>;
  /** Runs of the sweep drawn dashed behind this one: its configuration without the attack, or with the mean. */
  baselines?: readonly LabelledRun[];
  /** The first evaluation that diverged: marked on the curves. */
  divergedFrom?: number;
  /** Per round, from the trace: drops, late gradients, timeouts, skipped rounds, refused steps; `note` says what the trace could not tell. */
  troubles?: { rounds: readonly RoundTrouble[]; note?: string };
  /** MixTailor's draws, one per aggregated round. */
  draws?: readonly Draw[];
  /** `diagnostics.trimmed` of a trimming rule: how many inputs it cuts per coordinate and side. */
  trimmed?: number;
  /** The event timeline of one round, or why there is none. */
  timeline?: RoundTimeline | { omitted: string };
}

function curves(data: ReportData): Block[] {
  if (data.history.length === 0) return [{ html: '<p class="empty">No rounds were recorded.</p>' }];
  const context = { ...(data.baselines ? { baselines: data.baselines } : {}), ...(data.divergedFrom !== undefined ? { divergedFrom: data.divergedFrom } : {}) };
  const blocks: Block[] = [
    { chart: { id: 'accuracy', title: 'Test accuracy per round', spec: runCurveSpec('accuracy', data.history, context) } },
    { chart: { id: 'loss', title: 'Test and training loss per round', spec: runCurveSpec('loss', data.history, context) } },
  ];
  if (data.baselines && data.baselines.length > 0) blocks.unshift({ html: paragraph(`Dashed: ${data.baselines.map((b) => b.label).join('; ')}.`) });
  return blocks;
}

/** The gradient charts: honest norm and variance, the aggregate against the honest mean, the Byzantine share of the selection, selections, draws. */
function robustness(data: ReportData): Block[] {
  const series = data.perRound;
  const blocks: Block[] = [];
  if (series !== undefined && series.round.length > 0) {
    blocks.push(
      { chart: { id: 'honest-gradients', title: 'Honest gradients per round', spec: honestSpec(series) } },
      { chart: { id: 'aggregate', title: 'Aggregate against the honest mean per round', spec: aggregateSpec(series) } },
    );
    if (hasByzantineSelections(series)) blocks.push({ chart: { id: 'byzantine-share', title: 'Byzantine inputs in the selection per round', spec: byzantineShareSpec(series) } });
    if (hasSelections(series)) {
      const n = data.workers ?? Math.max(0, ...series.selected.flatMap((s) => s ?? []), ...series.byzantine.flat()) + 1;
      blocks.push({ chart: { id: 'selections', title: 'Selections per worker', spec: selectionSpec(series, n) } });
    }
  }
  if (data.trimmed !== undefined) {
    blocks.push({
      html: paragraph(
        `The rule trims ${data.trimmed} input${data.trimmed === 1 ? '' : 's'} per coordinate at each end; which inputs it trims differs from coordinate to coordinate and is not recorded in the trace, so no Byzantine share of the trimmed inputs is drawn.`,
      ),
    });
  }
  if (data.draws && data.draws.length > 0) blocks.push({ chart: { id: 'draws', title: 'MixTailor’s draws', spec: drawsSpec(data.draws) } });
  return blocks;
}

function troubleBlocks(data: ReportData): Block[] {
  if (data.troubles === undefined) return [];
  const { rounds, note } = data.troubles;
  const totals = Object.fromEntries(TROUBLES.map((t) => [t.label, rounds.reduce((s, r) => s + r[t.key], 0)]));
  const blocks: Block[] = [{ html: keyValueTable(totals) }];
  if (rounds.some((r) => TROUBLES.some((t) => r[t.key] > 0))) blocks.push({ chart: { id: 'troubles', title: 'What went wrong, per round', spec: troubleSpec(rounds) } });
  else blocks.push({ html: paragraph('No gradient was dropped, late or ignored; no round timed out or was skipped; no step was refused.') });
  if (note) blocks.push({ html: paragraph(note, 'omitted') });
  return blocks;
}

/** The VN ratio against the rule's bound, with how often the bound held. */
function vnBlocks(series: PerRoundSeries | undefined, vn: ReportData['vn']): Block[] {
  if (series === undefined || vn === undefined || !hasVn(series)) return [];
  const which = vn.dp ? 'eq. 8, with the DP noise' : 'eq. 2';
  const verdict =
    vn.bound === null
      ? `${vn.rule} has no VN-ratio bound in the DP paper (or pre-aggregation stands before it): the ratio is shown alone.`
      : `k_F(n, f) = ${formatValue(vn.bound)} for ${vn.rule}; the ratio (${which}) was within it in ${formatValue((vn.holdsFraction ?? 0) * 100)}% of the ${vn.measured} rounds measured.`;
  return [{ html: paragraph(verdict) }, { chart: { id: 'vn', title: 'VN ratio per round against the rule’s bound', spec: vnSpec(series, vn.bound, { dp: vn.dp }) } }];
}

function timelineBlocks(timeline: ReportData['timeline']): Block[] {
  if (timeline === undefined) return [];
  if ('omitted' in timeline) return [{ html: omitted('The event timeline', timeline.omitted) }];
  const how = timeline.selects ? 'green: the inputs the rule kept; amber: received but not kept' : 'blue: received and aggregated (the rule reports no selection)';
  return [
    { html: paragraph(`Round ${timeline.round}, in virtual time: θ's trip to each worker (grey), its computation (dotted), and its gradient's trip back (${how}; pink: late; black: dropped). Triangles are Byzantine senders.`) },
    { chart: { id: 'timeline', title: `Event timeline of round ${timeline.round}`, spec: timelineSpec(timeline) } },
  ];
}

/** The report's sections, in page order (what the page draws and what `--format svg|png` exports). */
export function runSections(data: ReportData): Section[] {
  const sections: Section[] = [];
  if (data.warnings && data.warnings.length > 0) sections.push({ title: 'What went wrong', alert: true, blocks: [{ html: list(data.warnings) }] });
  sections.push({ title: 'Summary', blocks: [{ html: keyValueTable(data.summary) }] });
  sections.push({ title: 'Learning curves', blocks: curves(data) });
  sections.push({ title: 'Gradients and aggregates', blocks: robustness(data) });
  sections.push({ title: 'Drops, timeouts, skipped rounds and refused steps', blocks: troubleBlocks(data) });
  sections.push({ title: 'VN-ratio condition', blocks: vnBlocks(data.perRound, data.vn) });
  if (data.privacy !== undefined) sections.push({ title: 'Privacy spent', blocks: [{ html: keyValueTable(data.privacy) }] });
  sections.push({ title: 'Event timeline', blocks: timelineBlocks(data.timeline) });
  if (data.holdings !== undefined && data.holdings.length > 0) {
    sections.push({ title: 'Data', blocks: [{ chart: { id: 'holdings', title: 'Training examples per worker, by label', spec: holdingsSpec(data.holdings) } }] });
  }
  if (data.configuration !== undefined) {
    sections.push({ title: 'Configuration', blocks: [{ html: `<details open>\n<summary>The normalized scenario, as the trace header records it</summary>\n${keyValueTable(data.configuration)}\n</details>` }] });
  }
  if (data.notes && data.notes.length > 0) sections.push({ title: 'Notes', blocks: [{ html: list(data.notes) }] });
  return sections;
}

export async function buildReportHtml(data: ReportData, sections: Section[] = runSections(data)): Promise<string> {
  return renderPage('report', data.title, sections);
}

/** Writes the report, creating the parent directory if needed. */
export async function writeReport(path: string, data: ReportData): Promise<void> {
  const html = await buildReportHtml(data);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, html, 'utf8');
}
