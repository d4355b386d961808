/**
 * The report of a sweep: what it ran and what is missing; accuracy and loss
 * with a band over seeds, per attack with the no-attack baseline dashed; the
 * worst case over attacks per rule and pre-aggregation (table and heatmap);
 * f × heterogeneity per aggregator; Krum's selection histogram; the label
 * histogram per worker; one run's event timeline; a table per configuration.
 * A chart the grid cannot support is replaced by a line saying why.
 */
import { gridTable, keyValueTable, list, omitted, paragraph, renderPage, type Block, type Section } from './page.ts';
import type { LabelledRun } from './specs.ts';
import { bandSpec, heatmapSpec, sweepHoldingsSpec, sweepSelectionSpec, type Band, type HeatCell, type SelectionBar } from './sweep-specs.ts';
import {
  AGGREGATOR,
  ATTACK,
  bandOverSeeds,
  configKey,
  distinct,
  F,
  finalAccuracy,
  formatScalar,
  groupConfigurations,
  heterogeneityKey,
  labelOf,
  ruleName,
  splitAggregator,
  timelineRunOf,
  valueOf,
  worstCaseOverAttacks,
  type RunPoint,
  type Sweep,
  type SweepRun,
} from './sweep.ts';
import { timelineSpec } from './timeline.ts';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

function pointOf(run: SweepRun): RunPoint {
  const m = run.loaded!.metrics;
  return { id: run.id, config: run.config, seed: run.seed, history: m.history, final: m.final, diverged: m.counts.diverged.evaluations > 0 };
}

function attackOf(sweep: Sweep): (p: RunPoint) => string {
  const byId = new Map(sweep.runs.map((r) => [r.id, r]));
  return (p) => formatScalar(valueOf(byId.get(p.id)!, ATTACK) ?? 'none');
}

function curves(sweep: Sweep, points: RunPoint[]): Block[] {
  const varied = sweep.keys.includes(ATTACK);
  const rest = sweep.keys.filter((k) => k !== ATTACK);
  const attack = attackOf(sweep);
  const configs = groupConfigurations(points, sweep.keys);
  const blocks: Block[] = [];
  for (const metric of ['accuracy', 'loss'] as const) {
    const bands: Band[] = configs.map((c) => ({
      label: labelOf(c.config, rest),
      ...(varied ? { attack: attack(c.runs[0]) } : {}),
      points: bandOverSeeds(c.runs.map((r) => r.history), metric),
    }));
    // The baseline (attack none) again, dashed, in every other attack's panel.
    const baselines = bands.filter((b) => b.attack === 'none');
    const attacks = distinct(bands.map((b) => b.attack).filter((a): a is string => a !== undefined && a !== 'none'));
    for (const a of attacks) for (const b of baselines) bands.push({ ...b, attack: a, baseline: true });
    blocks.push({ chart: { id: `${metric}-band`, title: `Test ${metric} over seeds`, spec: bandSpec(bands, metric) } });
  }
  const note = varied
    ? sweep.runs.some((r) => r.config[ATTACK] === 'none')
      ? 'One panel per attack; dashed in each, the same configuration without attack.'
      : 'One panel per attack; the sweep has no run without attack (attack: none) to draw as a baseline.'
    : 'The grid varies no attack: every run faces the scenario’s one attack.';
  return [{ html: paragraph(note) }, ...blocks];
}

