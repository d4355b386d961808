import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallScenario, traceOf } from './fixtures.ts';
import { DeterminismError } from '../../src/sim/guard.ts';
import type { LearningTask } from '../../src/learning/task.ts';
import * as nodeCrypto from 'node:crypto';
import { randomBytes } from 'node:crypto';

const scenarioYaml = `
name: det
seed: 11
rounds: 6
workers: 9
byzantine: { f: 2, schedule: random }
data:
  dataset: synthetic
  synthetic: { classes: 3, features: 6, trainSize: 300, testSize: 100 }
aggregator: krum
attack: alie
network:
  delay: { kind: lognormal, mu: 1, sigma: 0.5 }
  drop: 0.05
  duplicate: 0.1
  ordering: random
server: { quorum: n-f, timeout: 200, missing: drop }
eval: { every: 3 }
`;

describe('determinism', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byzsim-det-'));
  const file = join(dir, 'det.yaml');
  writeFileSync(file, scenarioYaml);

  it('the same scenario and seed in two separate processes give the same trace hash; another seed differs', () => {
    const a = cli(['run', file, '--out', join(dir, 'a')]);
    const b = cli(['run', file, '--out', join(dir, 'b')]);
    const c = cli(['run', file, '--out', join(dir, 'c'), '--seed', '12']);
    expect([a.code, b.code, c.code]).toEqual([0, 0, 0]);
    const hash = (d: string) => JSON.parse(readFileSync(join(dir, d, 'metrics.json'), 'utf8')).traceHash as string;
    expect(hash('a')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash('a')).toBe(hash('b'));
    expect(hash('a')).not.toBe(hash('c'));
    // The event lines are identical; only the header's output dir differs.
    const events = (d: string) => readFileSync(join(dir, d, 'trace.jsonl'), 'utf8').split('\n').slice(1);
    expect(events('a')).toEqual(events('b'));
  });

  it('replay of a recorded trace passes; an edited trace fails at the edited event', () => {
    const out = join(dir, 'r');
    expect(cli(['run', file, '--out', out]).code).toBe(0);
    const trace = join(out, 'trace.jsonl');
    const ok = cli(['replay', trace]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/replay ok/);

    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    const index = 40;
    const edited = lines.slice();
    edited[index + 1] = edited[index + 1].replace(/"t":[0-9.e-]+/, '"t":123456');
    const bad = join(out, 'edited.jsonl');
    writeFileSync(bad, edited.join('\n') + '\n');
    const res = cli(['replay', bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`diverged at event ${index}`);
    expect(res.stderr).toContain(`expected: ${edited[index + 1]}`);
    expect(res.stderr).toContain(`actual:   ${lines[index + 1]}`);

    const truncated = join(out, 'truncated.jsonl');
    writeFileSync(truncated, lines.slice(0, 30).join('\n') + '\n');
    const res2 = cli(['replay', truncated]);
    expect(res2.code).toBe(1);
    expect(res2.stderr).toContain('diverged at event 29');
  });

  it('in one process, two runs of a scenario give identical traces', async () => {
    const s = smallScenario({ byzantine: { f: 1, schedule: 'random' }, network: { ordering: 'random', duplicate: 0.2 } });
    const a = await traceOf(s);
    const b = await traceOf(s);
    expect(a.result.traceHash).toBe(b.result.traceHash);
    expect(a.lines).toEqual(b.lines);
  });

  it('a run fails loudly if anything reads the clock, ambient randomness or a real timer during simulation', async () => {
    const leaks: (() => unknown)[] = [
      () => Math.random(),
      () => Date.now(),
      () => new Date(),
      () => Date(),
      () => performance.now(),
      () => process.hrtime(),
      () => process.hrtime.bigint(),
      () => crypto.randomUUID(),
      () => crypto.getRandomValues(new Uint8Array(4)),
      () => nodeCrypto.randomUUID(),
      () => nodeCrypto.randomBytes(4),
      () => nodeCrypto.randomInt(10),
      () => nodeCrypto.getRandomValues(new Uint8Array(4)),
      () => randomBytes(4),
      () => setTimeout(() => {}, 0),
      () => setInterval(() => {}, 10),
      () => setImmediate(() => {}),
      () => queueMicrotask(() => {}),
    ];
    for (const leak of leaks) {
      const wrapTask = (t: LearningTask): LearningTask => ({
        ...t,
        gradient: (theta, w, rng) => {
          leak();
          return t.gradient(theta, w, rng);
        },
        evaluate: (theta) => t.evaluate(theta),
      });
      await expect(traceOf(smallScenario(), { instrument: { task: wrapTask } }), String(leak)).rejects.toBeInstanceOf(DeterminismError);
    }
    // A date from a value reads no clock.
    const fixed = (t: LearningTask): LearningTask => ({ ...t, gradient: (theta, w, rng) => (new Date(0), t.gradient(theta, w, rng)) });
    await expect(traceOf(smallScenario(), { instrument: { task: fixed } })).resolves.toBeDefined();
    // Observers (a progress bar, onRound) may read the clock: nothing they do feeds back.
    const seen: number[] = [];
    await traceOf(smallScenario(), { onRound: () => seen.push(Date.now(), performance.now(), Math.random()) });
    expect(seen).toHaveLength(3 * smallScenario().rounds);
    // And the guard is lifted afterwards.
    expect(typeof Math.random()).toBe('number');
    expect(Date.now()).toBeGreaterThan(0);
    expect(new Date().getTime()).toBeGreaterThan(0);
    expect(randomBytes(2)).toHaveLength(2);
    expect(process.hrtime.bigint()).toBeGreaterThan(0n);
    await new Promise((resolve) => setTimeout(resolve, 1));
  });
});
