import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenario, parseScenarioText } from '../../src/scenario/load.ts';
import { errorsOf, FILE, yaml } from './helpers.ts';

describe('defaults', () => {
  it('fills every default into a minimal file and names it after the file', () => {
    const s = parseScenarioText('rounds: 3\n', 'scenarios/quick.yml');
    expect(s.name).toBe('quick');
    expect(s.output.dir).toBe('out/quick');
    expect(s.rounds).toBe(3);
    expect(s.seed).toBe(1);
    expect(s.workers).toBe(10);
    expect(s.byzantine).toEqual({ f: 0, schedule: 'static' });
    expect(s.aggregator).toBe('mean');
    expect(s.attack).toBe('none');
    expect(s.network.delay).toEqual({ kind: 'fixed', value: 5 });
    expect(s.network.adversarialDelay).toEqual({ min: 1, max: 50 });
    expect(s.worker.computeTime).toEqual({ kind: 'uniform', min: 10, max: 20 });
    expect(s.server).toEqual({ quorum: 'n', timeout: 1000, missing: 'zero', allowInExpectation: false, trusted: 0 });
    expect(s.data.synthetic).toMatchObject({ classes: 10 });
    expect(s.adversary).toEqual({ knowledge: 'omniscient', craftTime: 0, knows: 'nothing', staleness: 0, scheduling: 'rush-and-stall', flood: 0 });
  });

  it('accepts an empty file as all defaults', () => {
    expect(parseScenarioText('', 'a/empty.yaml').workers).toBe(10);
  });

  it('keeps an explicit name and output directory', () => {
    const s = parseScenarioText(yaml('name: demo', 'output:', '  dir: results/demo'), FILE);
    expect(s.name).toBe('demo');
    expect(s.output.dir).toBe('results/demo');
  });

  it('derives output.dir from an explicit name', () => {
    expect(parseScenarioText('name: demo\n', FILE).output.dir).toBe('out/demo');
  });
});