function worstCase(sweep: Sweep, points: RunPoint[]): Block[] {
  const cases = worstCaseOverAttacks(points, sweep.keys, attackOf(sweep));
  const attacks = distinct(cases.flatMap((c) => c.outcomes.map((o) => o.attack)));
  const rest = sweep.keys.filter((k) => k !== ATTACK);
  const head = [...(rest.length > 0 ? rest : ['configuration']), 'worst case', 'under', ...attacks.map((a) => `${a}${a === 'none' ? ' (baseline)' : ''}`)];
  const rows = cases.map((c) => [
    ...(rest.length > 0 ? rest.map((k) => formatScalar(c.group[k])) : ['the configuration']),
    { text: pct(c.worst), bad: c.outcomes.some((o) => o.attack === c.attack && o.diverged > 0) },
    c.attack,
    ...attacks.map((a) => {
      const o = c.outcomes.find((x) => x.attack === a);
      return o === undefined ? { text: '—', bad: false } : { text: `${pct(o.accuracy)}${o.diverged > 0 ? ` (${o.diverged} of ${o.seeds} diverged)` : ''}`, bad: o.diverged > 0 };
    }),
  ]);
  const blocks: Block[] = [
    { html: paragraph('Final test accuracy, mean over seeds, under each attack; the worst case is the lowest over the attacks (attack none excluded). A diverged run counts with accuracy 0 when its accuracy is not finite.') },
    { html: gridTable(head, rows) },
  ];
  if (!sweep.keys.includes(AGGREGATOR)) {
    blocks.push({ html: omitted('The rule × pre-aggregation heatmap', 'the grid varies no aggregator') });
    return blocks;
  }
  const others = rest.filter((k) => k !== AGGREGATOR);
  const cells: HeatCell[] = cases.map((c) => {
    const { pre, rule } = splitAggregator(String(c.group[AGGREGATOR]));
    return { row: rule, column: pre, value: c.worst, note: c.attack, ...(others.length > 0 ? { panel: labelOf(c.group, others) } : {}) };
  });
  blocks.push({
    chart: {
      id: 'worst-case',
      title: 'Worst case over attacks per rule and pre-aggregation',
      spec: heatmapSpec(cells, { row: 'rule', column: 'pre-aggregation', ...(others.length > 0 ? { panel: others.join(', ') } : {}) }, { title: 'Worst-case accuracy over attacks: rule × pre-aggregation' }),
    },
  });
  return blocks;
}

function fByHeterogeneity(sweep: Sweep, points: RunPoint[]): Block[] {
  const het = heterogeneityKey(sweep.keys);
  const byId = new Map(sweep.runs.map((r) => [r.id, r]));
  const values = (key: string) => distinct(points.map((p) => formatScalar(valueOf(byId.get(p.id)!, key))));
  const fs = sweep.keys.includes(F) ? values(F) : [];
  const hs = het ? values(het) : [];
  if (fs.length < 2 || hs.length < 2) {
    const why = [fs.length < 2 ? 'byzantine.f takes fewer than two values' : '', hs.length < 2 ? (het ? `${het} takes fewer than two values` : 'the grid varies no data key (heterogeneity)') : ''].filter((s) => s !== '');
    return [{ html: omitted('The f × heterogeneity heatmap', `${why.join(' and ')} in this sweep`) }];
  }
  const aggOf = (p: RunPoint) => formatScalar(valueOf(byId.get(p.id)!, AGGREGATOR));
  const worst = new Map<string, HeatCell>();
  const attack = attackOf(sweep);
  // The worst over attacks, and over any other key the grid varies, of the mean over seeds.
  for (const c of worstCaseOverAttacks(points, sweep.keys, attack)) {
    const any = points.find((p) => configKey(Object.fromEntries(Object.entries(p.config).filter(([k]) => k !== ATTACK)), sweep.keys.filter((k) => k !== ATTACK)) === configKey(c.group, sweep.keys.filter((k) => k !== ATTACK)))!;
    const cell = { row: formatScalar(valueOf(byId.get(any.id)!, het!)), column: formatScalar(valueOf(byId.get(any.id)!, F)), panel: aggOf(any) };
    const key = JSON.stringify(cell);
    const seen = worst.get(key);
    if (seen === undefined || c.worst < seen.value) worst.set(key, { ...cell, value: c.worst, note: c.attack });
  }
  return [
    {
      chart: {
        id: 'f-heterogeneity',
        title: 'Worst case over attacks: f × heterogeneity',
        spec: heatmapSpec([...worst.values()], { row: het!, column: 'f', panel: 'aggregator', rowOrder: hs, columnOrder: fs }, { title: `Worst-case accuracy over attacks: f × ${het}` }),
      },
    },
  ];
}

