/**
 * `byzsim swarm`: a fixed-seed swarm passes (every drawn scenario validates,
 * every checker holds, every sliced replay is identical); run i is a function
 * of (seed, i) alone; the draws reach every variant of every registry and
 * every field of the schema; and a failing run is written as a scenario file
 * whose commands reproduce it, with exit 1.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Instrument } from '../../src/run/run.ts';
import type { Optimizer } from '../../src/learning/optimizer.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';
import { parseSpec } from '../../src/spec.ts';
import { aggregators, preaggregators } from '../../src/aggregators/index.ts';
import { attacks } from '../../src/attacks/index.ts';
import { schedules } from '../../src/adversary/schedules/index.ts';
import { knowledgeModels } from '../../src/adversary/knowledge/index.ts';
import { schedulingStrategies } from '../../src/adversary/scheduling/index.ts';
import { orderings } from '../../src/sim/orderings/index.ts';
import { partitions } from '../../src/learning/partitions/index.ts';
import { datasets } from '../../src/learning/datasets/index.ts';
import { models } from '../../src/learning/models/index.ts';

/** The swarm calls runPlan; a test may give it an instrument (the seam) to make a run fail. */
const seam = vi.hoisted(() => ({ instrument: undefined as Instrument | undefined }));
vi.mock('../../src/run/run.ts', async (original) => {
  const run = await original<typeof import('../../src/run/run.ts')>();
  return { ...run, runPlan: (plan: Parameters<typeof run.runPlan>[0], options: Parameters<typeof run.runPlan>[1] = {}) => run.runPlan(plan, { ...options, ...(seam.instrument ? { instrument: seam.instrument } : {}) }) };
});

const { drawScenario, describeScenario, swarmCommand } = await import('../../src/cli/swarm.ts');

/** Whether a model builds on small non-image data and has TypeScript kernels. */
function canBuildTs(name: string): boolean {
  try {
    const def = models.get(name)!;
    return def.create(models.resolve({ name, params: {}, options: {} }).params, { features: 4, classes: 2 }).ts !== undefined;
  } catch {
    return false;
  }
}
const { runCommand } = await import('../../src/cli/run.ts');

const dir = mkdtempSync(join(tmpdir(), 'byzsim-swarm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  seam.instrument = undefined;
  vi.restoreAllMocks();
});

