/**
 * What validates, runs; what fails, says why. fast-check writes scenario
 * files — wrong types, out-of-range and extreme numbers (0, −1, 2³¹, 1e308,
 * .nan, ±.inf), huge and tiny sizes, unknown keys, bad specs, YAML tags and
 * aliases (shared, undefined, self-containing, bombs), overlapping scripts,
 * odd names, and plain garbage — and checks each one:
 *
 * - refused: a ScenarioError (never another exception) whose every issue has
 *   the file, a line and column, and a field (or is about the YAML as a
 *   whole), in words without a stack trace, `undefined` or `NaN`;
 * - accepted: it runs to completion (rounds capped at 3) in a child process
 *   that is killed past its time bound, so a hang fails the test instead of
 *   stalling it.
 *
 * The seed is fixed under CI (test/setup.ts); FC_SEED replays a failure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { parseScenarioText, type LoadedScenario } from '../../src/scenario/load.ts';
import { estimateRun } from '../../src/scenario/limits.ts';
import { datasetParams } from '../../src/scenario/schema.ts';
import { datasets } from '../../src/learning/datasets/index.ts';
import { models } from '../../src/learning/models/index.ts';
import type { RunReply, RunRequest } from './run-child.ts';

const FILE = 'prop/scenario.yaml';
/** Runs in this test's budget; a run of three rounds on these sizes takes milliseconds. */
const NUM_RUNS = 250;
/** A run past this is a hang. */
const RUN_BOUND_MS = 20_000;

/* ----------------------------------------------------------------------------------
 * Scenario files.
 * -------------------------------------------------------------------------------- */

/** A YAML token written as is: a tag, an alias, an anchored value. */
interface Raw {
  raw: string;
}
type Value = number | string | boolean | null | Raw | Value[] | { [key: string]: Value | undefined };

const raw = (text: string): Raw => ({ raw: text });
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && 'raw' in v;

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
}

