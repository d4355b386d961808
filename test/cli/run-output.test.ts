/**
 * `byzsim run`'s outputs and `byzsim replay`'s header: what the run writes
 * where, what it refuses to overwrite, the backend it records, and a header
 * that does not hold a valid scenario.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { prepareOutputDirectory, runCommand } from '../../src/cli/run.ts';
import { replayCommand } from '../../src/cli/replay.ts';
import { resolveBackend, UsageError } from '../../src/cli/backend.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { TraceFileError } from '../../src/run/trace-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-run-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const quiet = () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
};

function scenarioFile(name: string, text = 'rounds: 2\nworkers: 3\n'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('the output directory', () => {
  it('is made with its parents', () => {
    const out = join(dir, 'made', 'deep', 'er');
    prepareOutputDirectory(out, false);
    expect(() => prepareOutputDirectory(out, false)).not.toThrow();
  });

  it('refuses a file where the directory should be, and a file on its path', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    expect(() => prepareOutputDirectory(file, false)).toThrow(
      new UsageError(`output directory ${file} exists and is not a directory: choose another --out or output.dir`),
    );
    expect(() => prepareOutputDirectory(join(file, 'sub'), true)).toThrow(
      new UsageError(`cannot create the output directory ${join(file, 'sub')} (a part of its path is a file): choose another --out or output.dir`),
    );
  });

  it('refuses another run’s outputs unless forced, naming them', () => {
    const out = join(dir, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'metrics.json'), '{}');
    expect(() => prepareOutputDirectory(out, false)).toThrow(
      new UsageError(`${out} already holds a run's outputs (metrics.json): pass --force to overwrite them, or choose another --out`),
    );
    expect(() => prepareOutputDirectory(out, true)).not.toThrow();
    mkdirSync(join(out, 'trace.jsonl'));
    expect(() => prepareOutputDirectory(out, true)).toThrow(/trace\.jsonl exists and is not a file, so the run cannot write it/);
  });
});

describe('byzsim run', () => {
  it('runs once, refuses to overwrite, then overwrites with --force', async () => {
    quiet();
    const file = scenarioFile('twice');
    const out = join(dir, 'twice-out');
    expect(await runCommand(file, { out })).toBe(0);
    const first = readFileSync(join(out, 'trace.jsonl'), 'utf8');
    await expect(runCommand(file, { out })).rejects.toThrow(/already holds a run's outputs \(trace\.jsonl, metrics\.json, report\.html\): pass --force/);
    expect(await runCommand(file, { out, force: true })).toBe(0);
    expect(readFileSync(join(out, 'trace.jsonl'), 'utf8')).toBe(first);
  });

  it('records the backend that ran: synthetic data runs on ts whatever --backend asks', async () => {
    quiet();
    const file = scenarioFile('backend');
    const out = join(dir, 'backend-out');
    const s = parseScenarioText('rounds: 2\n', file);
    expect((await resolveBackend(s, 'cpu')).name).toBe('ts');
    expect((await resolveBackend(s, 'wasm')).note).toMatch(/--backend wasm does not apply/);
    expect(await runCommand(file, { out, backend: 'cpu' })).toBe(0);
    const header = JSON.parse(readFileSync(join(out, 'trace.jsonl'), 'utf8').split('\n')[0]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(header.backend).toBe('ts');
    expect(metrics.backend).toBe('ts');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<td>ts</td>');
  });
});

describe('byzsim replay of a header that is not a valid scenario', () => {
  async function traceWith(edit: (header: Record<string, any>) => void): Promise<string> {
    quiet();
    const out = join(dir, `replay-${Math.random().toString(36).slice(2)}`);
    await runCommand(scenarioFile('replayed'), { out });
    const [head, ...rest] = readFileSync(join(out, 'trace.jsonl'), 'utf8').split('\n');
    const header = JSON.parse(head);
    edit(header);
    const file = join(out, 'edited.jsonl');
    writeFileSync(file, [JSON.stringify(header), ...rest].join('\n'));
    return file;
  }

  it('names the file and the field (schema)', async () => {
    const file = await traceWith((h) => (h.scenario.workers = 'ten'));
    await expect(replayCommand(file)).rejects.toThrow(
      new TraceFileError(`${file}:1: the trace header's scenario is not valid: scenario.workers: expected a number, got string "ten"`),
    );
  });

  it('names the file and the field (cross-field)', async () => {
    const file = await traceWith((h) => (h.scenario.byzantine.f = 5));
    await expect(replayCommand(file)).rejects.toThrow(/:1: the trace header's scenario is not valid: scenario\.byzantine\.f: must be < workers/);
  });

  it('refuses an unknown backend', async () => {
    const file = await traceWith((h) => (h.backend = 'gpu'));
    await expect(replayCommand(file)).rejects.toThrow(/the trace header's backend must be one of ts, cpu, wasm, tfjs-node \(got "gpu"\)/);
  });
});