/** Console output of a command, captured. */
async function captured(body: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await body(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('byzsim swarm', () => {
  it('a fixed-seed swarm of 1000 runs passes: each validates, every checker holds, every sliced replay is identical', async () => {
    const { code, out, err } = await captured(() => swarmCommand({ seed: 20261123, runs: 1000 }));
    expect(err, err).toBe('');
    expect(code).toBe(0);
    expect(out.match(/^ {2}ok: /gm)).toHaveLength(1000);
    expect(out).toMatch(/swarm seed 20261123: 1000 runs \(0\.\.999\) passed/);
  }, 240_000);

  it('run i is drawn from (seed, i) alone: the same every time, whatever runs before it', async () => {
    const a = drawScenario(7, 42);
    drawScenario(7, 41);
    drawScenario(8, 42);
    expect(drawScenario(7, 42)).toEqual(a);
    expect(drawScenario(7, 43)).not.toEqual(a);
    expect(drawScenario(8, 42)).not.toEqual(a);
    // --first i --runs 1 prints (and runs) the run that a longer swarm drew at i.
    const block = (text: string, i: number) => text.split(/^(?=swarm run )/m).find((b) => b.startsWith(`swarm run ${i} `))!;
    const long = await captured(() => swarmCommand({ seed: 7, runs: 4 }));
    const one = await captured(() => swarmCommand({ seed: 7, first: 3, runs: 1 }));
    expect(long.code).toBe(0);
    // The same lines, but for the wall time each ends with and the summary after the last run.
    const lines = (text: string) => block(text, 3).split('\n').filter((l) => !l.startsWith('swarm seed ')).map((l) => l.replace(/ \(\d+\.\d+ s\)$/, ''));
    expect(lines(one.out)).toEqual(lines(long.out));
    expect(block(one.out, 3)).toContain(describeScenario(drawScenario(7, 3)));
  });

  const draws = Array.from({ length: 400 }, (_, i) => drawScenario(11, i));

  it('draws every registered variant: rules, pre-aggregators, attacks, schedules, knowledge models, orderings, strategies, partitions, models', () => {
    const names = (spec: string) => parseSpec(spec).map((stage) => stage.name);
    const drawn = (pick: (s: (typeof draws)[number]) => string[]) => new Set(draws.flatMap(pick));
    const expectAll = (registry: { names(): string[] }, seen: Set<string>) => expect([...registry.names()].filter((n) => !seen.has(n))).toEqual([]);
    expectAll(aggregators, drawn((s) => names(s.aggregator!).slice(-1)));
    expectAll(preaggregators, drawn((s) => names(s.aggregator!).slice(0, -1)));
    expectAll(attacks, drawn((s) => names(s.attack!)));
    expectAll(schedules, drawn((s) => names(s.byzantine!.schedule!)));
    expectAll(knowledgeModels, drawn((s) => names(s.adversary!.knowledge!)));
    expectAll(orderings, drawn((s) => names(s.network!.ordering!)));
    expectAll(schedulingStrategies, drawn((s) => (s.adversary!.scheduling ? names(s.adversary!.scheduling) : [])));
    expectAll(partitions, drawn((s) => names(s.data!.partition!)));
    // The swarm's data are small generated sets, which run on byzsim's TypeScript kernels: every model that has them
    // (the CNNs are tfjs-only and need images; test/learning/cnn*.test.ts covers them).
    expectAll({ names: () => models.names().filter(canBuildTs) }, drawn((s) => names(s.model!)));
    expect(drawn((s) => [s.network!.delay!.kind, s.worker!.computeTime!.kind])).toEqual(new Set(['fixed', 'uniform', 'lognormal']));
    expect(drawn((s) => [String(s.server!.quorum)]).has('n-f')).toBe(true);
    expect(drawn((s) => [s.server!.missing!])).toEqual(new Set(['zero', 'drop']));
    expect(drawn((s) => [s.adversary!.knows!])).toEqual(new Set(['nothing', 'pool', 'rule']));
  });

  it('writes every field the schema accepts (but the datasets read from files, and output.dir)', () => {
    const schemaLeaves = new Set<string>();
    const walk = (schema: z.ZodType, path: string) => {
      let s: z.ZodType = schema;
      for (;;) {
        if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
        else if (s instanceof z.ZodPipe) s = s.out as z.ZodType;
        else break;
      }
      if (s instanceof z.ZodObject) for (const [k, v] of Object.entries(s.shape)) walk(v as z.ZodType, path ? `${path}.${k}` : k);
      else if (s instanceof z.ZodArray) walk(s.element as z.ZodType, `${path}[]`);
      else if (s instanceof z.ZodDiscriminatedUnion) for (const o of s.options as z.ZodType[]) walk(o, path);
      else schemaLeaves.add(path);
    };
    walk(ScenarioSchema, '');
    const written = new Set<string>();
    const collect = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((v) => collect(v, `${path}[]`));
      else if (value !== null && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) collect(v, path ? `${path}.${k}` : k);
      else written.add(path);
    };
    draws.forEach((d) => collect(d, ''));
    // Datasets read from files (MNIST, and those at a data.<name>.path) are not drawn: the swarm's data are generated.
    const fromFiles = datasets.list().filter((d) => !d.generated).map((d) => `data.${d.name}.`);
    const left = [...schemaLeaves].filter((p) => !written.has(p) && !fromFiles.some((prefix) => p.startsWith(prefix)) && p !== 'output.dir');
    expect(left).toEqual([]);
  });

  it('a failing run is written as a scenario file whose commands reproduce it, and the swarm exits 1', async () => {
    // An optimizer that hands back a θ with a NaN from its second step on: the finite-theta checker fails.
    seam.instrument = {
      optimizer: (o: Optimizer): Optimizer => {
        let steps = 0;
        return {
          step: (theta, g, t) => {
            const stepped = o.step(theta, g, t);
            if (++steps < 2 || !('theta' in stepped)) return stepped;
            const bad = stepped.theta.slice();
            bad[0] = Number.NaN;
            return { theta: bad };
          },
        };
      },
    };
    const out = join(dir, 'failing');
    const result = await captured(() => swarmCommand({ seed: 3, runs: 20, out }));
    expect(result.code).toBe(1);
    // The first run that stepped twice fails, and the swarm stops there.
    const first = Number(/swarm run (\d+) \(seed 3\) failed/.exec(result.err)?.[1]);
    const file = join(out, `swarm-3-${first}.yaml`);
    expect(readdirSync(out)).toEqual([`swarm-3-${first}.yaml`]);
    expect(result.out).not.toContain(`swarm run ${first + 1} `);
    expect(result.err).toMatch(/failed \(checker\):\nonline checker finite-theta failed at event \d+/);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# byzsim swarm --seed 3, run \d+: checker failure\n# online checker finite-theta failed at event \d+/);
    expect(text).toContain(`#   byzsim swarm --seed 3 --first ${first} --runs 1`);
    expect(text).toContain(`#   byzsim run ${file} --out ${join(out, `swarm-3-${first}`)} --force`);
    // The file is the drawn scenario, and byzsim run on it fails the same way.
    const run = await captured(() => runCommand(file, { out: join(out, 'rerun') }));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/online checker finite-theta failed at event \d+/);
  });
});
