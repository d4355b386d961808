/**
 * The reports in a real browser: Debian's chromium, driven by playwright-core,
 * opens a generated sweep report and one run report from file://, and every
 * chart must have rendered (an SVG of non-zero size in each chart's figure),
 * one per spec embedded, with nothing logged as an error — a CSP violation,
 * a parse error in the page — on the console or as a page error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { reportCommand } from '../../src/cli/report.ts';
import { makeSweep } from './sweep-fixture.ts';
import { cli } from '../helpers/cli.ts';

const CHROMIUM = process.env.BYZSIM_CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'byzsim-browser-'));
let browser: Browser | undefined;
let runId: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), or point BYZSIM_CHROMIUM at a Chromium binary`);
  }
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const [{ ids }, launched] = await Promise.all([makeSweep(join(dir, 'sweep')), chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] })]);
  browser = launched;
  runId = ids[7];
  await reportCommand(join(dir, 'sweep'), {});
  log.mockRestore();
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function check(path: string): Promise<number> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  await page.waitForFunction(() =>
    [...document.querySelectorAll('figure[data-chart]')].every((f) => {
      const chart = f.querySelector('svg, canvas');
      const box = chart?.getBoundingClientRect();
      return box !== undefined && box.width > 0 && box.height > 0;
    }),
  );
  const { charts, specs, rendered } = await page.evaluate(() => ({
    charts: document.querySelectorAll('figure[data-chart]').length,
    specs: [...document.querySelectorAll('script[type="application/json"][data-spec]')].filter((s) => JSON.parse(s.textContent ?? 'null')?.$schema !== undefined).length,
    rendered: [...document.querySelectorAll('figure[data-chart] > svg')].filter((s) => s.querySelectorAll('path, rect, line, text').length > 0).length,
  }));
  await page.close();
  expect(errors).toEqual([]);
  expect(charts).toBe(specs);
  expect(rendered).toBe(charts);
  return charts;
}

describe('in chromium', () => {
  it('the report of scenarios/sweeps/slides-quick.yaml (its --quick grid, cut to 2 rounds) renders every chart', async () => {
    // The committed sweep's structure — 2 rules × 3 pre-aggregations × 3 attacks × 2 seeds of the CNN on
    // Dirichlet MNIST — with rounds and test images cut so that it runs here in seconds.
    const out = join(dir, 'slides-quick');
    const flags = ['--quick', '--set', 'rounds=2', '--set', 'data.mnist.testSize=100', '--set', 'eval.trainSize=100', '--out', out, '--jobs', '2'];
    const swept = cli(['sweep', join(import.meta.dirname, '../../scenarios/sweeps/slides-quick.yaml'), ...flags]);
    expect(swept.code, swept.stderr).toBe(0);
    expect(swept.stdout).toContain('36/36 runs complete');
    const reported = cli(['report', out]);
    expect(reported.code, reported.stderr).toBe(0);
    // Accuracy and loss bands, the worst-case heatmap (rule × pre-aggregation) and the label histogram; the
    // sweep varies neither f nor the data, uses no Krum and keeps aggregate-level traces, so those charts are not drawn.
    expect(await check(join(out, 'report.html'))).toBe(4);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('data-chart="worst-case"');
  }, 120_000);

  it('the sweep report renders every chart and logs no error', async () => {
    expect(await check(join(dir, 'sweep', 'report.html'))).toBe(6);
  });

  it('a run report renders every chart and logs no error', async () => {
    expect(await check(join(dir, 'sweep', 'runs', runId, 'report.html'))).toBe(9);
  });
});
