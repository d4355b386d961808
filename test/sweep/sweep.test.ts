/**
 * Sweeps on this machine: expansion, validation up front, run ids, the same
 * trace hash as `byzsim run`, threads against one thread, the summary, and
 * resuming after kill -9.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expand, loadSweep, parseSetFlags, SweepError } from '../../src/sweep/load.ts';
import { runLocal } from '../../src/sweep/local.ts';
import { removeStaleTemporaries } from '../../src/sweep/job.ts';
import { summarize, summaryCsv, worstCases, type ConfigurationSummary, type Manifest } from '../../src/sweep/summary.ts';
import { BIN, cli } from '../helpers/cli.ts';
import { reportCommand } from '../../src/cli/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = `name: tiny
seed: 1
rounds: 6
workers: 7
byzantine: { f: 1 }
data: { dataset: synthetic, partition: iid, batchSize: 16 }
optimizer: { lr: 0.1 }
aggregator: cwtm
attack: alie
eval: { every: 3 }
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

write('base.yaml', BASE);

describe('expansion', () => {
  it('is the grid’s product, the last axis fastest, times each zip group walked together', () => {
    const combos = expand({ grid: { a: [1, 2], b: ['x', 'y'] }, zip: [{ c: [1, 2], d: [3, 4] }] });
    expect(combos).toEqual([
      { a: 1, b: 'x', c: 1, d: 3 },
      { a: 1, b: 'x', c: 2, d: 4 },
      { a: 1, b: 'y', c: 1, d: 3 },
      { a: 1, b: 'y', c: 2, d: 4 },
      { a: 2, b: 'x', c: 1, d: 3 },
      { a: 2, b: 'x', c: 2, d: 4 },
      { a: 2, b: 'y', c: 1, d: 3 },
      { a: 2, b: 'y', c: 2, d: 4 },
    ]);
  });

  it('gives every run a distinct id, equal across loads, and writes the values at their dotted paths', async () => {
    const file = write('grid.yaml', 'base: base.yaml\ngrid:\n  aggregator: [cwtm, "nnm > krum"]\n  byzantine.f: [1, 2]\nseeds: 2\n');
    const a = await loadSweep(file, { outDir: join(dir, 'grid') });
    const b = await loadSweep(file, { outDir: join(dir, 'grid') });
    expect(a.runs).toHaveLength(8);
    expect(new Set(a.runs.map((r) => r.id)).size).toBe(8);
    expect(a.runs.map((r) => r.id)).toEqual(b.runs.map((r) => r.id));
    expect(a.keys).toEqual(['aggregator', 'byzantine.f']);
    const run = a.runs.find((r) => r.config.aggregator === 'nnm > krum' && r.config['byzantine.f'] === 2 && r.seed === 2)!;
    expect(run.scenario.aggregator).toBe('nnm > krum');
    expect(run.scenario.byzantine.f).toBe(2);
    expect(run.scenario.seed).toBe(2);
  });

  it('applies the quick profile: fewer rounds and the first seeds', async () => {
    const file = write('quick.yaml', 'base: base.yaml\ngrid: { aggregator: [cwtm] }\nseeds: [5, 6, 7]\nquick: { rounds: 2, seeds: 1 }\n');
    const sweep = await loadSweep(file, { quick: true, outDir: join(dir, 'quick') });
    expect(sweep.runs.map((r) => [r.seed, r.scenario.rounds])).toEqual([[5, 2]]);
    const full = await loadSweep(file, { outDir: join(dir, 'quick') });
    expect(full.runs.map((r) => [r.seed, r.scenario.rounds])).toEqual([[5, 6], [6, 6], [7, 6]]);
  });
});

describe('user modules', () => {
  it('are loaded from the base file’s directory, a grid value naming one too, and count in the run’s id', async () => {
    const define = pathToFileURL(join(import.meta.dirname, '../../src/invariants/define.ts')).href;
    const rule = (name: string) => `import { defineAggregator } from ${JSON.stringify(define)};
export default defineAggregator({ name: '${name}', requirement: { text: 'n ≥ 1', check: (n) => n >= 1 }, aggregate: (vectors) => vectors[0] });
`;
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'first.ts'), rule('first'));
    writeFileSync(join(dir, 'other.ts'), rule('other'));
    write('modbase.yaml', BASE.replace('aggregator: cwtm', 'aggregator: ./first.ts'));
    const file = write('modules.yaml', 'base: modbase.yaml\ngrid: { aggregator: [./first.ts, "nnm > ./other.ts", cwtm] }\n');
    const sweep = await loadSweep(file, { outDir: join(dir, 'modules') });
    expect(sweep.runs.map((r) => r.modules.map((m) => m.spec))).toEqual([['./first.ts'], ['./other.ts'], []]);
    expect(new Set(sweep.runs.map((r) => r.id)).size).toBe(3);
  });
});

describe('--set', () => {
  it('reads each value as YAML and writes it last, over the quick profile', async () => {
    expect(parseSetFlags(['rounds=2', 'aggregator=nnm > krum', 'network.delay={kind: fixed, value: 1}'])).toEqual({
      rounds: 2,
      aggregator: 'nnm > krum',
      'network.delay': { kind: 'fixed', value: 1 },
    });
    expect(() => parseSetFlags(['rounds'])).toThrow(/--set rounds: expected path=value/);
    expect(() => parseSetFlags(['a..b=1'])).toThrow(SweepError);
    const file = write('set.yaml', 'base: base.yaml\ngrid: { aggregator: [cwtm] }\nquick: { rounds: 4 }\n');
    const sweep = await loadSweep(file, { quick: true, set: parseSetFlags(['rounds=3', 'network.delay={kind: fixed, value: 1}']), outDir: join(dir, 'set') });
    expect(sweep.runs[0].scenario.rounds).toBe(3);
    expect(sweep.runs[0].scenario.network.delay).toEqual({ kind: 'fixed', value: 1 });
  });
});

describe('validation before any run', () => {
  it('refuses a sweep with an invalid combination, naming its values and the reason', async () => {
    const file = write('bad.yaml', 'base: base.yaml\ngrid:\n  aggregator: [cwtm, krum]\n  byzantine.f: [1, 3]\n');
    const err = await loadSweep(file, { outDir: join(dir, 'bad') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SweepError);
    const message = (err as Error).message;
    expect(message).toContain('1 of 4 runs are invalid');
    expect(message).toMatch(/aggregator=krum byzantine\.f=3 seed=1: .*krum.*2f \+ 3/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('skips invalid combinations with skipInvalid, listing them', async () => {
    const file = write('skip.yaml', 'base: base.yaml\ngrid:\n  aggregator: [cwtm, krum]\n  byzantine.f: [1, 3]\nskipInvalid: true\n');
    const sweep = await loadSweep(file, { outDir: join(dir, 'skip') });
    expect(sweep.runs).toHaveLength(3);
    expect(sweep.skipped).toEqual([expect.objectContaining({ config: { aggregator: 'krum', 'byzantine.f': 3 }, seed: 1 })]);
  });

  it('places a sweep file’s own mistakes at their line, through the CLI without a stack trace', () => {
    const file = write('typo.yaml', 'base: base.yaml\ngrid:\n  aggregator: [cwtm]\nseed: [1, 2]\n');
    const r = cli(['sweep', file, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4:1 seed: unknown key`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const zip = write('zip.yaml', 'base: base.yaml\nzip:\n  - { workers: [5, 7], byzantine.f: [1] }\n');
    expect(cli(['sweep', zip, '--dry-run']).stderr).toContain('the lists of a zip group must have one length (got 2, 1)');
    const missing = write('missing.yaml', 'base: nowhere.yaml\n');
    expect(cli(['sweep', missing, '--dry-run']).stderr).toMatch(/missing\.yaml:1:\d+ base: cannot read the base scenario .*nowhere\.yaml \(ENOENT\)/);
  });
});

describe('running', () => {
  const file = write('run.yaml', 'base: base.yaml\ngrid:\n  aggregator: [cwtm, "nnm > krum"]\n  attack: [none, alie, signflip]\nseeds: 2\n');

  it('gives each run the trace hash `byzsim run` gives its scenario, on threads as in one thread', async () => {
    const threaded = await runLocal(await loadSweep(file, { outDir: join(dir, 'threads') }), { jobs: 2 });
    const single = await runLocal(await loadSweep(file, { outDir: join(dir, 'single') }), { jobs: 1 });
    expect(threaded.failed).toEqual([]);
    expect(threaded.summary.complete).toBe(12);
    const hashes = (s: typeof single.summary) => s.configurations.map((c) => c.traceHashes);
    expect(hashes(threaded.summary)).toEqual(hashes(single.summary));

    // One run by hand, as a user would write its scenario.
    write('by-hand.yaml', BASE.replace('aggregator: cwtm', 'aggregator: "nnm > krum"').replace('attack: alie', 'attack: signflip').replace('seed: 1', 'seed: 2'));
    const r = cli(['run', join(dir, 'by-hand.yaml'), '--out', join(dir, 'by-hand'), '--threads', '1']);
    expect(r.code).toBe(0);
    const byHand = JSON.parse(readFileSync(join(dir, 'by-hand', 'metrics.json'), 'utf8')).traceHash;
    const config = single.summary.configurations.find((c) => c.config.aggregator === 'nnm > krum' && c.config.attack === 'signflip')!;
    expect(config.traceHashes['2']).toBe(byHand);
  }, 120_000);

  it('writes the summary: mean ± std over seeds, and the worst case over attacks', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'single', 'sweep.json'), 'utf8')) as Manifest;
    const summary = summarize(join(dir, 'single'), manifest);
    const one = summary.configurations[1];
    const accs = manifest.runs
      .filter((r) => JSON.stringify(r.config) === JSON.stringify(one.config))
      .map((r) => JSON.parse(readFileSync(join(dir, 'single', 'runs', r.id, 'metrics.json'), 'utf8')).final.accuracy as number);
    const mean = (accs[0] + accs[1]) / 2;
    expect(one.finalAccuracy.mean).toBeCloseTo(mean, 12);
    expect(one.finalAccuracy.std).toBeCloseTo(Math.abs(accs[0] - accs[1]) / Math.SQRT2, 12);
    expect(summary.worstCase.map((w) => w.config)).toEqual([{ aggregator: 'cwtm' }, { aggregator: 'nnm > krum' }]);
    const csv = readFileSync(join(dir, 'single', 'summary.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('aggregator,attack,seeds,missing,finalAccuracy_mean,finalAccuracy_std,bestAccuracy_mean,bestAccuracy_std,finalLoss_mean,finalLoss_std,wallSeconds_mean,wallSeconds_std,worst_attack,worst_finalAccuracy_mean');
    expect(csv[1].startsWith('cwtm,none,1 2,0,')).toBe(true);
  });

  it('resumes: a sweep killed with SIGKILL and started again has the summary of one never stopped', async () => {
    const out = join(dir, 'killed');
    const args = [BIN, 'sweep', file, '--out', out, '--jobs', '1'];
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const runs = join(out, 'runs');
    const complete = () => (existsSync(runs) ? readdirSync(runs).filter((e) => !e.startsWith('.')).length : 0);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (complete() >= 3) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('the sweep ended before it could be killed'));
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(complete()).toBeLessThan(12);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
    const r = cli(['sweep', file, '--out', out, '--jobs', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ran \d+, \d+ were complete/);
    expect(readdirSync(runs).filter((e) => e.startsWith('.'))).toEqual([]);
    const strip = (text: string) => JSON.parse(text, (k, v) => (k === 'wallSeconds' ? undefined : v));
    expect(strip(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(strip(readFileSync(join(dir, 'single', 'summary.json'), 'utf8')));
    // Started once more, it runs nothing.
    expect(cli(['sweep', file, '--out', out, '--jobs', '1']).stdout).toContain('ran 0, 12 were complete');
  }, 120_000);

  it('runs its threads on the kernel path it was given', () => {
    const out = join(dir, 'scalar');
    const two = write('two.yaml', 'base: base.yaml\ngrid: { aggregator: [cwtm, cwmed] }\n');
    const r = cli(['sweep', two, '--out', out, '--jobs', '2', '--kernels', 'scalar']);
    expect(r.code, r.stderr).toBe(0);
    const kernels = readdirSync(join(out, 'runs')).map((id) => JSON.parse(readFileSync(join(out, 'runs', id, 'metrics.json'), 'utf8')).kernels);
    expect(kernels).toEqual(['scalar', 'scalar']);
  }, 60_000);

  it('lists runs and their state with --dry-run, running nothing', () => {
    const r = cli(['sweep', file, '--out', join(dir, 'single'), '--dry-run']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines.every((l) => /^[0-9a-f]{16} {2}complete {2}aggregator=/.test(l))).toBe(true);
  });
});

describe('the report of a sweep', () => {
  it('draws the f × heterogeneity heatmap when the grid varies f and the partition, and a MixTailor run’s draws', async () => {
    const out = join(dir, 'f-het');
    const file = write(
      'f-het.yaml',
      'base: base.yaml\nset: { workers: 9, data.partition: "dirichlet(alpha=1)" }\ngrid:\n  aggregator: [cwtm, "mixtailor(pool=[cwtm, cwmed, krum])"]\n' +
        '  byzantine.f: [1, 2]\n  data.partition: ["dirichlet(alpha=0.1)", "dirichlet(alpha=10)"]\n',
    );
    const result = await runLocal(await loadSweep(file, { outDir: out }), { jobs: 1 });
    expect(result.summary.complete).toBe(8);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await reportCommand(out, {})).toBe(0);
    } finally {
      log.mockRestore();
    }
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('data-chart="f-heterogeneity"');
    const mixtailor = result.summary.configurations.find((c) => String(c.config.aggregator).startsWith('mixtailor'))!;
    const id = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).runs.find((r: { config: object; seed: number }) => JSON.stringify(r.config) === JSON.stringify(mixtailor.config)).id;
    expect(readFileSync(join(out, 'runs', id, 'report.html'), 'utf8')).toContain('data-chart="draws"');
  }, 60_000);
});

describe('temporaries', () => {
  it('of dead processes on this machine are removed; a live worker’s, or another machine’s, are left', () => {
    const runs = join(dir, 'temps', 'runs');
    const host = hostname().replace(/[^A-Za-z0-9]/g, '_');
    // A pid beyond Linux's pid_max is never alive.
    const names = [`.tmp-00aa-${host}-${process.pid}-0`, `.tmp-00bb-${host}-99999999-0`, '.tmp-00cc-elsewhere-1-0', '.tmp-old-format'];
    for (const name of names) mkdirSync(join(runs, name), { recursive: true });
    expect(removeStaleTemporaries(runs)).toBe(2);
    expect(readdirSync(runs).sort()).toEqual([names[0], names[2]].sort());
  });
});

describe('worst case over attacks', () => {
  const c = (config: Record<string, unknown>, mean: number): ConfigurationSummary => ({
    config,
    seeds: [1],
    missing: 0,
    finalAccuracy: { mean, std: 0 },
    bestAccuracy: { mean, std: 0 },
    finalLoss: { mean: 0, std: 0 },
    wallSeconds: { mean: 0, std: 0 },
    traceHashes: {},
    trouble: { refusedSteps: 0, skipped: 0, diverged: 0 },
  });

  it('takes the lowest mean per configuration, leaving out the no-attack baseline', () => {
    const worst = worstCases([c({ rule: 'a', attack: 'none' }, 0.1), c({ rule: 'a', attack: 'alie' }, 0.5), c({ rule: 'a', attack: 'foe' }, 0.4), c({ rule: 'b', attack: 'alie' }, 0.9)]);
    expect(worst).toEqual([
      { config: { rule: 'a' }, attack: 'foe', finalAccuracy: { mean: 0.4, std: 0 }, byAttack: { alie: 0.5, foe: 0.4 } },
      { config: { rule: 'b' }, attack: 'alie', finalAccuracy: { mean: 0.9, std: 0 }, byAttack: { alie: 0.9 } },
    ]);
    expect(summaryCsv({ name: 's', keys: ['rule', 'attack'], complete: 1, total: 1, configurations: [c({ rule: 'x,"y"', attack: 'alie' }, 0.5)], worstCase: [] })).toContain('"x,""y"""');
  });
});
