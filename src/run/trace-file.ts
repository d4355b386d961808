/**
 * trace.jsonl: a header line (the run's plan: byzsim version, normalized
 * scenario, seed, backend, kernel path, user modules by content hash, and the
 * plan's id) then one line per event, written as the run goes. The trace hash
 * covers the event lines only.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { TraceSink } from '../sim/trace.ts';
import { UserError } from '../errors.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { ModuleRecord, RunPlan } from './plan.ts';

export interface TraceHeader {
  type: 'byzsim-trace';
  format: 1;
  byzsim: string;
  seed: number;
  backend: string;
  /** The vector-kernel path that ran (results do not depend on it). Absent in traces before 0.2. */
  kernels?: 'simd' | 'scalar';
  /** The run plan's id. Absent in traces before 0.2. */
  run?: string;
  /** User modules the scenario names, by content hash. */
  modules?: ModuleRecord[];
  /** Where it was recorded (for diagnosis: results must not depend on it). */
  platform?: string;
  /** What the file holds of the events (absent: every event). */
  detail?: TraceDetail;
  scenario: Scenario;
}

/** `node v20.20.2 linux x64`: where a trace was recorded. */
export function platformOf(): string {
  return `node ${process.version} ${process.platform} ${process.arch}`;
}

export function headerOf(plan: RunPlan, scenario: Scenario = plan.scenario): TraceHeader {
  return {
    type: 'byzsim-trace',
    format: 1,
    byzsim: plan.byzsim,
    seed: plan.scenario.seed,
    backend: plan.backend,
    kernels: plan.kernels,
    run: plan.id,
    modules: plan.modules,
    platform: platformOf(),
    scenario,
  };
}

/** What trace.jsonl holds (`output.trace`); the hash covers every event whatever it holds. */
export type TraceDetail = 'full' | 'aggregates' | 'off';

/** The events `aggregates` keeps: what the server did each round, and the run's ends. */
const AGGREGATE_KINDS = new Set(['run-start', 'aggregate', 'aggregate-skipped', 'update', 'eval', 'run-end']);

/** Whether a trace of this detail holds the event line. */
export function keeps(detail: TraceDetail, kind: string): boolean {
  return detail === 'full' || (detail === 'aggregates' && AGGREGATE_KINDS.has(kind));
}

/** The last line of a complete trace: how many events the run had and their hash. */
export interface TraceTrailer {
  type: 'byzsim-trace-end';
  events: number;
  hash: string;
}

export interface TraceWriter {
  sink: TraceSink;
  /** Writes what is buffered and, for a run that completed, the trailer; a trace without one was cut short. */
  close(end?: { events: number; hash: string }): void;
}

export function openTraceWriter(path: string, header: TraceHeader, detail: TraceDetail = 'full'): TraceWriter {
  const fd = openSync(path, 'w');
  // The header goes out at once and the events in 64 KiB writes, so a run killed mid-way leaves a
  // trace that replay can check up to where it stops.
  writeSync(fd, JSON.stringify({ ...header, detail }) + '\n');
  let buffer: string[] = [];
  let size = 0;
  const flush = () => {
    if (buffer.length === 0) return;
    writeSync(fd, buffer.join('\n') + '\n');
    buffer = [];
    size = 0;
  };
  return {
    sink: (line, event) => {
      if (!keeps(detail, event.kind)) return;
      buffer.push(line);
      size += line.length;
      if (size > 1 << 16) flush();
    },
    close: (end) => {
      if (end) buffer.push(JSON.stringify({ type: 'byzsim-trace-end', events: end.events, hash: end.hash } satisfies TraceTrailer));
      flush();
      closeSync(fd);
    },
  };
}

export class TraceFileError extends UserError {}

export interface TraceFile {
  header: TraceHeader;
  /** The event lines it holds (all of them, or those its detail keeps). */
  lines: string[];
  detail: TraceDetail;
  /** Absent when the run was cut short (killed, or failed) before it completed. */
  trailer?: TraceTrailer;
}

export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TraceFileError(`${path}: file not found`);
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) throw new TraceFileError(`${path}: empty trace file`);
  let header: TraceHeader;
  try {
    header = JSON.parse(lines[0]);
  } catch {
    throw new TraceFileError(`${path}:1: the first line is not a JSON trace header`);
  }
  if (header?.type !== 'byzsim-trace' || header.format !== 1 || typeof header.scenario !== 'object') {
    throw new TraceFileError(`${path}:1: not a byzsim trace header (expected type "byzsim-trace", format 1)`);
  }
  const detail: TraceDetail = header.detail ?? 'full';
  if (detail !== 'full' && detail !== 'aggregates' && detail !== 'off') {
    throw new TraceFileError(`${path}:1: the trace header's detail must be full, aggregates or off (got ${JSON.stringify(detail)})`);
  }
  let events = lines.slice(1);
  // A killed run can leave half a line at the end: it is not an event.
  if (!text.endsWith('\n') && events.length > 0) events = events.slice(0, -1);
  let trailer: TraceTrailer | undefined;
  const last = events[events.length - 1];
  if (last?.startsWith('{"type":"byzsim-trace-end"')) {
    trailer = JSON.parse(last) as TraceTrailer;
    events = events.slice(0, -1);
  }
  return { header, lines: events, detail, ...(trailer ? { trailer } : {}) };
}
