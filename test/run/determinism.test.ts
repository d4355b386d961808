import { describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli.ts';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

    // Cut short as a killed run leaves it: 29 whole events and half a line, no trailer.
    const truncated = join(out, 'truncated.jsonl');
    writeFileSync(truncated, lines.slice(0, 30).join('\n') + '\n' + lines[30].slice(0, 25));
    const res2 = cli(['replay', truncated]);
    expect(res2.code).toBe(3);
    expect(res2.stdout).toContain('was cut short after 29 events (no trailer: the run did not complete); those 29 are identical');
    // An edit in a cut-short trace is still a divergence.
    const both = edited.slice(0, 50);
    writeFileSync(join(out, 'both.jsonl'), both.join('\n') + '\n');
    expect(cli(['replay', join(out, 'both.jsonl')]).code).toBe(1);
    // A trailer whose hash does not match the events is a divergence too.
    const trailer = JSON.parse(lines.at(-1)!);
    expect(trailer).toMatchObject({ type: 'byzsim-trace-end', events: lines.length - 2 });
    const forged = [...lines.slice(0, -1), JSON.stringify({ ...trailer, hash: '0'.repeat(64) })];
    writeFileSync(join(out, 'forged.jsonl'), forged.join('\n') + '\n');
    const res3 = cli(['replay', join(out, 'forged.jsonl')]);
    expect(res3.code).toBe(1);
    expect(res3.stderr).toContain(`hash ${'0'.repeat(64)}`);
  });

  it('a trace that keeps only the aggregates, or nothing, still replays against the hash of every event', () => {
    for (const detail of ['aggregates', 'off'] as const) {
      const out = join(dir, `detail-${detail}`);
      writeFileSync(join(dir, `${detail}.yaml`), scenarioYaml + `output: { trace: ${detail} }\n`);
      expect(cli(['run', join(dir, `${detail}.yaml`), '--out', out]).code).toBe(0);
      const kept = readFileSync(join(out, 'trace.jsonl'), 'utf8').trimEnd().split('\n');
      const kinds = new Set(kept.slice(1, -1).map((l) => JSON.parse(l).kind as string));
      if (detail === 'off') expect(kinds.size).toBe(0);
      else expect([...kinds].sort()).toEqual(['aggregate', 'eval', 'run-end', 'run-start', 'update']);
      const full = JSON.parse(readFileSync(join(dir, 'r', 'metrics.json'), 'utf8')).traceHash;
      expect(JSON.parse(kept.at(-1)!).hash).toBe(full);
      const replay = cli(['replay', join(out, 'trace.jsonl')]);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(/replay ok/);
    }
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

describe('a run killed mid-way (kill -9)', () => {
  it('leaves a trace that replay checks as far as it goes, and says it was cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-kill-'));
    const file = join(dir, 'long.yaml');
    writeFileSync(file, scenarioYaml.replace('rounds: 6', 'rounds: 20000').replace('eval: { every: 3 }', 'eval: { every: 500 }'));
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'run', file, '--out', out], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const trace = join(out, 'trace.jsonl');
    // Kill it once a few thousand events are on disk (and long before its 20000 rounds end).
    for (let waited = 0; waited < 60_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(trace) && statSync(trace).size > 400_000) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const replay = cli(['replay', trace]);
    expect(replay.code, replay.stderr).toBe(3);
    expect(replay.stdout).toMatch(/was cut short after \d+ events \(no trailer: the run did not complete\); those \d+ are identical/);
  }, 90_000);
});
