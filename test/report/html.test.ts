import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReportHtml, escapeHtml, writeReport, type ReportData } from '../../src/report/html.ts';
import { sampleHistory, samplePerRound } from './fixtures.ts';

const data: ReportData = {
  title: 'quickstart <script>alert("x")</script>',
  summary: {
    scenario: 'quickstart',
    seed: 42,
    backend: 'cpu',
    'trace hash': 'sha256:9f2c0e1d',
    rounds: 25,
    'final accuracy': 0.9123,
    'final loss': 0.31,
    'wall seconds': 3.5,
  },
  history: sampleHistory(),
  notes: ['f = 2 Byzantine workers run ALIE', 'krum follows Blanchard et al. (n − f − 2 neighbours) & not ByzFL'],
};

describe('buildReportHtml', () => {
  it('inlines the accuracy and loss charts', async () => {
    const html = await buildReportHtml(data);
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toContain('Test accuracy');
    expect(html).toContain('Test loss');
  });

  it('adds the gradient charts with the per-round metrics, and the selection charts only for a rule that selects', async () => {
    const html = await buildReportHtml({ ...data, perRound: samplePerRound(), workers: 6 });
    expect(html.match(/<svg/g)).toHaveLength(6);
    for (const title of ['Gradients and aggregates', 'Honest gradients', 'Aggregate against the honest mean', 'Selections per worker', 'Byzantine inputs in the rule’s selection']) expect(html).toContain(title);
    const none = samplePerRound();
    const unselecting = await buildReportHtml({ ...data, perRound: { ...none, selected: none.selected.map(() => null) }, workers: 6 });
    expect(unselecting.match(/<svg/g)).toHaveLength(4);
    expect(unselecting).not.toContain('Selections per worker');
  });

  it('escapes the title', async () => {
    const html = await buildReportHtml(data);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('quickstart &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('shows every summary entry and note', async () => {
    const html = await buildReportHtml(data);
    for (const [k, v] of Object.entries(data.summary)) {
      expect(html).toContain(escapeHtml(k));
      expect(html).toContain(String(v));
    }
    expect(html).toContain('f = 2 Byzantine workers run ALIE');
    expect(html).toContain('n − f − 2 neighbours) &amp; not ByzFL');
  });

  it('references no external resources', async () => {
    const html = await buildReportHtml(data);
    const urls = html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [];
    // XML namespaces and the Vega-Lite schema's id in the embedded specs: names, never fetched.
    const names = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink', 'https://vega.github.io/schema/vega-lite/v5.json']);
    expect(urls.filter((u) => !names.has(u))).toEqual([]);
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    // The only script elements are the specs' JSON data blocks, which no browser executes.
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" data-spec="accuracy">', '<script type="application/json" data-spec="loss">']);
  });

  it('says so when no rounds were recorded', async () => {
    const html = await buildReportHtml({ title: 'empty', summary: {}, history: [] });
    expect(html).not.toContain('<svg');
    expect(html).toContain('No rounds were recorded.');
  });

  it('trims float noise but keeps integers and strings verbatim', async () => {
    const html = await buildReportHtml({ title: 't', summary: { a: 0.1 + 0.2, b: 7, c: '0.30000000000000004' }, history: [] });
    expect(html).toContain('<td>0.3</td>');
    expect(html).toContain('<td>7</td>');
    expect(html).toContain('<td>0.30000000000000004</td>');
  });
});

describe('writeReport', () => {
  it('writes the same HTML to disk, creating directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'byzsim-report-'));
    try {
      const path = join(dir, 'nested', 'report.html');
      await writeReport(path, data);
      expect(await readFile(path, 'utf8')).toBe(await buildReportHtml(data));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