describe('schema errors carry line:column and a useful message', () => {
  it('names an unknown top-level key at the key itself', () => {
    const [line] = errorsOf(yaml('rounds: 3', 'wrokers: 4'));
    expect(line).toMatch(/^scenarios\/x\.yaml:2:1 wrokers: unknown key/);
    expect(line).toContain('did you mean "workers"?');
    expect(line).toContain('allowed: name, seed, rounds, workers');
  });

  it('names an unknown nested key and lists the allowed ones', () => {
    const [line] = errorsOf(yaml('network:', '  drop: 0.1', '  foo: 2'));
    expect(line).toBe(
      'scenarios/x.yaml:3:3 network.foo: unknown key (allowed: delay, drop, duplicate, ordering, adversarialDelay)',
    );
  });

  it('lists the keys of the right branch of a distribution', () => {
    const [line] = errorsOf(yaml('network:', '  delay: { kind: fixed, value: 3, max: 4 }'));
    expect(line).toBe('scenarios/x.yaml:2:35 network.delay.max: unknown key (allowed: kind, value)');
  });

  it('says expected and got for a wrong type', () => {
    expect(errorsOf('workers: ten\n')).toEqual(['scenarios/x.yaml:1:10 workers: expected a number, got string "ten"']);
    expect(errorsOf('workers: 2.5\n')).toEqual(['scenarios/x.yaml:1:10 workers: expected an integer, got number 2.5']);
    expect(errorsOf(yaml('network:', '  delay: 5'))).toEqual([
      'scenarios/x.yaml:2:10 network.delay: expected a mapping, got number 5',
    ]);
  });

  it('lists the allowed values of an enum', () => {
    expect(errorsOf(yaml('network:', '  ordering: x'))).toEqual([
      'scenarios/x.yaml:2:13 network.ordering: must be one of fifo, random, adversarial (got "x")',
    ]);
  });

  it('lists the kinds of a distribution', () => {
    expect(errorsOf(yaml('worker:', '  computeTime: { kind: normal }'))).toEqual([
      'scenarios/x.yaml:2:24 worker.computeTime.kind: must be one of fixed, uniform, lognormal (got "normal")',
    ]);
  });

  it('rejects a negative learning rate', () => {
    expect(errorsOf(yaml('optimizer:', '  lr: -0.1'))).toEqual(['scenarios/x.yaml:2:7 optimizer.lr: must be > 0 (got -0.1)']);
  });

  it('points a missing value at its parent key', () => {
    expect(errorsOf(yaml('rounds: 3', 'network:', '  delay:', '    kind: uniform', '    min: 1'))).toEqual([
      'scenarios/x.yaml:3:3 network.delay.max: missing (expected a number)',
    ]);
  });

  it('explains a bad quorum', () => {
    expect(errorsOf(yaml('server:', '  quorum: most'))).toEqual([
      'scenarios/x.yaml:2:11 server.quorum: must be a positive integer, "n" or "n-f" (got "most")',
    ]);
  });

  it('reports every schema issue at once, in file order', () => {
    const lines = errorsOf(yaml('optimizer: { lr: 0 }', 'bogus: 1', 'rounds: -1'));
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['scenarios/x.yaml:1:18', 'scenarios/x.yaml:2:1', 'scenarios/x.yaml:3:9']);
  });

  it('reports YAML syntax errors with their line', () => {
    const lines = errorsOf(yaml('rounds: 3', 'network: [fifo', 'workers: 4'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^scenarios\/x\.yaml:\d+:\d+: YAML syntax: /);
    expect(errorsOf(yaml('rounds: 3', 'rounds: 4'))[0]).toMatch(/^scenarios\/x\.yaml:2:1: YAML syntax: .*unique/);
  });

  it('rejects a file that is not a mapping', () => {
    expect(errorsOf('- 1\n')).toEqual(['scenarios/x.yaml:1:1: expected a mapping, got list']);
  });
});

