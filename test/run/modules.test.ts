/** A scenario naming a user's own rule module: loaded, recorded by content hash, replayed, refused when it changed. */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadScenario } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/run/run.ts';

const define = pathToFileURL(join(import.meta.dirname, '../../src/invariants/define.ts')).href;

const rule = (trim: string) => `import { defineAggregator } from ${JSON.stringify(define)};
export default defineAggregator({
  name: 'trimmed',
  requirement: { text: 'n ≥ 2f + 1', check: (n, f) => n >= 2 * f + 1 },
  aggregate(vectors, f) {
    const t = ${trim};
    return Float32Array.from(vectors[0], (_, j) => {
      const col = vectors.map((x) => x[j]).sort((a, b) => a - b).slice(t, vectors.length - t);
      return col.reduce((s, v) => s + v, 0) / col.length;
    });
  },
});
`;

const scenario = (aggregator: string, workers = 7) => `rounds: 6
workers: ${workers}
byzantine: { f: 2 }
data: { dataset: synthetic, synthetic: { classes: 3, features: 5, trainSize: 350, testSize: 100 } }
aggregator: ${aggregator}
attack: alie
eval: { every: 3 }
`;

describe('a scenario naming a user module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byzsim-modules-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'rule.ts'), rule('f'));
  writeFileSync(join(dir, 'run.yaml'), scenario('./rule.ts'));
  writeFileSync(join(dir, 'composed.yaml'), scenario('nnm > ./rule.ts'));

  it('loads it from the scenario file’s directory and names it as written, in the plan and the trace', async () => {
    const loaded = await loadScenario(join(dir, 'composed.yaml'));
    const sha256 = createHash('sha256').update(readFileSync(join(dir, 'rule.ts'))).digest('hex');
    expect(loaded.modules.records).toEqual([{ spec: './rule.ts', sha256, path: join(dir, 'rule.ts') }]);
    const lines: string[] = [];
    await runScenario(loaded.scenario, { backend: 'ts', modules: loaded.modules.records, sinks: [(l) => lines.push(l)] });
    const start = JSON.parse(lines[0]);
    expect(start.data.rule).toBe('nnm > ./rule.ts');
  });

  it('runs from the CLI, records the module by content hash, replays, and refuses a module that changed', () => {
    const out = join(dir, 'out');
    const run = cli(['run', join(dir, 'run.yaml'), '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const header = JSON.parse(readFileSync(join(out, 'trace.jsonl'), 'utf8').split('\n')[0]);
    expect(header.modules).toHaveLength(1);
    expect(header.modules[0]).toMatchObject({ spec: './rule.ts', path: join(dir, 'rule.ts') });
    expect(cli(['replay', join(out, 'trace.jsonl')]).code).toBe(0);
    writeFileSync(join(dir, 'rule.ts'), rule('0'));
    const changed = cli(['replay', join(out, 'trace.jsonl')]);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/\.\/rule\.ts: the module at .*rule\.ts changed since it was recorded/);
    expect(changed.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(join(dir, 'rule.ts'), rule('f'));
  });

  it('validates against the module’s requirement, and says which module is wrong', () => {
    writeFileSync(join(dir, 'small.yaml'), scenario('./rule.ts', 4));
    const small = cli(['validate', join(dir, 'small.yaml')]);
    expect(small.code).toBe(2);
    expect(small.stderr).toContain(`${join(dir, 'small.yaml')}:5:13 aggregator: ./rule.ts requires n ≥ 2f + 1 (n=4, f=2)`);
    writeFileSync(join(dir, 'missing.yaml'), scenario('./nope.ts'));
    const missing = cli(['validate', join(dir, 'missing.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`aggregator: ./nope.ts: no such module (resolved to ${join(dir, 'nope.ts')})`);
    writeFileSync(join(dir, 'bad.ts'), 'export default 42;\n');
    writeFileSync(join(dir, 'bad.yaml'), scenario('./bad.ts'));
    const bad = cli(['validate', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('aggregator: ./bad.ts: the default export must be a rule made with defineAggregator');
  });
});
