/**
 * The hostile-user review's findings (issue 7, §2), one test each: what
 * `validate` accepts runs, what it refuses it refuses with the file, the line
 * and the field, in bounded time.
 */
import { describe, expect, it } from 'vitest';
import { errorsOf, FILE, yaml } from './helpers.ts';
import { checkScenario, parseScenarioText } from '../../src/scenario/load.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';
import { LIMITS } from '../../src/scenario/limits.ts';
import { draw, largestDraw } from '../../src/sim/distribution.ts';
import { createRng } from '../../src/sim/rng.ts';
import { resolveParams, SpecError } from '../../src/spec.ts';
import { partitions } from '../../src/learning/partitions/index.ts';
import { datasets } from '../../src/learning/datasets/index.ts';

// How long these take at scale (a quadratic check took 22–26 s where this takes 1–2 s) is
// measured by `npm run bench:validate`, not asserted here.

describe('cross-field constraints a run relies on', () => {
  it('gives every worker a shard, pointing at the field that is written', () => {
    expect(errorsOf(yaml('workers: 20', 'data:', '  synthetic: { trainSize: 10 }'))).toEqual([
      'scenarios/x.yaml:3:27 data.synthetic.trainSize: 10 training examples cannot give each of the 20 data-holding workers a shard (iid cuts 10 training examples into 20 shards; the smallest would be empty)',
    ]);
    // trainSize left at its default (6000): the issue is at workers, which the file writes.
    expect(errorsOf('workers: 7000\n')[0]).toMatch(/^scenarios\/x\.yaml:1:10 workers: 6000 training examples cannot give each of the 7000 data-holding workers a shard/);
  });

  it('fits a minibatch in the smallest shard, as the partition states it', () => {
    expect(errorsOf(yaml('data:', '  batchSize: 64', '  synthetic: { trainSize: 600 }'))).toEqual([
      'scenarios/x.yaml:2:14 data.batchSize: 64 examples per minibatch (data.batchSize) is more than the smallest worker shard holds: 60 (iid cuts 600 training examples into 10 shards); lower batchSize to at most 60',
    ]);
    // 605 examples over 10 workers: shards of 61 and 60; 60 fits, 61 does not.
    expect(parseScenarioText(yaml('data:', '  batchSize: 60', '  partition: extreme', '  synthetic: { trainSize: 605 }'), FILE).data.batchSize).toBe(60);
    expect(errorsOf(yaml('data:', '  batchSize: 61', '  partition: extreme', '  synthetic: { trainSize: 605 }'))[0]).toMatch(/holds: 60 \(extreme cuts 605/);
  });

  it('every partition states its smallest shard: a bound the partition keeps, exact for the cuts (iid, extreme)', () => {
    for (const def of partitions.list()) {
      const params = partitions.resolve({ name: def.name, params: {}, options: {} }).params;
      for (const [N, n] of [
        [10, 3],
        [605, 10],
        [7, 7],
        [100, 1],
      ]) {
        const labels = Array.from({ length: N }, (_, i) => i % 3);
        const counts = [0, 1, 2].map((c) => labels.filter((y) => y === c).length);
        const bound = def.smallestShard(N, n, params, counts);
        if (bound < 1) continue; // validation refuses it: the partition need not succeed
        let shards: Int32Array[];
        try {
          shards = def.create(params)(labels, n, createRng(1, 'data'));
        } catch (err) {
          // dirichlet's redraws for its `min` can give up on labels validation does not see: a clear error, at run time.
          expect(def.name === 'dirichlet' && /in 1000 draws of the proportions/.test((err as Error).message), String(err)).toBe(true);
          continue;
        }
        const smallest = Math.min(...shards.map((s) => s.length));
        if (def.name === 'iid' || def.name === 'extreme') expect(bound, `${def.name} N=${N} n=${n}`).toBe(smallest);
        else expect(bound, `${def.name} N=${N} n=${n}`).toBeLessThanOrEqual(smallest);
      }
    }
  });

  it('every dataset states its shape from its parameters, without loading', () => {
    for (const def of datasets.list()) {
      const params = datasets.resolve({ name: def.name, params: {}, options: {} }).params;
      const shape = def.shape(params);
      expect(shape.train).toBeGreaterThan(0);
      expect(shape.features).toBeGreaterThan(0);
      for (const key of Object.values(shape.fields)) expect(def.params).toHaveProperty(key!);
    }
  });

  it('checks a rule’s requirement at f = 0 too', () => {
    expect(errorsOf(yaml('workers: 2', 'aggregator: krum'))).toEqual(['scenarios/x.yaml:2:13 aggregator: krum requires n ≥ 2f + 3 (n=2, f=0)']);
    expect(errorsOf('aggregator: krum(m=11)\n')).toEqual([
      'scenarios/x.yaml:1:13 aggregator: krum requires n ≥ 2f + 3 and m ≤ n − f (m=11) (n=10, f=0)',
    ]);
    expect(parseScenarioText(yaml('workers: 3', 'aggregator: krum'), FILE).aggregator).toBe('krum');
  });

  it('checks a dropped quorum against the rule at f = 0 too', () => {
    expect(errorsOf(yaml('aggregator: krum', 'server: { quorum: 2, missing: drop }'))[0]).toMatch(
      /server\.quorum: with missing: drop the rule may receive only 2 inputs, and krum requires n ≥ 2f \+ 3 \(n=2, f=0\)/,
    );
  });

  it('bounds the iterations of rules that could otherwise never finish', () => {
    expect(errorsOf('aggregator: cc(L=1e9)\n')).toEqual(["scenarios/x.yaml:1:13 aggregator: parameter 'L' of cc must be an integer in [1, 100] (got 1000000000)"]);
    for (const spec of ['geomed(T=100000)', 'mda(maxSubsets=1e9)', 'resample(s=1000) > mean', 'resample-wr(s=1000) > mean', 'bucketing(s=1e6) > mean']) {
      expect(errorsOf(`aggregator: ${spec}\n`)[0], spec).toMatch(/must be an integer in \[1, \d+\]/);
    }
  });

  it('bounds rounds and workers in the schema', () => {
    expect(errorsOf('rounds: 2147483648\n')).toEqual(['scenarios/x.yaml:1:9 rounds: must be ≤ 1000000 (got 2147483648)']);
    expect(errorsOf('workers: 1e6\n')).toEqual(['scenarios/x.yaml:1:10 workers: must be ≤ 100000 (got 1000000)']);
  });
});

describe('sizes beyond the limits are refused with the estimate and the limit', () => {
  it('memory: a dataset that cannot be held', () => {
    expect(errorsOf(yaml('data:', '  synthetic: { features: 1000000 }'))).toEqual([
      "scenarios/x.yaml:2:26 data.synthetic.features: the run would need about 28.3 GiB of memory, above byzsim's limit of 4 GiB (data: 7000 examples × 1000000 features as float32 = 26.1 GiB; vectors: 10 workers × 10000010 parameters × 24 bytes = 2.24 GiB)",
    ]);
  });

  it('memory: vectors that cannot be held point at workers', () => {
    const [line] = errorsOf(yaml('workers: 3', 'data: { batchSize: 10, synthetic: { features: 100000, classes: 1000, trainSize: 30, testSize: 10 } }'));
    expect(line).toMatch(/^scenarios\/x\.yaml:1:10 workers: the run would need about 6\.72 GiB of memory/);
  });

  it('trace: what replay could not read', () => {
    expect(errorsOf('rounds: 200000\n')).toEqual([
      "scenarios/x.yaml:1:9 rounds: the trace would be about 1.28 GiB (200000 rounds × 10 workers × ~650 bytes), above byzsim's limit of 512 MiB, the most byzsim replay can read (V8 caps a string at 2^29 − 24 characters): lower rounds or workers",
    ]);
  });

  it('work: a run that cannot finish', () => {
    const lines = errorsOf(yaml('rounds: 20000', 'data: { batchSize: 5000, synthetic: { features: 1000, classes: 100, trainSize: 60000 } }'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^scenarios\/x\.yaml:1:9 rounds: the run would take about 4\.0e14 floating-point operations, above byzsim's limit of 1\.0e14/);
  });

  it('virtual time: delays, compute times and timeouts that overflow', () => {
    expect(errorsOf(yaml('network:', '  delay: { kind: lognormal, mu: 0, sigma: 1000000 }'))).toEqual([
      'scenarios/x.yaml:2:10 network.delay: a network delay could reach exp(mu + 10·sigma) = Infinity ms (lognormal draws are truncated at 10 standard deviations), past 2^53 ms (about 285,000 years), beyond which float64 time no longer resolves a millisecond',
    ]);
    expect(errorsOf(yaml('network:', '  delay: { kind: fixed, value: 1e308 }'))[0]).toMatch(/^scenarios\/x\.yaml:2:10 network\.delay: a network delay could reach 1\.0e308 ms/);
    expect(errorsOf(yaml('worker:', '  computeTime: { kind: uniform, min: 0, max: 1e300 }'))[0]).toMatch(/worker\.computeTime: a compute time could reach/);
    expect(errorsOf(yaml('rounds: 100', 'server: { timeout: 1e15 }'))).toEqual([
      "scenarios/x.yaml:2:20 server.timeout: the run's virtual time could reach 1.0e17 ms (100 rounds × timeout 1.0e15 ms, and the messages still in flight), past 2^53 ms (about 285,000 years), beyond which float64 time no longer resolves a millisecond",
    ]);
    expect(errorsOf('adversary: { craftTime: 1e300 }\n')[0]).toMatch(/adversary\.craftTime: the crafting time could reach/);
  });

  it('a lognormal draw never exceeds what validation bounded, and sane draws are unchanged', () => {
    const dist = { kind: 'lognormal', mu: 1, sigma: 0.5 } as const;
    const a = createRng(7, 'network');
    const b = createRng(7, 'network');
    for (let i = 0; i < 1000; i++) {
      const x = draw(dist, a);
      expect(x).toBe(Math.exp(b.normal(1, 0.5)));
      expect(x).toBeLessThanOrEqual(largestDraw(dist));
    }
  });
});

describe('names and output directories', () => {
  it('keeps the default output directory inside out/', () => {
    for (const name of ['..', '.', 'a/b', 'a\\\\b', 'x'.repeat(256)]) {
      const [line] = errorsOf(`name: ${JSON.stringify(name)}\n`);
      expect(line, name).toMatch(/^scenarios\/x\.yaml:1:7 name: names the default output directory out\/<name>, so it must be a plain file name/);
    }
    expect(errorsOf('name: "a\\0b"\n')).toEqual(['scenarios/x.yaml:1:7 name: must not contain control characters (U+0000 at position 2)']);
  });

  it('lets an explicit output.dir choose the directory, but never with a NUL', () => {
    expect(parseScenarioText(yaml('name: a/b', 'output: { dir: results/a }'), FILE).output.dir).toBe('results/a');
    expect(errorsOf(yaml('name: "a\\nb"', 'output: { dir: results/a }'))[0]).toMatch(/name: must not contain control characters \(U\+000A/);
    expect(errorsOf('output: { dir: "a\\0b" }\n')).toEqual(['scenarios/x.yaml:1:16 output.dir: must not contain a NUL character']);
    expect(() => parseScenarioText('rounds: 2\n', FILE, { outDir: 'a\0b' })).toThrow(/output\.dir: --out must not contain a NUL character/);
  });

  it('checks the name a file gives the run', () => {
    expect(() => parseScenarioText('rounds: 2\n', 'scenarios/..yaml')).toThrow(
      'scenarios/..yaml name: the run is named after the file, ".", which names the default output directory out/<name>, so it must be a plain file name (got "."): set name (or output.dir)',
    );
    expect(parseScenarioText('rounds: 2\noutput: { dir: here }\n', 'scenarios/..yaml').name).toBe('.');
  });
});

describe('validate itself: bounded time and memory, a clear message', () => {
  it('refuses an undefined alias, a self-containing alias and an alias bomb', () => {
    expect(errorsOf('rounds: *r\n')).toEqual(['scenarios/x.yaml:1:9: YAML alias *r: no anchor &r before it']);
    expect(errorsOf('byzantine: &x { f: *x }\n')).toEqual(['scenarios/x.yaml:1:20: YAML alias *x is inside the node &x it names, so it would expand forever']);
    const bomb = yaml('a: &a [1,1,1,1,1,1,1,1,1]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]');
    expect(errorsOf(bomb)).toEqual([
      "scenarios/x.yaml:2:8: YAML aliases: expanding them would pass 100 aliased nodes (yaml's maxAliasCount, the guard against alias bombs): write the values out instead",
    ]);
    // Aliases within the bound are fine, and an issue behind one is placed at the anchored value.
    expect(parseScenarioText(yaml('rounds: &n 3', 'workers: *n'), FILE).workers).toBe(3);
    expect(errorsOf(yaml('rounds: &n -3', 'workers: *n'))).toEqual([
      'scenarios/x.yaml:1:12 rounds: must be > 0 (got -3)',
      'scenarios/x.yaml:1:12 workers: must be > 0 (got -3)',
    ]);
  });

  it('reports duplicate keys in one pass', () => {
    expect(errorsOf(yaml('rounds: 3', 'workers: 4', 'rounds: 5'))).toEqual([
      'scenarios/x.yaml:3:1: YAML syntax: Map keys must be unique ("rounds" is also at line 1)',
    ]);
  });

  it('reports a nesting deeper than the stack as one issue', () => {
    const lines = errorsOf(`rounds: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^scenarios\/x\.yaml:1:\d+: YAML: nested too deeply$/);
  });

  it('refuses a file beyond the size limit before parsing it', () => {
    expect(errorsOf(`rounds: 3\n#${'x'.repeat(LIMITS.fileBytes)}\n`)).toEqual(['scenarios/x.yaml: the file is 1 MiB; a scenario file is at most 1 MiB']);
  });

  it('checks 10,000 overlapping script entries, one issue per entry, capped', () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => `    - { rounds: "1-${i + 2}", workers: [0] }`);
    const text = yaml('workers: 7', 'byzantine:', '  f: 3', '  schedule: scripted', '  script:', ...entries);
    const lines = errorsOf(text);
    expect(lines).toHaveLength(LIMITS.issues + 1);
    expect(lines[0]).toBe('scenarios/x.yaml:7:17 byzantine.script[1].rounds: overlaps byzantine.script[0] (rounds 1-2)');
    expect(lines.at(-1)).toBe(`scenarios/x.yaml: … and ${9999 - LIMITS.issues} more issues (the first ${LIMITS.issues} are shown)`);
  });

  it('reports each overlapping entry once, naming an earlier one', () => {
    const findings = checkScenario(
      ScenarioSchema.parse({
        workers: 4,
        byzantine: { f: 1, schedule: 'scripted', script: [{ rounds: '5-9', workers: [] }, { rounds: '1-2', workers: [] }, { rounds: '2-6', workers: [] }, { rounds: '7', workers: [] }, { rounds: '10', workers: [] }] },
      }),
    );
    expect(findings.map((f) => `${f.path.join('.')}: ${f.message}`)).toEqual([
      'byzantine.script.2.rounds: overlaps byzantine.script[1] (rounds 1-2)',
      'byzantine.script.3.rounds: overlaps byzantine.script[0] (rounds 5-9)',
    ]);
  });

  it('checks 40,000 unknown keys, capped', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `key${i}: ${i}`).join('\n') + '\n';
    const lines = errorsOf(text);
    expect(lines[0]).toMatch(/^scenarios\/x\.yaml:1:1 key0: unknown key \(allowed: name, seed/);
    expect(lines.at(-1)).toMatch(/… and 39950 more issues/);
  });

  it('quotes keys that are not plain words and cuts long ones', () => {
    // (YAML itself refuses an implicit key past 1024 characters.)
    const lines = errorsOf(yaml('"we ird\\n": 3', `${'k'.repeat(1000)}: 1`));
    expect(lines[0]).toMatch(/^scenarios\/x\.yaml:1:1 \["we ird\\n"\]: unknown key/);
    expect(lines[1].length).toBeLessThan(400);
    expect(lines[1]).toContain('(1000 characters)');
  });
});

describe('wording', () => {
  it('says what is wrong with .inf and .nan', () => {
    expect(errorsOf(yaml('workers: .inf', 'seed: .nan', 'optimizer: { lr: -.inf }'))).toEqual([
      'scenarios/x.yaml:1:10 workers: must be a finite number (got .inf)',
      'scenarios/x.yaml:2:7 seed: must be a finite number (got .nan)',
      'scenarios/x.yaml:3:18 optimizer.lr: must be a finite number (got -.inf)',
    ]);
  });

  it('gives a field’s own bound, not zod’s safe-integer range', () => {
    expect(errorsOf(yaml('rounds: -1e300', 'byzantine: { f: -1e20 }', 'eval: { every: 0 }'))).toEqual([
      'scenarios/x.yaml:1:9 rounds: must be > 0 (got -1e+300)',
      'scenarios/x.yaml:2:17 byzantine.f: must be ≥ 0 (got -100000000000000000000)',
      'scenarios/x.yaml:3:16 eval.every: must be > 0 (got 0)',
    ]);
    expect(errorsOf('seed: 1e20\n')).toEqual([
      'scenarios/x.yaml:1:7 seed: must be ≤ 2^53 − 1 = 9007199254740991, the largest integer a number holds exactly (got 100000000000000000000)',
    ]);
  });

  it('names the types YAML tags make', () => {
    expect(errorsOf(yaml('rounds: !!binary aGVsbG8=', 'seed: !!timestamp 2001-12-14', 'name: !!set { a }'))).toEqual([
      'scenarios/x.yaml:1:18 rounds: expected a number, got binary value (!!binary)',
      'scenarios/x.yaml:2:19 seed: expected a number, got timestamp (!!timestamp)',
      'scenarios/x.yaml:3:13 name: expected a string, got set (!!set)',
    ]);
  });
});

describe('resolveParams', () => {
  it('honours exclusiveMin, in its check and its message', () => {
    const declared = { x: { default: 1, min: 0, exclusiveMin: true }, y: { default: 1, min: 0, max: 2, exclusiveMin: true } };
    expect(resolveParams('t', declared, { x: 1e-9 })).toEqual({ x: 1e-9, y: 1 });
    expect(() => resolveParams('t', declared, { x: 0 })).toThrow(new SpecError("parameter 'x' of t must be a number > 0 (got 0)"));
    expect(() => resolveParams('t', declared, { y: 0 })).toThrow(new SpecError("parameter 'y' of t must be a number in (0, 2] (got 0)"));
  });
});