function krum(sweep: Sweep): Block[] {
  const runs = sweep.runs.filter((r) => r.loaded && ['krum', 'multikrum'].includes(ruleName(formatScalar(valueOf(r, AGGREGATOR)))));
  if (runs.length === 0) return [{ html: omitted('The Krum selection histogram', 'no complete run of the sweep uses krum or multikrum') }];
  const bars = new Map<string, SelectionBar>();
  const labels = new Map(runs.map((r) => [r.id, labelOf(r.config, sweep.keys)]));
  for (const r of runs) {
    const { perRound } = r.loaded!.metrics;
    const n = r.loaded!.scan.header.scenario.workers;
    const configuration = labels.get(r.id)!;
    for (let w = 0; w < n; w++) {
      for (const role of ['honest', 'Byzantine'] as const) {
        const k = `${configuration}\u0000${w}\u0000${role}`;
        if (!bars.has(k)) bars.set(k, { configuration, worker: w, role, rounds: 0 });
      }
    }
    perRound.selected.forEach((sel, i) => {
      for (const w of sel ?? []) {
        const bar = bars.get(`${configuration}\u0000${w}\u0000${perRound.byzantine[i].includes(w) ? 'Byzantine' : 'honest'}`);
        if (bar) bar.rounds++;
      }
    });
  }
  return [{ chart: { id: 'krum-selections', title: 'Krum selection histogram', spec: sweepSelectionSpec([...bars.values()]) } }];
}

function holdings(sweep: Sweep): Block[] {
  const het = heterogeneityKey(sweep.keys);
  const complete = sweep.runs.filter((r) => r.loaded);
  const firstOf = new Map<string, SweepRun>();
  for (const r of complete) {
    const v = het ? formatScalar(valueOf(r, het)) : 'the sweep';
    if (!firstOf.has(v)) firstOf.set(v, r);
  }
  const panels = [...firstOf].map(([v, r]) => ({ panel: het ? `${v} (seed ${r.seed})` : `seed ${r.seed}`, holdings: r.loaded!.metrics.holdings }));
  if (panels.every((p) => p.holdings.length === 0)) return [{ html: omitted('The label histogram', 'no run recorded its workers’ holdings') }];
  return [{ chart: { id: 'holdings', title: 'Label histogram per worker', spec: sweepHoldingsSpec(panels, het ?? null) } }];
}

function timeline(sweep: Sweep): Block[] {
  const complete = sweep.runs.filter((r) => r.loaded);
  const run = complete[timelineRunOf(complete)];
  if (run === undefined) return [{ html: omitted('The event timeline', 'no run is complete') }];
  const t = run.loaded!.scan.timeline;
  if (t === undefined) return [{ html: omitted('The event timeline', `run ${run.id}'s trace does not hold every event of the round (output.trace: ${run.loaded!.scan.detail})`) }];
  return [
    { html: paragraph(`Run ${run.id} (${labelOf(run.config, sweep.keys)}, seed ${run.seed}), round ${t.round}: θ's trip to each worker (grey), its computation (dotted), its gradient's trip back coloured by what became of it; triangles are Byzantine senders.`) },
    { chart: { id: 'timeline', title: `Event timeline of round ${t.round}`, spec: timelineSpec(t) } },
  ];
}

function perConfiguration(sweep: Sweep, points: RunPoint[]): Block[] {
  const byId = new Map(sweep.runs.map((r) => [r.id, r]));
  const rows = groupConfigurations(points, sweep.keys).map((c) => {
    const accs = c.runs.map(finalAccuracy);
    const sum = (f: (r: SweepRun) => number) => c.runs.reduce((s, p) => s + f(byId.get(p.id)!), 0);
    const counts = (r: SweepRun) => r.loaded!.metrics.counts;
    const diverged = c.runs.filter((p) => p.diverged).length;
    const dropped = sum((r) => r.loaded!.scan.troubles.reduce((s, t) => s + t.dropped, 0));
    return [
      c.label,
      c.runs.map((r) => r.seed).join(', '),
      `${pct(accs.reduce((s, v) => s + v, 0) / accs.length)} [${pct(Math.min(...accs))}–${pct(Math.max(...accs))}]`,
      { text: diverged === 0 ? '0' : `${diverged} of ${c.runs.length}`, bad: diverged > 0 },
      { text: String(sum((r) => counts(r).skipped)), bad: sum((r) => counts(r).skipped) > 0 },
      { text: String(sum((r) => counts(r).refusedSteps)), bad: sum((r) => counts(r).refusedSteps) > 0 },
      sum((r) => counts(r).timeouts),
      dropped,
      sum((r) => counts(r).ignored.stale),
    ];
  });
  return [{ html: gridTable(['configuration', 'seeds', 'final accuracy (mean [min–max])', 'diverged', 'skipped rounds', 'refused steps', 'timeouts', 'dropped', 'late'], rows) }];
}

