/**
 * What a report reads from trace.jsonl, in one pass: per round, what went
 * wrong (drops, late and ignored gradients, timeouts, skipped rounds, refused
 * steps); MixTailor's draws; and the event timeline of one chosen round —
 * which worker received θ and sent its gradient when, whether it was
 * Byzantine, whether the gradient arrived, late, or not at all, and which of
 * the received inputs the rule kept.
 *
 * Only the lines that matter are parsed: the kind is read from the line's
 * fixed prefix (`eventLine` writes t, seq, kind first) before JSON.parse.
 */
import { readTraceFile, type TraceDetail, type TraceHeader } from '../run/trace-file.ts';
import type { TraceEvent } from '../sim/trace.ts';
import type { Draw, RoundTrouble } from './run-specs.ts';

export type GradientStatus = 'kept by the rule' | 'aggregated' | 'received, not kept' | 'late' | 'dropped' | 'never arrived' | 'malformed';

export const GRADIENT_STATUSES: readonly { status: GradientStatus; colour: string }[] = [
  { status: 'kept by the rule', colour: '#059669' },
  { status: 'aggregated', colour: '#2563eb' },
  { status: 'received, not kept', colour: '#f59e0b' },
  { status: 'late', colour: '#db2777' },
  { status: 'dropped', colour: '#111827' },
  { status: 'never arrived', colour: '#9ca3af' },
  { status: 'malformed', colour: '#7c3aed' },
];

export interface TimelineGradient {
  sent: number;
  /** When it reached the server (its first delivery); absent when dropped or still in transit at the end. */
  arrived?: number;
  status: GradientStatus;
}

export interface TimelineRow {
  worker: number;
  byzantine: boolean;
  modelSent?: number;
  modelArrived?: number;
  modelDropped?: boolean;
  gradients: TimelineGradient[];
}

export interface RoundTimeline {
  round: number;
  /** When the server aggregated (or skipped) the round; absent if the trace ends first. */
  closedAt?: number;
  /** all, quorum or timeout; with `skipped`, why the rule could not take the inputs. */
  reason?: string;
  skipped: boolean;
  /** Whether the rule reported a selection (otherwise every received input was aggregated). */
  selects: boolean;
  rows: TimelineRow[];
}

export interface TraceScan {
  path: string;
  header: TraceHeader;
  detail: TraceDetail;
  /** Whether the trace has its trailer (a run cut short has none). */
  complete: boolean;
  /** One entry per round that ended, in order; drops and ignored gradients only with detail `full`. */
  troubles: RoundTrouble[];
  draws: Draw[];
  /** `diagnostics.trimmed` of the rule (cwtm, meamed, phocas: per coordinate and side), when it trims. */
  trimmed?: number;
  /** The chosen round's timeline; absent unless the trace holds every event and the round ended. */
  timeline?: RoundTimeline;
}