function emit(v: Value): string {
  if (isRaw(v)) return v.raw;
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : v === Infinity ? '.inf' : v === -Infinity ? '-.inf' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(emit).join(', ')}]`;
  const entries = Object.entries(v).filter((e): e is [string, Value] => e[1] !== undefined);
  return `{ ${entries.map(([k, x]) => `${key(k)}: ${emit(x)}`).join(', ')} }`;
}

const extreme = fc.constantFrom<Value>(0, -1, 1, 2 ** 31, 2 ** 53, 1e20, 1e308, -1e308, 1e-300, 0.5, NaN, Infinity, -Infinity);
const wrong = fc.constantFrom<Value>('ten', null, true, [1, 2], { a: 1 }, raw('!!binary aGVsbG8='), raw('!!timestamp 2001-12-14'), raw('!!set { a }'));
const bad = fc.oneof(extreme, wrong);

const GOOD_SPECS = [
  'mean', 'cwmed', 'cwtm', 'krum', 'krum(m=2)', 'krum(p=1)', 'geomed', 'geomed(T=50)', 'bulyan', 'mda', 'meamed', 'phocas', 'cc',
  'cc(L=3, init=cwmed)', 'nm', 'signmv', 'mixtailor(pool=[krum, cwmed])', 'nnm > krum', 'bucketing > cwtm', 'resample(s=2) > krum',
  'resample-wr > cwmed', 'clip(tau=1) > mean', 'arc > mean', 'krum(m=11)',
];
const BAD_SPECS = [
  'geomed(T=100000)', 'mda(maxSubsets=1e9)', 'cc(L=1e9)', 'bucketing(s=1e6) > mean', 'resample(s=1000) > mean', 'krun', 'krum(', 'krum(m=-1)',
  'krum(m=1.5)', 'krum > nnm', ' > mean', 'mean(x=1)', 'cwtm > ', './missing-rule.ts', 'krum(m=1e999)',
];
const GOOD_ATTACKS = ['none', 'none', 'alie', 'alie(z=1.5)', 'signflip', 'ipm(eps=0.1)', 'gaussian', 'gaussian(sigma=1e308)'];
const BAD_ATTACKS = ['alie(q=1)', 'sleep', 'none(x=1)'];

/**
 * Scenario files of one of two kinds: `clean` ones draw every field from
 * sensible values (so they often validate, or fail a cross-field check
 * only); the others also draw extreme and wrong values, bad specs, odd names,
 * unknown keys and YAML aliases of every kind.
 */
type Fields = { [key: string]: Value | undefined };

/**
 * A clean draw made consistent where random choices would almost always
 * clash (f against n, a script against its schedule, k against its model,
 * min against max), so that clean files validate often enough; the checks
 * the rules and attacks make are left to chance.
 */
function coherent(drawn: Fields): Fields {
  const s = structuredClone(drawn) as Record<string, Fields | Value | undefined>;
  const sub = (k: string): Fields => (s[k] ??= {}) as Fields;
  const n = typeof s.workers === 'number' ? s.workers : 10;
  const byzantine = sub('byzantine');
  const f = Math.min(typeof byzantine.f === 'number' ? byzantine.f : 0, Math.floor((n - 1) / 2));
  byzantine.f = f;
  if (byzantine.schedule === 'scripted') {
    const entries = Array.isArray(byzantine.script) ? (byzantine.script as Fields[]) : [];
    byzantine.script = entries.slice(0, 6).map((e, i) => ({
      rounds: `${2 * i + 1}-${2 * i + 2}`,
      workers: [...new Set((Array.isArray(e.workers) ? e.workers : []).filter((w): w is number => typeof w === 'number' && w < n))].slice(0, f),
    }));
  } else delete byzantine.script;
  if (f === 0) s.attack = 'none';
  const adversary = sub('adversary');
  if (adversary.knowledge !== 'partial') delete adversary.k;
  const server = sub('server');
  if (typeof server.quorum === 'number' && server.quorum > n) server.quorum = 'n';
  const network = sub('network');
  for (const d of [network.delay, sub('worker').computeTime, network.adversarialDelay] as (Fields | undefined)[]) {
    if (d === undefined) continue;
    if (d.kind === 'uniform' || d.kind === undefined) {
      if (d.kind === 'uniform') (d.min ??= 0), (d.max ??= 10);
      if (typeof d.min === 'number' && typeof d.max === 'number' && d.min > d.max) [d.min, d.max] = [d.max, d.min];
    }
    if (d.kind === 'lognormal') d.mu ??= 0;
  }
  const synthetic = sub('data').synthetic as Fields | undefined;
  if (synthetic && typeof synthetic.trainSize === 'number') synthetic.trainSize = 100 + synthetic.trainSize;
  return s as Fields;
}

function scenarioFiles(clean: boolean): fc.Arbitrary<string> {
  /** A sensible value, or (not clean) sometimes an extreme or a wrong one; sometimes absent. */
  const field = <T extends Value>(good: fc.Arbitrary<T>): fc.Arbitrary<Value | undefined> =>
    clean
      ? fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: good })
      : fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 8, arbitrary: good }, { weight: 1, arbitrary: bad });
  const section = (shape: Record<string, fc.Arbitrary<Value | undefined>>): fc.Arbitrary<Value | undefined> =>
    field(fc.record(shape) as fc.Arbitrary<{ [key: string]: Value | undefined }>);
  /** One of `good`, or (not clean) sometimes one of `odd`. */
  const pick = <T extends Value>(good: readonly T[], odd: readonly T[] = []): fc.Arbitrary<T> =>
    clean || odd.length === 0
      ? fc.constantFrom(...good)
      : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
  const small = (min: number, max: number, ...extremes: number[]): fc.Arbitrary<number> =>
    clean ? fc.integer({ min, max }) : fc.oneof({ weight: 8, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.constantFrom(...extremes) });
  const real = (min: number, max: number, ...extremes: number[]): fc.Arbitrary<number> =>
    clean ? fc.double({ min, max, noNaN: true }) : fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(...extremes));

  const distribution = fc.oneof(
    fc.record({ kind: fc.constant('fixed'), value: real(0, 20, 1e308, -1, Infinity) }),
    fc.record({ kind: fc.constant('uniform'), min: field(small(0, 10, 1e300)), max: field(small(0, 30, 1e300)) }),
    fc.record({ kind: fc.constant('lognormal'), mu: field(real(-2, 3, 1e308)), sigma: real(0, 1, 1e6, 1e308) }),
    fc.record({ kind: pick(['fixed'], ['normal', '']), value: fc.constant(1) }),
  );

  const scriptEntry = fc.record({
    rounds: fc.oneof(
      fc.tuple(small(1, 6, 0), small(1, 6, 0)).map(([a, b]) => `${a}-${b}`),
      small(1, 6, 0),
      pick(['2'], ['x', '1-', '99999999999999999999', '-3']),
    ),
    workers: fc.array(small(0, 12, -1, 2 ** 31, 0.5), { maxLength: 4 }),
  });

  const scenario = fc.record({
    name: field(pick(['run', 'ok-1', 'é名'], ['..', '.', 'a/b', 'a\\b', 'a\0b', 'a\nb', 'x'.repeat(300), '', ' '])),
    seed: field(fc.nat(1000)),
    rounds: field(small(1, 3, 0, 2 ** 31, 1_000_000, 200_000)),
    workers: field(small(1, 12, 0, 100_000, 1_000_000)),
    byzantine: section({
      f: field(small(0, 4, 100)),
      schedule: field(pick(['static', 'rotating', 'random', 'scripted'], ['bogus', 'scripted(x=1)'])),
      script: field(
        fc.oneof({ weight: 4, arbitrary: fc.array(scriptEntry, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.array(scriptEntry, { minLength: 100, maxLength: 400 }) }),
      ),
    }),
    data: section({
      dataset: field(pick(['synthetic', 'synthetic', 'synthetic', 'mnist'], ['cifar', 'synthetic(x=1)'])),
      partition: field(pick(['iid', 'extreme'], ['dirichlet'])),
      batchSize: field(small(1, 16, 0, 100_000, 1e9)),
      synthetic: section({
        classes: field(small(2, 4, 1, 1e9)),
        features: field(small(1, 8, 1e7, 1e9, 2 ** 31)),
        trainSize: field(small(1, 200, 1e9, 2 ** 31)),
        testSize: field(small(1, 50, 1e9)),
        separation: field(pick([0.5, 1], [0, -1, 1e308])),
      }),
      mnist: section({ trainSize: field(small(1, 300, 60_001)), testSize: field(small(1, 100, 10_001)) }),
    }),
    model: field(pick(['logreg'], ['mlp'])),
    optimizer: section({ lr: field(pick([0.1, 0.01, 1], [0, -0.1])), momentum: field(pick([0, 0.9, 0.99], [1])) }),
    aggregator: field(pick(GOOD_SPECS, BAD_SPECS)),
    attack: field(pick(GOOD_ATTACKS, BAD_ATTACKS)),
    adversary: section({
      knowledge: field(pick(['omniscient', 'none', 'partial', 'partial(k=2)', 'partial(k=100)'], ['psychic'])),
      k: field(small(0, 5, 1e9)),
      craftTime: field(pick([0, 3], [1e300])),
    }),
    network: section({
      delay: field(distribution),
      drop: field(pick([0, 0.2, 1], [1.5])),
      duplicate: field(pick([0, 0.3, 1])),
      ordering: field(pick(['fifo', 'random', 'adversarial'], ['lifo'])),
      adversarialDelay: section({ min: field(pick([0, 1, 60])), max: field(pick([1, 50], [1e300])) }),
    }),
    worker: section({ computeTime: field(distribution) }),
    server: section({
      quorum: field(fc.oneof(pick<string>(['n', 'n-f'], ['most']), small(1, 13, 0))),
      timeout: field(pick([1000, 30], [1e-300, 1e300, 0])),
      missing: field(pick(['zero', 'drop'], ['skip'])),
    }),
    eval: section({ every: field(small(1, 5, 0, 1e9)) }),
    output: section({ dir: field(pick(['out/x'], ['', 'a\0b'])) }),
  });

  return fc
    .tuple(
      scenario,
      clean ? fc.constant<string[]>([]) : fc.array(fc.constantFrom('wrokers', 'foo', 'we ird', 'network.drop', '<<'), { maxLength: 2 }),
      clean ? fc.constantFrom('none', 'none', 'shared') : fc.constantFrom('none', 'none', 'none', 'shared', 'undefined', 'self', 'bomb'),
    )
    .map(([drawn, unknown, aliases]) => {
      const s = clean ? coherent(drawn as Fields) : (drawn as Fields);
      const lines = Object.entries(s)
        .filter((e): e is [string, Value] => e[1] !== undefined)
        .map(([k, v]) => [k, emit(v)] as [string, string]);
      for (const k of unknown) lines.push([k, '1']);
      const set = (k: string, text: string) => {
        const at = lines.findIndex(([name]) => name === k);
        if (at >= 0) lines[at] = [k, text];
        else lines.push([k, text]);
      };
      if (aliases === 'shared') {
        // The anchor comes first: an alias names an anchor before it.
        const at = lines.findIndex(([k]) => k === 'rounds');
        if (at >= 0) lines.splice(at, 1);
        lines.unshift(['rounds', '&r 2']);
        set('eval', '{ every: *r }');
      } else if (aliases === 'undefined') set('workers', '*nowhere');
      else if (aliases === 'self') set('byzantine', '&b { f: *b }');
      else if (aliases === 'bomb') {
        lines.unshift(['a', '&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'], ['b', '&b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]'], ['c', '[*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]']);
      }
      return lines.map(([k, v]) => `${key(k)}: ${v}`).join('\n') + '\n';
    });
}

const garbage = fc.string({ unit: fc.constantFrom(...'ab :{}[],-&*!|>\'"#\n\t\\0.1'), maxLength: 60 });

/* ----------------------------------------------------------------------------------
 * Running what validates, with a time bound.
 * -------------------------------------------------------------------------------- */

class Runner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private next = 0;

  private start(): Promise<void> {
    const child = fork(fileURLToPath(new URL('./run-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    this.ready = new Promise((resolve) => child.once('message', () => resolve()));
    return this.ready;
  }

  async run(scenario: LoadedScenario): Promise<RunReply | 'hang'> {
    if (!this.child) await this.start();
    await this.ready;
    const child = this.child!;
    const id = this.next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.removeListener('message', onMessage);
        this.stop();
        resolve('hang');
      }, RUN_BOUND_MS);
      const onMessage = (reply: RunReply) => {
        if (reply.id !== id) return;
        clearTimeout(timer);
        child.removeListener('message', onMessage);
        resolve(reply);
      };
      child.on('message', onMessage);
      child.send({ id, scenario } satisfies RunRequest);
    });
  }

  stop(): void {
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }
}

/** Issues about the YAML as a whole (syntax, aliases, not a mapping): a place, but no field. */
const DOCUMENT = /^(YAML|expected a mapping)/;
/** Issues about the file: its size, a nesting the parser could not even place, the count of issues left out. */
const FILE_ONLY = /^(the file is|YAML: (nested too deeply|cannot be read)|… and \d+ more issues)/;

function checkRefusal(err: unknown, text: string): void {
  expect(err, `not a ScenarioError for:\n${text}`).toBeInstanceOf(ScenarioError);
  const e = err as ScenarioError;
  expect(e.issues.length).toBeGreaterThan(0);
  for (const issue of e.issues) {
    const line = `${JSON.stringify(issue)}\nin:\n${text}`;
    expect(issue.file, line).toBe(FILE);
    expect(issue.message, line).not.toMatch(/\n\s+at |\bundefined\b|\bNaN\b|\[object /);
    if (FILE_ONLY.test(issue.message) && issue.line === undefined) continue;
    if (!DOCUMENT.test(issue.message)) expect(issue.path, line).not.toBe('');
    expect(issue.line, line).toBeGreaterThanOrEqual(1);
    expect(issue.column, line).toBeGreaterThanOrEqual(1);
  }
}

/** Sizes this test runs in its budget; a valid scenario beyond them is validated but not run. */
function smallEnough(s: LoadedScenario): boolean {
  const params = datasetParams(s.data)[s.data.dataset] ?? {};
  const shape = datasets.get(s.data.dataset)!.shape(datasets.resolve({ name: s.data.dataset, params, options: {} }).params);
  const dim = models.resolveSpec(s.model).def.create({}, shape).dim;
  const e = estimateRun(s, shape, dim);
  return e.memory.total < 256 * 2 ** 20 && e.work.total < 3e9;
}

describe('malformed and extreme scenarios', () => {
  const runner = new Runner();
  const seen = { refused: 0, ran: 0, tooLarge: 0 };
  afterAll(() => {
    runner.stop();
    console.log(`malformed scenarios: ${seen.refused} refused, ${seen.ran} ran, ${seen.tooLarge} valid but too large for this test`);
  });

  it('are refused with file, line and field, or run to completion within a time bound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 6, arbitrary: scenarioFiles(true) }, { weight: 6, arbitrary: scenarioFiles(false) }, { weight: 1, arbitrary: garbage }), async (text) => {
        let loaded: LoadedScenario;
        try {
          loaded = parseScenarioText(text, FILE);
        } catch (err) {
          checkRefusal(err, text);
          seen.refused++;
          return;
        }
        const capped = { ...loaded, rounds: Math.min(loaded.rounds, 3) };
        if (!smallEnough(capped)) {
          seen.tooLarge++;
          return;
        }
        const reply = await runner.run(capped);
        expect(reply, `hung past ${RUN_BOUND_MS} ms:\n${text}`).not.toBe('hang');
        const r = reply as RunReply;
        expect(r.ok ? '' : r.error, `a validated scenario failed to run:\n${text}`).toBe('');
        seen.ran++;
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator must exercise both sides.
    expect(seen.ran).toBeGreaterThan(NUM_RUNS / 20);
    expect(seen.refused).toBeGreaterThan(NUM_RUNS / 2);
  }, 240_000);
});