/** The sweep report's sections, in page order. */
export function sweepSections(sweep: Sweep): Section[] {
  const complete = sweep.runs.filter((r) => r.loaded !== undefined);
  const missing = sweep.runs.filter((r) => r.loaded === undefined);
  const points = complete.map(pointOf);
  const sections: Section[] = [];
  const diverged = points.filter((p) => p.diverged);
  if (diverged.length > 0 || missing.length > 0) {
    const items = [
      ...(diverged.length > 0 ? [`${diverged.length} of ${points.length} complete runs diverged: ${diverged.map((p) => `${p.id} (${labelOf(p.config, sweep.keys)}, seed ${p.seed})`).join('; ')}`] : []),
      ...(missing.length > 0 ? [`${missing.length} of ${sweep.runs.length} runs are not complete yet (listed under Missing runs): the charts show the others`] : []),
    ];
    sections.push({ title: 'What went wrong', alert: true, blocks: [{ html: list(items) }] });
  }
  sections.push({
    title: 'Summary',
    blocks: [
      {
        html: keyValueTable({
          sweep: sweep.name,
          'grid keys': sweep.keys.join(', ') || '(none)',
          runs: sweep.runs.length,
          complete: complete.length,
          missing: missing.length,
          configurations: groupConfigurations(points, sweep.keys).length,
          seeds: distinct(sweep.runs.map((r) => r.seed)).join(', '),
        }),
      },
    ],
  });
  if (points.length === 0) {
    sections.push({ title: 'Results', blocks: [{ html: paragraph('No run of the sweep is complete yet: nothing to draw.', 'empty') }] });
  } else {
    sections.push({ title: 'Learning curves', blocks: curves(sweep, points) });
    sections.push({ title: 'Worst case over attacks', blocks: worstCase(sweep, points) });
    sections.push({ title: 'f × heterogeneity', blocks: fByHeterogeneity(sweep, points) });
    sections.push({ title: 'Krum’s selections', blocks: krum(sweep) });
    sections.push({ title: 'Data', blocks: holdings(sweep) });
    sections.push({ title: 'Event timeline', blocks: timeline(sweep) });
    sections.push({ title: 'Per configuration', blocks: perConfiguration(sweep, points) });
  }
  if (missing.length > 0) {
    sections.push({ title: 'Missing runs', blocks: [{ html: gridTable(['run', 'configuration', 'seed'], missing.map((r) => [r.id, labelOf(r.config, sweep.keys), r.seed])) }] });
  }
  return sections;
}

export async function buildSweepHtml(sweep: Sweep, sections: Section[] = sweepSections(sweep)): Promise<string> {
  return renderPage('sweep report', `byzsim sweep — ${sweep.name}`, sections);
}

/**
 * A run's baselines in its sweep: the same configuration without attack and
 * the same one with the mean rule, at the same seed (else the first seed
 * there is); none for a run that is its own baseline.
 */
export function baselinesOf(sweep: Sweep, run: SweepRun): LabelledRun[] {
  const out: LabelledRun[] = [];
  const find = (change: Record<string, string>): SweepRun | undefined => {
    const target = configKey({ ...run.config, ...change }, sweep.keys);
    const same = sweep.runs.filter((r) => r.loaded && configKey(r.config, sweep.keys) === target);
    return same.find((r) => r.seed === run.seed) ?? same[0];
  };
  if (sweep.keys.includes(ATTACK) && run.config[ATTACK] !== 'none') {
    const b = find({ [ATTACK]: 'none' });
    if (b) out.push({ label: `no attack (seed ${b.seed})`, history: b.loaded!.metrics.history });
  }
  if (sweep.keys.includes(AGGREGATOR) && run.config[AGGREGATOR] !== 'mean') {
    const b = find({ [AGGREGATOR]: 'mean' });
    if (b) out.push({ label: `mean (seed ${b.seed})`, history: b.loaded!.metrics.history });
  }
  return out;
}