const KIND = /^\{"t":[^,]*,"seq":\d+,"kind":"([a-z-]+)"/;
const WANTED = new Set(['aggregate', 'aggregate-skipped', 'step-refused', 'drop', 'ignore']);
const TIMELINE = new Set(['send', 'deliver', 'drop', 'ignore', 'corrupt', 'aggregate', 'aggregate-skipped']);

function workerOf(address: string | undefined): number {
  const m = /^worker\/(\d+)$/.exec(address ?? '');
  return m ? Number(m[1]) : -1;
}

function emptyTrouble(round: number): RoundTrouble {
  return { round, dropped: 0, late: 0, duplicate: 0, malformed: 0, timeout: 0, skipped: 0, refused: 0 };
}

/** Reads `path` (a TraceFileError, a UserError, names it when it is missing or not a trace) and scans it; `round`: the timeline's round. */
export function scanTrace(path: string, round?: number): TraceScan {
  const file = readTraceFile(path);
  const troubles = new Map<number, RoundTrouble>();
  const trouble = (r: number): RoundTrouble => {
    let t = troubles.get(r);
    if (t === undefined) troubles.set(r, (t = emptyTrouble(r)));
    return t;
  };
  const ended: number[] = [];
  const draws: Draw[] = [];
  let trimmed: number | undefined;
  const timelineEvents: TraceEvent[] = [];
  const roundTag = round === undefined ? undefined : `"round":${round},`;
  for (const line of file.lines) {
    const kind = KIND.exec(line)?.[1];
    if (kind === undefined) continue;
    const forTimeline = roundTag !== undefined && TIMELINE.has(kind) && line.includes(roundTag);
    if (!WANTED.has(kind) && !forTimeline) continue;
    const e = JSON.parse(line) as TraceEvent;
    if (forTimeline && e.round === round) timelineEvents.push(e);
    if (e.round === undefined || !WANTED.has(kind)) continue;
    if (kind === 'aggregate' || kind === 'aggregate-skipped') {
      if (e.from !== 'server') continue;
      ended.push(e.round);
      const t = trouble(e.round);
      if (e.data?.reason === 'timeout') t.timeout = 1;
      if (kind === 'aggregate-skipped') t.skipped = 1;
      const d = e.data?.diagnostics as { rule?: unknown; draw?: unknown; trimmed?: unknown } | undefined;
      if (d && typeof d.draw === 'number' && typeof d.rule === 'string') draws.push({ round: e.round, rule: d.rule });
      if (d && typeof d.trimmed === 'number') trimmed = d.trimmed;
    } else if (kind === 'step-refused') trouble(e.round).refused = 1;
    else if (kind === 'drop' && e.msg === 'gradient') trouble(e.round).dropped++;
    else if (kind === 'ignore') {
      const reason = e.data?.reason;
      if (reason === 'stale') trouble(e.round).late++;
      else if (reason === 'duplicate') trouble(e.round).duplicate++;
      else if (reason === 'malformed') trouble(e.round).malformed++;
    }
  }
  // A gradient of round r ignored as stale arrives after r closed, so its round's entry may come after: order by round.
  const rounds = [...new Set(ended)].sort((a, b) => a - b);
  const scan: TraceScan = {
    path,
    header: file.header,
    detail: file.detail,
    complete: file.trailer !== undefined,
    troubles: rounds.map((r) => troubles.get(r) ?? emptyTrouble(r)),
    draws,
    ...(trimmed === undefined ? {} : { trimmed }),
  };
  if (round !== undefined && file.detail === 'full' && rounds.includes(round)) scan.timeline = buildTimeline(round, timelineEvents, file.header.scenario.workers);
  return scan;
}

/** The timeline of `round` from its events (in trace order). */
export function buildTimeline(round: number, events: readonly TraceEvent[], workers: number): RoundTimeline {
  const rows: TimelineRow[] = Array.from({ length: workers }, (_, worker) => ({ worker, byzantine: false, gradients: [] }));
  const models = new Map<number, TimelineRow>();
  const gradients = new Map<number, { row: TimelineRow; g: TimelineGradient & { ignored?: string } }>();
  let closedAt: number | undefined;
  let reason: string | undefined;
  let skipped = false;
  let received: number[] = [];
  let selected: number[] | undefined;
  for (const e of events) {
    if (e.kind === 'corrupt') {
      const w = workerOf(e.to);
      if (rows[w]) rows[w].byzantine = true;
    } else if (e.kind === 'send' && e.msg === 'model' && e.from === 'server') {
      const row = rows[workerOf(e.to)];
      if (row) {
        row.modelSent = e.t;
        models.set(e.id!, row);
      }
    } else if (e.kind === 'send' && e.msg === 'gradient' && e.to === 'server') {
      const row = rows[workerOf(e.from)];
      if (row) {
        const g: TimelineGradient = { sent: e.t, status: 'never arrived' };
        row.gradients.push(g);
        gradients.set(e.id!, { row, g });
      }
    } else if (e.kind === 'deliver') {
      const model = e.msg === 'model' ? models.get(e.id!) : undefined;
      if (model && model.modelArrived === undefined) model.modelArrived = e.t;
      const gradient = e.msg === 'gradient' ? gradients.get(e.id!) : undefined;
      if (gradient && gradient.g.arrived === undefined) gradient.g.arrived = e.t;
    } else if (e.kind === 'drop') {
      if (e.msg === 'model') {
        const model = models.get(e.id!);
        if (model) model.modelDropped = true;
      } else {
        const gradient = gradients.get(e.id!);
        if (gradient) gradient.g.status = 'dropped';
      }
    } else if (e.kind === 'ignore') {
      // An ignore names the sender and round, not the message: it is the latest delivered gradient of that sender.
      const row = rows[workerOf(e.from)];
      const g = row?.gradients.filter((x) => x.arrived !== undefined).at(-1) as (TimelineGradient & { ignored?: string }) | undefined;
      if (g && g.ignored === undefined) g.ignored = String(e.data?.reason);
    } else if ((e.kind === 'aggregate' || e.kind === 'aggregate-skipped') && e.from === 'server') {
      closedAt = e.t;
      reason = String(e.data?.reason ?? '');
      skipped = e.kind === 'aggregate-skipped';
      if (skipped && typeof e.data?.why === 'string') reason = `${reason}; skipped: ${e.data.why}`;
      received = (e.data?.received as number[] | undefined) ?? [];
      const d = e.data?.diagnostics as { selected?: number[] } | undefined;
      selected = d?.selected;
    }
  }
  for (const { row, g } of gradients.values()) {
    if (g.status === 'dropped' || g.arrived === undefined) continue;
    const ignored = (g as { ignored?: string }).ignored;
    delete (g as { ignored?: string }).ignored;
    if (ignored === 'malformed') g.status = 'malformed';
    else if (ignored === 'stale' || (closedAt !== undefined && g.arrived > closedAt) || !received.includes(row.worker)) g.status = 'late';
    else if (skipped) g.status = 'received, not kept';
    else if (selected === undefined) g.status = 'aggregated';
    else g.status = selected.includes(row.worker) ? 'kept by the rule' : 'received, not kept';
  }
  for (const { g } of gradients.values()) delete (g as { ignored?: string }).ignored;
  return { round, ...(closedAt === undefined ? {} : { closedAt }), ...(reason === undefined ? {} : { reason }), skipped, selects: selected !== undefined, rows };
}
