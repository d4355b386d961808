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

export interface TraceWriter {
  sink: TraceSink;
  close(): void;
}

export function openTraceWriter(path: string, header: TraceHeader): TraceWriter {
  const fd = openSync(path, 'w');
  let buffer: string[] = [JSON.stringify(header)];
  let size = 0;
  const flush = () => {
    if (buffer.length === 0) return;
    writeSync(fd, buffer.join('\n') + '\n');
    buffer = [];
    size = 0;
  };
  return {
    sink: (line) => {
      buffer.push(line);
      size += line.length;
      if (size > 1 << 20) flush();
    },
    close: () => {
      flush();
      closeSync(fd);
    },
  };
}

export class TraceFileError extends UserError {}

export function readTraceFile(path: string): { header: TraceHeader; lines: string[] } {
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
  return { header, lines: lines.slice(1) };
}
