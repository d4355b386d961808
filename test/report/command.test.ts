/** `byzsim report` on a small real sweep and one of its runs: what it writes, the figures it exports, and the mistakes it names. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportCommand } from '../../src/cli/report.ts';
import { UserError } from '../../src/errors.ts';
import { makeSweep } from './sweep-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-report-cmd-'));
const sweep = join(dir, 'sweep');
let ids: string[];
let missing: string;
beforeAll(async () => {
  ({ ids, missing } = await makeSweep(sweep));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
const quiet = () => vi.spyOn(console, 'log').mockImplementation(() => {});

const specsIn = (html: string): string[] => [...html.matchAll(/data-spec="([^"]+)"/g)].map((m) => m[1]);

describe('byzsim report <sweep>', () => {
  it('writes the sweep report: bands, worst case, Krum, data, timeline; omits what the grid cannot support and lists the missing run', async () => {
    quiet();
    expect(await reportCommand(sweep, {})).toBe(0);
    const html = readFileSync(join(sweep, 'report.html'), 'utf8');
    expect(specsIn(html)).toEqual(['accuracy-band', 'loss-band', 'worst-case', 'krum-selections', 'holdings', 'timeline']);
    expect(html).toContain('The f × heterogeneity heatmap: not drawn — byzantine.f takes fewer than two values and the grid varies no data key (heterogeneity) in this sweep.');
    expect(html).toContain('Missing runs');
    expect(html).toContain(missing);
    expect(html).toContain('1 of 9 runs are not complete yet');
    // Each run's report is rewritten with its baselines: the attacked runs get the no-attack one, the non-mean rules no mean (none in the grid).
    const attacked = readFileSync(join(sweep, 'runs', ids[2], 'report.html'), 'utf8');
    expect(attacked).toContain('Dashed: no attack (seed 1).');
    expect(readFileSync(join(sweep, 'runs', ids[0], 'report.html'), 'utf8')).not.toContain('Dashed:');
  });

  it('exports every chart as SVG and as PNG', async () => {
    quiet();
    const svgDir = join(dir, 'svg');
    expect(await reportCommand(sweep, { format: 'svg', out: svgDir })).toBe(0);
    const svgs = readdirSync(svgDir).sort();
    expect(svgs).toEqual(['accuracy-band.svg', 'holdings.svg', 'krum-selections.svg', 'loss-band.svg', 'timeline.svg', 'worst-case.svg']);
    for (const f of svgs) expect(readFileSync(join(svgDir, f), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
    expect(await reportCommand(sweep, { format: 'png' })).toBe(0);
    const pngs = readdirSync(join(sweep, 'figures'));
    expect(pngs).toHaveLength(6);
    for (const f of pngs) {
      const bytes = readFileSync(join(sweep, 'figures', f));
      expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(bytes.readUInt32BE(16)).toBeGreaterThan(100); // IHDR width
    }
  });
});

describe('byzsim report <run>', () => {
  it('regenerates the run’s report with the timeline of --round, the configuration and the counts', async () => {
    quiet();
    const run = join(sweep, 'runs', ids[3]);
    expect(await reportCommand(run, { round: 4 })).toBe(0);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    expect(specsIn(html)).toEqual(['accuracy', 'loss', 'honest-gradients', 'aggregate', 'vn', 'timeline', 'holdings']);
    expect(html).toContain('Round 4: who sent what, when');
    expect(html).toContain('<th scope="row">network.delay.kind</th><td>uniform</td>');
    expect(html).toContain('<th scope="row">gradients dropped</th><td>0</td>');
    expect(html).toContain('The rule trims 1 input per coordinate at each end');
  });

  it('draws Krum’s selections and the Byzantine share for a rule that selects', async () => {
    quiet();
    const run = join(sweep, 'runs', ids[7]);
    expect(await reportCommand(run, { format: 'svg' })).toBe(0);
    expect(specsIn(readFileSync(join(run, 'report.html'), 'utf8'))).toEqual(['accuracy', 'loss', 'honest-gradients', 'aggregate', 'byzantine-share', 'selections', 'vn', 'timeline', 'holdings']);
    expect(existsSync(join(run, 'figures', 'byzantine-share.svg'))).toBe(true);
  });
});

describe('mistakes', () => {
  it('are UserErrors naming the path', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    await expect(reportCommand(plain, {})).rejects.toThrow(new UserError(`${plain} is neither a run directory (no metrics.json or trace.jsonl) nor a sweep directory (no sweep.json)`));
    await expect(reportCommand(join(dir, 'absent'), {})).rejects.toThrow(new UserError(`${join(dir, 'absent')}: no such directory (expected a run directory or a sweep directory)`));
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    await expect(reportCommand(file, {})).rejects.toThrow(/is a file: expected a run directory/);
    const half = join(dir, 'half');
    mkdirSync(half);
    writeFileSync(join(half, 'trace.jsonl'), readFileSync(join(sweep, 'runs', ids[0], 'trace.jsonl')));
    const err = await reportCommand(half, {}).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`${join(half, 'metrics.json')}: metrics.json is missing: the run did not complete (rerun it with byzsim run)`);
  });

  it('refuse a bad --round and a bad --format', async () => {
    const run = join(sweep, 'runs', ids[0]);
    await expect(reportCommand(run, { round: 11 })).rejects.toThrow(new UserError(`--round 11: ${run} has no such round (its rounds are 1–10)`));
    await expect(reportCommand(run, { round: 0 })).rejects.toThrow(new UserError('--round 0: expected a round number (an integer ≥ 1)'));
    await expect(reportCommand(run, { round: Number.NaN })).rejects.toThrow(UserError);
    await expect(reportCommand(run, { format: 'pdf' as 'svg' })).rejects.toThrow(new UserError('--format pdf: expected html, svg or png'));
    await expect(reportCommand(sweep, { round: 99 })).rejects.toThrow(/--round 99: .*runs.* has no such round/);
  });
});
