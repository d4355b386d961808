/**
 * Each chart of a report as its own file, for papers: SVG as vega's
 * View.toSVG() writes it, PNG rasterised from that SVG by resvg with the
 * system's fonts (at 2× for print).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { renderSvg } from './render.ts';
import type { Chart } from './page.ts';

export type FigureFormat = 'svg' | 'png';

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return resvg.render().asPng();
}

/** Writes `<out>/<chart id>.<format>` for every chart; returns the paths in page order. */
export async function exportCharts(charts: readonly Chart[], out: string, format: FigureFormat): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const paths: string[] = [];
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec);
    const path = join(out, `${chart.id}.${format}`);
    writeFileSync(path, format === 'svg' ? svg : svgToPng(svg));
    paths.push(path);
  }
  return paths;
}