describe('cross-field checks', () => {
  it('requires f < n', () => {
    expect(errorsOf(yaml('workers: 4', 'byzantine:', '  f: 4'))).toEqual([
      'scenarios/x.yaml:3:6 byzantine.f: must be < workers: at least one worker must be honest (f=4, n=4)',
    ]);
  });

  it('checks numeric quorums against n', () => {
    expect(errorsOf(yaml('workers: 4', 'server: { quorum: 5 }'))).toEqual([
      'scenarios/x.yaml:2:19 server.quorum: must be ≤ n (quorum=5, n=4)',
    ]);
  });

  it('requires min ≤ max in uniform distributions and adversarial delays', () => {
    expect(
      errorsOf(
        yaml(
          'network:',
          '  delay: { kind: uniform, min: 9, max: 1 }',
          '  adversarialDelay: { min: 60 }',
          'worker:',
          '  computeTime: { kind: uniform, min: 2, max: 1 }',
        ),
      ),
    ).toEqual([
      'scenarios/x.yaml:2:10 network.delay: uniform needs min ≤ max (min=9, max=1)',
      'scenarios/x.yaml:3:21 network.adversarialDelay: needs min ≤ max (min=60, max=50)',
      'scenarios/x.yaml:5:16 worker.computeTime: uniform needs min ≤ max (min=2, max=1)',
    ]);
  });

  describe('scripted schedule', () => {
    const scripted = (...script: string[]) =>
      yaml('workers: 6', 'byzantine:', '  f: 2', '  schedule: scripted', ...script);

    it('accepts a valid script, including a bare round number', () => {
      const s = parseScenarioText(
        scripted('  script:', '    - { rounds: "1-3", workers: [0, 5] }', '    - { rounds: 4, workers: [2] }'),
        FILE,
      );
      expect(s.byzantine.script).toEqual([
        { rounds: '1-3', workers: [0, 5] },
        { rounds: '4', workers: [2] },
      ]);
    });

    it('requires a script', () => {
      expect(errorsOf(scripted())).toEqual([
        'scenarios/x.yaml:2:1 byzantine.script: missing (required when schedule is scripted)',
      ]);
    });

    it('rejects a script without schedule: scripted', () => {
      expect(errorsOf(yaml('byzantine:', '  f: 1', '  script:', '    - { rounds: "1", workers: [0] }'))).toEqual([
        'scenarios/x.yaml:4:5 byzantine.script: only allowed with schedule: scripted (schedule is static)',
      ]);
    });

    it('checks worker indices, entry sizes, ranges and overlaps', () => {
      expect(
        errorsOf(
          scripted(
            '  script:',
            '    - { rounds: "5-2", workers: [0] }',
            '    - { rounds: "1-3", workers: [0, 6, 1] }',
            '    - { rounds: "3", workers: [1, 1] }',
            '    - { rounds: "0-1", workers: [] }',
          ),
        ),
      ).toEqual([
        'scenarios/x.yaml:6:17 byzantine.script[0].rounds: range must have a ≤ b (got "5-2")',
        'scenarios/x.yaml:7:33 byzantine.script[1].workers: at most f=2 workers per entry (got 3)',
        'scenarios/x.yaml:7:37 byzantine.script[1].workers[1]: no worker 6: workers are indexed 0..5 (n=6)',
        'scenarios/x.yaml:8:17 byzantine.script[2].rounds: overlaps byzantine.script[1] (rounds 1-3)',
        'scenarios/x.yaml:8:35 byzantine.script[2].workers[1]: worker 1 listed twice',
        'scenarios/x.yaml:9:17 byzantine.script[3].rounds: rounds count from 1 (got "0-1")',
        'scenarios/x.yaml:9:17 byzantine.script[3].rounds: overlaps byzantine.script[1] (rounds 1-3)',
      ]);
    });

    it('reports a malformed range through the schema', () => {
      expect(errorsOf(scripted('  script:', '    - { rounds: "x", workers: [] }'))).toEqual([
        'scenarios/x.yaml:6:17 byzantine.script[0].rounds: must be a round "a" or a range "a-b" (got "x")',
      ]);
    });
  });

  // These depend on src/aggregators/index.ts and src/attacks/index.ts (krum, alie).
  describe('rules and attacks', () => {
    it('checks the rule requirement on (n, f)', () => {
      const lines = errorsOf(yaml('workers: 6', 'byzantine: { f: 2 }', 'aggregator: krum'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^scenarios\/x\.yaml:3:13 aggregator: krum requires n ≥ 2f \+ 3\b.*\(n=6, f=2\)$/);
      expect(parseScenarioText(yaml('workers: 7', 'byzantine: { f: 2 }', 'aggregator: krum'), FILE).aggregator).toBe('krum');
    });

    it('accepts a requirement that holds only in expectation only with server.allowInExpectation', () => {
      const text = (...extra: string[]) => yaml('workers: 15', 'byzantine: { f: 2 }', 'aggregator: resample-wr > cwtm', ...extra);
      const lines = errorsOf(text());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^scenarios\/x\.yaml:3:13 aggregator: resample-wr\(s=2\) > cwtm: its requirement holds only in expectation\..*hijacked.*set server\.allowInExpectation: true to accept the risk/,
      );
      expect(parseScenarioText(text('server: { allowInExpectation: true }'), FILE).server.allowInExpectation).toBe(true);
      // No Byzantine worker, no risk; and the worst-case stage needs no opt-in.
      expect(parseScenarioText(yaml('workers: 15', 'aggregator: resample-wr > cwtm'), FILE).aggregator).toBe('resample-wr > cwtm');
      expect(parseScenarioText(yaml('workers: 15', 'byzantine: { f: 2 }', 'aggregator: resample > cwtm'), FILE).aggregator).toBe('resample > cwtm');
      // A MixTailor pool with such a member inherits it.
      expect(errorsOf(yaml('workers: 15', 'byzantine: { f: 2 }', 'aggregator: "mixtailor(pool=[cwtm, resample-wr > cwtm])"'))[0]).toMatch(
        /holds only in expectation/,
      );
    });

    it('accepts a flood only from Byzantine workers with an attack, within its limit', () => {
      expect(parseScenarioText(yaml('byzantine: { f: 1 }', 'attack: alie', 'adversary: { flood: 100 }'), FILE).adversary.flood).toBe(100);
      expect(errorsOf(yaml('adversary: { flood: 3 }'))).toEqual([
        'scenarios/x.yaml:1:21 adversary.flood: a flood is sent by Byzantine workers: it needs an attack and byzantine.f ≥ 1',
      ]);
      expect(errorsOf(yaml('byzantine: { f: 1 }', 'attack: alie', 'adversary: { flood: 20000 }'))[0]).toMatch(/adversary\.flood: .*10000/);
    });

    it('rejects an unknown rule', () => {
      const [line] = errorsOf('aggregator: nosuchrule\n');
      expect(line).toMatch(/^scenarios\/x\.yaml:1:13 aggregator: .*unknown aggregator/);
    });

    it('rejects an unknown attack', () => {
      const [line] = errorsOf(yaml('byzantine: { f: 1 }', 'attack: nosuchattack'));
      expect(line).toMatch(/^scenarios\/x\.yaml:2:9 attack: .*unknown attack/);
    });

    it('requires Byzantine workers for an attack', () => {
      expect(errorsOf('attack: alie\n')).toEqual(['scenarios/x.yaml:1:9 attack: alie needs Byzantine workers, but byzantine.f is 0']);
    });

    it('rejects an observing attack under knowledge: none', () => {
      const lines = errorsOf(yaml('byzantine: { f: 1 }', 'attack: alie', 'adversary:', '  knowledge: none'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^scenarios\/x\.yaml:4:14 adversary\.knowledge: none, but attack alie observes honest gradients/);
    });

    it('bounds partial knowledge by the honest workers', () => {
      const text = (k: number) =>
        yaml('workers: 5', 'byzantine: { f: 1 }', 'attack: alie', `adversary: { knowledge: partial, k: ${k} }`);
      expect(parseScenarioText(text(4), FILE).adversary.k).toBe(4);
      expect(errorsOf(text(5))).toEqual([
        'scenarios/x.yaml:4:37 adversary.k: k must be ≤ n − f = 4 honest workers (k=5, n=5, f=1)',
      ]);
    });

    it('refuses an attack whose needs adversary.knows does not grant, naming both', () => {
      const base = ['workers: 11', 'byzantine: { f: 2 }'];
      expect(errorsOf(yaml(...base, 'attack: opt-ipm'))).toEqual([
        "scenarios/x.yaml:3:9 attack: opt-ipm needs the server's rule (adversary.knows: rule); adversary.knows is nothing",
      ]);
      expect(errorsOf(yaml(...base, 'attack: minmax-pool', 'adversary: { knows: nothing }'))).toEqual([
        'scenarios/x.yaml:3:9 attack: minmax-pool needs the rule pool (adversary.knows: pool or rule); adversary.knows is nothing',
      ]);
      expect(parseScenarioText(yaml(...base, 'attack: minmax-pool', 'adversary: { knows: pool }'), FILE).adversary.knows).toBe('pool');
      expect(parseScenarioText(yaml(...base, 'attack: opt-ipm', 'adversary: { knows: rule }'), FILE).attack).toBe('opt-ipm');
      // Its own workers' gradients and labels are always its to use.
      expect(parseScenarioText(yaml(...base, 'attack: bitflip', 'adversary: { knowledge: none }', 'data: { byzantine: shards }'), FILE).attack).toBe('bitflip');
    });

    it('reads knowledge as a spec: partial(k=…), with adversary.k as its older spelling', () => {
      const base = ['workers: 5', 'byzantine: { f: 1 }', 'attack: alie'];
      expect(errorsOf(yaml(...base, 'adversary: { knowledge: partial(k=5) }'))).toEqual([
        'scenarios/x.yaml:4:25 adversary.knowledge: k must be ≤ n − f = 4 honest workers (k=5, n=5, f=1)',
      ]);
      expect(errorsOf(yaml(...base, 'adversary: { knowledge: partial(k=2), k: 2 }'))).toEqual([
        'scenarios/x.yaml:4:42 adversary.k: k is given twice: in knowledge: partial(k=2) and in adversary.k: 2',
      ]);
      expect(errorsOf(yaml(...base, 'adversary: { knowledge: omniscient, k: 2 }'))).toEqual([
        "scenarios/x.yaml:4:40 adversary.k: adversary.k is partial's k: write knowledge: partial(k=2), or drop k (knowledge is omniscient)",
      ]);
      expect(errorsOf(yaml(...base, 'adversary: { knowledge: partial(j=2) }'))).toEqual([
        "scenarios/x.yaml:4:25 adversary.knowledge: unknown parameter 'j' for partial (allowed: k)",
      ]);
      expect(errorsOf(yaml(...base, 'adversary: { knowledge: clairvoyant }'))).toEqual([
        'scenarios/x.yaml:4:25 adversary.knowledge: must be one of omniscient, partial, none (got "clairvoyant")',
      ]);
    });
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byzsim-scenario-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and returns its source', async () => {
    const file = join(dir, 'small.yaml');
    writeFileSync(file, 'rounds: 2\nworkers: 3\n');
    const { scenario, source, file: loaded, modules } = await loadScenario(file);
    expect(modules.records).toEqual([]);
    expect(loaded).toBe(file);
    expect(source).toBe('rounds: 2\nworkers: 3\n');
    expect(scenario.name).toBe('small');
    expect(scenario.workers).toBe(3);
  });

  it('applies overrides', async () => {
    const file = join(dir, 'over.yaml');
    writeFileSync(file, 'seed: 4\n');
    const { scenario } = await loadScenario(file, { seed: 9, outDir: 'elsewhere' });
    expect(scenario.seed).toBe(9);
    expect(scenario.output.dir).toBe('elsewhere');
    await expect(loadScenario(file, { seed: -1 })).rejects.toThrow(/seed: --seed must be ≥ 0/);
  });

  it('reports a missing file', async () => {
    const file = join(dir, 'missing.yaml');
    await expect(loadScenario(file)).rejects.toThrow(ScenarioError);
    await expect(loadScenario(file)).rejects.toThrow(`${file}: file not found`);
  });

  it('reports issues with the path it was given', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'rounds: 3\nnetwork:\n  foo: 1\n');
    await expect(loadScenario(file)).rejects.toThrow(`${file}:3:3 network.foo: unknown key`);
  });
});

describe('inputs dropped below the rule’s requirement', () => {
  it('rejects missing: drop with a quorum the rule cannot aggregate, and accepts missing: zero', () => {
    const text = (missing: string) =>
      `workers: 8\nbyzantine: { f: 2 }\naggregator: krum\nattack: alie\nserver: { quorum: n-f, missing: ${missing} }\n`;
    expect(() => parseScenarioText(text('drop'), 'x.yaml')).toThrow(
      /x\.yaml:5:19 server\.quorum: with missing: drop the rule may receive only 6 inputs, and krum requires n ≥ 2f \+ 3 \(n=6, f=2\)/,
    );
    expect(() => parseScenarioText(text('zero'), 'x.yaml')).not.toThrow();
    expect(() => parseScenarioText(text('drop').replace('workers: 8', 'workers: 9'), 'x.yaml')).not.toThrow();
  });
});
