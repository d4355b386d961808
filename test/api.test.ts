import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';
import { aggregators as registry } from '../src/aggregators/index.ts';
import { cwtm, krum, mean, SpecError } from '../src/index.ts';

const rows = [
  [1, 10],
  [2, 20],
  [3, 30],
  [4, 40],
  [100, -1000],
];

describe('rules as plain functions', () => {
  it('cwtm(vectors, f) returns the aggregate, from numbers or Float32Arrays', () => {
    expect(cwtm(rows, 1)).toEqual(Float32Array.of(3, 20));
    expect(cwtm(rows.map((r) => Float32Array.from(r)), 1)).toEqual(Float32Array.of(3, 20));
    expect(cwtm.name).toBe('cwtm');
  });

  it('takes parameters by name and reports diagnostics on request', () => {
    expect(krum(rows, 1, { m: 2 })).toEqual(Float32Array.of(2.5, 25));
    expect(krum.withDiagnostics(rows, 1).diagnostics.selected).toHaveLength(1);
    expect(krum.definition).toBe(registry.get('krum'));
  });

  it('checks parameters and the requirement on (n, f)', () => {
    expect(() => krum(rows, 1, { q: 1 })).toThrow(SpecError);
    expect(() => krum(rows, 1, { m: 0 })).toThrow("parameter 'm' of krum must be an integer ≥ 1 (got 0)");
    expect(() => krum(rows, 1, { m: 'two' })).toThrow("parameter 'm' of krum must be a number (got two)");
    expect(() => cwtm(rows, 3)).toThrow(new RangeError('cwtm requires n ≥ 2f + 1 (got n=5, f=3)'));
    expect(mean(rows, 0)).toEqual(Float32Array.of(22, -180));
  });

  it('works for every registered rule, with its default parameters', () => {
    const input = Array.from({ length: 11 }, (_, i) => [i, -i, (i * i) % 7]);
    for (const name of registry.names()) {
      const fn = (api as unknown as Record<string, api.Rule>)[name];
      if (typeof fn !== 'function') continue; // reported by the export parity test below
      // fltrust scores against the server's trusted gradient: given as `reference`.
      const out = fn(input, 2, {}, registry.get(name)!.create().needsReference ? { reference: [1, -1, 1] } : {});
      expect(out, name).toBeInstanceOf(Float32Array);
      expect(out, name).toHaveLength(3);
    }
  });

  it('gives randomized rules the server stream of a seed (1 by default)', () => {
    for (const def of registry.list().filter((d) => d.randomized)) {
      const fn = (api as unknown as Record<string, api.Rule>)[def.name];
      const input = Array.from({ length: 11 }, (_, i) => [i, -i, i * i]);
      expect(fn(input, 2, {}, { seed: 5 }), def.name).toEqual(fn(input, 2, {}, { seed: 5 }));
      expect(fn(input, 2), def.name).toEqual(fn(input, 2, {}, { rng: api.createRng(1, 'server') }));
    }
  });
});

describe('the public API', () => {
  it('exports every registered rule under its own name', () => {
    // A rule added to src/aggregators/index.ts must also be named in src/index.ts's `export const { mean, … } = plain`.
    const missing = registry.names().filter((name) => {
      const fn = (api as Record<string, unknown>)[name] as api.Rule | undefined;
      return typeof fn !== 'function' || fn.definition !== registry.get(name);
    });
    expect(missing, 'rules registered but not exported as plain functions from src/index.ts').toEqual([]);
    const undefinedExports = Object.entries(api).filter(([, value]) => value === undefined).map(([name]) => name);
    expect(undefinedExports, 'names exported from src/index.ts that no registered rule defines').toEqual([]);
  });

  it('exports the registries, the simulator entry points and the vectors I/O', () => {
    for (const name of [
      'aggregators',
      'createAggregator',
      'attacks',
      'createAttack',
      'runScenario',
      'loadScenario',
      'ScenarioSchema',
      'readVectors',
      'writeVectors',
      'readNpy',
      'writeNpy',
    ]) {
      expect((api as Record<string, unknown>)[name], name).toBeDefined();
    }
    expect(api.aggregators).toBe(registry);
    expect(api.createAggregator('krum(m=2)').spec).toBe('krum(m=2)');
  });

  it('exports defineAggregator (src/invariants/define.ts)', () => {
    expect((api as Record<string, unknown>).defineAggregator).toBeTypeOf('function');
  });

  it('runs a scenario through the lazily loaded simulator', async () => {
    const scenario = api.ScenarioSchema.parse({
      name: 'api',
      seed: 3,
      rounds: 2,
      workers: 5,
      byzantine: { f: 1 },
      data: { dataset: 'synthetic', batchSize: 8, synthetic: { classes: 3, features: 4, trainSize: 150, testSize: 50 } },
      aggregator: 'cwtm',
      attack: 'signflip',
    });
    const result = await api.runScenario(scenario, { backend: 'ts' });
    expect(result.rounds).toBe(2);
  });

  it('imports without loading the simulator or tfjs', () => {
    // A child process records every module resolved while importing src/index.ts.
    const root = fileURLToPath(new URL('..', import.meta.url));
    const index = new URL('../src/index.ts', import.meta.url).href;
    const hook = `let port; export function initialize(d) { port = d.port; }
export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }`;
    const probe = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (u) => urls.push(u));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { port: port2 }, transferList: [port2] });
(await import('tsx/esm/api')).register();
const t = performance.now();
const { cwtm } = await import(${JSON.stringify(index)});
const ms = performance.now() - t;
cwtm([[1], [2], [3]], 1);
await new Promise((r) => setTimeout(r, 100));
port1.close();
console.log(JSON.stringify({ ms, urls }));`;
    const { ms, urls } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' })) as {
      ms: number;
      urls: string[];
    };
    const packages = new Set(urls.filter((u) => u.includes('/node_modules/')).map((u) => u.split('/node_modules/').pop()!.split('/')[0]));
    const loaded = (p: string) => urls.some((u) => u.includes(p));
    expect(urls.some((u) => u.endsWith('/src/aggregators/cwtm.ts'))).toBe(true);
    expect([...packages].filter((p) => ['@tensorflow', 'xstate', 'rxjs', 'vega', 'vega-lite'].includes(p))).toEqual([]);
    // The scenario schema reads the datasets', partitions' and models' declarations (src/learning/*/index.ts);
    // nothing that simulates or trains loads.
    expect(loaded('/src/run/') || loaded('/src/actors/') || loaded('/logreg-tfjs.ts') || loaded('/src/learning/build.ts')).toBe(false);
    console.info(`import of src/index.ts: ${ms.toFixed(0)} ms, ${urls.length} modules, packages ${[...packages].join(', ')}`);
  });
});
