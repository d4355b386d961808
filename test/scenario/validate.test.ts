import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { validateCommand } from '../../src/cli/validate.ts';

describe('validateCommand', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byzsim-validate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  it('prints a summary and returns 0 for a valid file', async () => {
    const file = join(dir, 'fine.yaml');
    writeFileSync(file, 'workers: 7\n');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await validateCommand(file)).toBe(0);
    expect(log).toHaveBeenCalledWith(`ok: ${file} (fine, n=7, f=0, mean, none)`);
  });

  it('prints the issues without a stack and returns 2', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'workers: 7\nnetwork:\n  ordering: lifo\n');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await validateCommand(file)).toBe(2);
    const printed = error.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toBe(`${file}:3:13 network.ordering: must be one of fifo, random, adversarial (got "lifo")`);
    expect(printed).not.toMatch(/\n\s+at /);
  });

  it('returns 2 for a missing file', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await validateCommand(join(dir, 'nope.yaml'))).toBe(2);
    expect(error).toHaveBeenCalledWith(`${join(dir, 'nope.yaml')}: file not found`);
  });
});
