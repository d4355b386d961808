import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { aggregateCommand } from '../../src/cli/aggregate.ts';
import { aggregators } from '../../src/aggregators/index.ts';
import { createRng } from '../../src/sim/rng.ts';
import { readNpy } from '../../src/io/npy.ts';
import { python } from '../io/python.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-aggregate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const input = join(dir, 'in.json');
writeFileSync(input, JSON.stringify([[1, 10], [2, 20], [3, 30], [4, 40], [100, -1000]]));

/** Runs the command; returns its exit code and what it printed. */
async function run(opts: Parameters<typeof aggregateCommand>[0]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((x) => void out.push(String(x)));
  vi.spyOn(console, 'error').mockImplementation((x) => void err.push(String(x)));
  const code = await aggregateCommand(opts);
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('byzsim aggregate', () => {
  it('takes the server’s trusted gradient for fltrust with --reference, and refuses it missing or for another rule', async () => {
    const reference = join(dir, 'g0.json');
    writeFileSync(reference, JSON.stringify([[1, 10]]));
    const ok = await run({ rule: 'fltrust', f: 1, input, reference });
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    // The four honest inputs point along (1, 10): scored, rescaled to ‖g₀‖; the fifth points away and scores 0.
    expect(out.diagnostics.selected).toEqual([0, 1, 2, 3]);
    expect(Math.hypot(...out.aggregate)).toBeCloseTo(Math.hypot(1, 10), 4);
    expect((await run({ rule: 'fltrust', f: 1, input })).stderr).toMatch(/--reference <file>: this rule scores the inputs against the server’s trusted gradient/);
    expect((await run({ rule: 'cwtm', f: 1, input, reference })).stderr).toMatch(/--reference: only a rule that scores against the server’s trusted gradient/);
    writeFileSync(reference, JSON.stringify([[1, 10, 3]]));
    expect((await run({ rule: 'fltrust', f: 1, input, reference })).stderr).toMatch(/must hold one vector of dimension 2 \(got 1 of dimension 3\)/);
  });

  it('prints the aggregate and diagnostics as JSON on stdout', async () => {
    const { code, stdout, stderr } = await run({ rule: 'cwtm', f: 1, input });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({
      rule: 'cwtm',
      n: 5,
      f: 1,
      d: 2,
      seed: 1,
      nonFiniteInputs: [],
      outcome: 'finite',
      aggregate: [3, 20],
      diagnostics: { trimmed: 1 },
    });
  });

  it('reports the canonical spec and the rule diagnostics', async () => {
    const { stdout } = await run({ rule: 'krum( m = 2 )', f: 1, input });
    const result = JSON.parse(stdout);
    expect(result.rule).toBe('krum(m=2)');
    expect(result.aggregate).toEqual([2.5, 25]);
    expect(result.diagnostics.selected).toEqual([1, 2]);
  });

  it('writes non-finite numbers as strings, and reports a non-finite outcome as a run counts it', async () => {
    const nan = join(dir, 'nan.json');
    writeFileSync(nan, '[["NaN", 1], [2, "Infinity"]]');
    const { code, stdout, stderr } = await run({ rule: 'mean', f: 0, input: nan });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ nonFiniteInputs: [0, 1], outcome: 'non-finite', aggregate: ['NaN', 'Infinity'] });
    expect(stderr).toMatch(/non-finite in 2 of 2 coordinates, from 2 non-finite inputs \(rows 0, 1\), more than f = 0; a run refuses such a step/);
  });

  it('reports non-finite inputs a robust rule kept out of the aggregate', async () => {
    const one = join(dir, 'one-nan.json');
    writeFileSync(one, JSON.stringify([[1, 10], [2, 20], ['NaN', 0], [3, 30], [4, 40], [5, 50], [6, 60]]));
    const g0 = join(dir, 'g0-one-nan.json');
    writeFileSync(g0, JSON.stringify([[1, 10]]));
    for (const rule of aggregators.names().filter((r) => r !== 'mean')) {
      const reference = aggregators.get(rule)!.create().needsReference ? g0 : undefined;
      const { code, stdout, stderr } = await run({ rule, f: 1, input: one, ...(reference ? { reference } : {}) });
      expect({ rule, code, stderr }).toEqual({ rule, code: 0, stderr: '' });
      expect(JSON.parse(stdout)).toMatchObject({ nonFiniteInputs: [2], outcome: 'finite' });
    }
    const mean = await run({ rule: 'mean', f: 1, input: one });
    expect(JSON.parse(mean.stdout).outcome).toBe('non-finite');
    expect(mean.stderr).toMatch(/from 1 non-finite input \(row 2\): mean does not hold against them/);
  });

  it('refuses a requirement that holds only in expectation unless --allow-in-expectation is given', async () => {
    const big = join(dir, 'big.json');
    const rows = [...Array.from({ length: 2 }, () => [1e38, 1e38]), ...Array.from({ length: 13 }, (_, i) => [i / 10, 1])];
    writeFileSync(big, JSON.stringify(rows));
    const refused = await run({ rule: 'resample-wr > cwtm', f: 2, input: big });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds only in expectation.*hijacked.*pass --allow-in-expectation to accept the risk/);
    // Accepted with the opt-in, the risk is real: on some seeds the two 1e38 rows reach more outputs than cwtm trims.
    const norms: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const { code, stdout } = await run({ rule: 'resample-wr > cwtm', f: 2, input: big, seed, allowInExpectation: true });
      expect(code).toBe(0);
      norms.push(Math.abs(JSON.parse(stdout).aggregate[0]));
    }
    expect(norms.filter((x) => x > 1e30).length).toBeGreaterThan(0);
    expect(norms.filter((x) => x < 2).length).toBeGreaterThan(0);
    // Without replacement the bound is worst-case: never hijacked.
    for (let seed = 1; seed <= 10; seed++) {
      const { stdout } = await run({ rule: 'resample > cwtm', f: 2, input: big, seed });
      expect(Math.abs(JSON.parse(stdout).aggregate[0])).toBeLessThan(2);
    }
  });

  it('writes a float32 .npy or the JSON object to --output', async () => {
    const npy = join(dir, 'out.npy');
    expect(await run({ rule: 'cwmed', f: 1, input, output: npy })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readNpy(npy)).toMatchObject({ shape: [2], descr: '<f4', rows: [Float32Array.of(3, 20)] });
    const json = join(dir, 'out.json');
    expect((await run({ rule: 'cwmed', f: 1, input, output: json })).code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ rule: 'cwmed', n: 5, aggregate: [3, 20] });
  });

  it('aggregates .npy from NumPy into .npy NumPy reads (the README recipe)', async () => {
    const grads = join(dir, 'grads.npy');
    const agg = join(dir, 'agg.npy');
    python(
      `rng = np.random.default_rng(0)
g = rng.normal(size=(9, 6))
g[-2:] = 1e6
np.save(sys.argv[1], g)`,
      grads,
    );
    expect((await run({ rule: 'cwtm', f: 2, input: grads, output: agg })).code).toBe(0);
    const out = python(
      `g = np.load(sys.argv[1]).astype(np.float32)
a = np.load(sys.argv[2])
s = np.sort(g, axis=0)[2:-2]
want = (s.astype(np.float64).sum(axis=0) / 5).astype(np.float32)
assert a.dtype == np.float32 and a.shape == (6,), (a.dtype, a.shape)
assert np.allclose(a, want, rtol=1e-6, atol=0), (a, want)
print('ok')`,
      grads,
      agg,
    );
    expect(out.trim()).toBe('ok');
  });

  it('exits 2 without a stack for a bad spec, a bad file or a bad --output', async () => {
    const cases: [Parameters<typeof aggregateCommand>[0], string][] = [
      [{ rule: 'krum(m=0)', f: 1, input }, "byzsim aggregate: parameter 'm' of krum must be an integer ≥ 1 (got 0)"],
      [{ rule: 'nosuchrule', f: 1, input }, "byzsim aggregate: unknown aggregator 'nosuchrule' (available: "],
      [{ rule: 'cwtm', f: 1, input: join(dir, 'missing.npy') }, `byzsim aggregate: ${join(dir, 'missing.npy')}: file not found`],
      [{ rule: 'cwtm', f: 1, input, output: join(dir, 'out.csv') }, "--output: " + join(dir, 'out.csv') + ": unknown format '.csv'"],
      [{ rule: 'cwtm', f: -1, input }, '--f: must be a non-negative integer (got -1)'],
    ];
    const ragged = join(dir, 'ragged.json');
    writeFileSync(ragged, '[[1, 2], [3]]');
    cases.push([{ rule: 'cwtm', f: 0, input: ragged }, `${ragged}: row 1 has 1 numbers, row 0 has 2`]);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '[]');
    cases.push([{ rule: 'mean', f: 0, input: empty }, `${empty}: no vectors`]);
    for (const [opts, message] of cases) {
      const { code, stdout, stderr } = await run(opts);
      expect({ code, stdout }, message).toEqual({ code: 2, stdout: '' });
      expect(stderr).toContain(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('exits 2 naming the requirement when (n, f) does not meet it', async () => {
    const cwtm = await run({ rule: 'cwtm', f: 3, input });
    expect(cwtm).toEqual({ code: 2, stdout: '', stderr: `byzsim aggregate: cwtm requires n ≥ 2f + 1 (got n=5, f=3 from ${input})` });
    const krum = await run({ rule: 'krum(m=5)', f: 1, input });
    expect(krum.stderr).toBe(`byzsim aggregate: krum(m=5) requires n ≥ 2f + 3 and m ≤ n − f (m=5) (got n=5, f=1 from ${input})`);
  });
});

describe('byzsim aggregate with pre-aggregators alone', () => {
  const f32 = (rows: number[][]) => rows.map((r) => r.map(Math.fround));
  const parsed = (stdout: string) => {
    const result = JSON.parse(stdout);
    return { ...result, outputs: (result.outputs as number[][]).map((r) => r.map(Math.fround)) };
  };

  it('nnm: each output the mean of its n − f nearest inputs, itself included (computed by hand)', async () => {
    // Squared distances: row 0 to 1, 2, 3: 1, 4, 200; row 1: 1, 5, 181; row 2: 4, 5, 164; row 3: 200, 181, 164.
    // With f = 1 each row keeps its 3 nearest: rows 0–2 keep {0, 1, 2}, row 3 keeps {1, 2, 3}. No ties.
    const x = join(dir, 'nnm-hand.json');
    writeFileSync(x, JSON.stringify([[0, 0], [1, 0], [0, 2], [10, 10]]));
    const { code, stdout, stderr } = await run({ rule: 'nnm', f: 1, input: x });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const third = [1 / 3, 2 / 3];
    expect(parsed(stdout)).toEqual({
      stage: 'nnm',
      n: 4,
      f: 1,
      d: 2,
      seed: 1,
      nonFiniteInputs: [],
      nOut: 4,
      fOut: 1,
      bound: 'worst-case',
      nonFiniteOutputs: [],
      outputs: f32([third, third, third, [11 / 3, 4]]),
      sources: [[0, 1, 2], [0, 1, 2], [0, 1, 2], [1, 2, 3]],
      diagnostics: { stages: [{ stage: 'nnm', n: 4, f: 1, neighbours: 3 }] },
    });
  });

  it('nnm gives ByzFL’s NNM docstring example, and ByzFL’s NNM (argpartition of the distances) on random inputs', async () => {
    // byzfl/aggregators/preaggregators.py, NNM(1) on [[1,2,3],[4,5,6],[7,8,9]]: row 1 is equidistant from rows 0
    // and 2; ByzFL's argpartition keeps row 0, as byzsim's lexicographic tie-break does.
    const doc = join(dir, 'nnm-doc.json');
    writeFileSync(doc, JSON.stringify([[1, 2, 3], [4, 5, 6], [7, 8, 9]]));
    expect(parsed((await run({ rule: 'nnm', f: 1, input: doc })).stdout).outputs).toEqual(f32([[2.5, 3.5, 4.5], [2.5, 3.5, 4.5], [5.5, 6.5, 7.5]]));

    const grads = join(dir, 'nnm-grads.npy');
    const mixed = join(dir, 'nnm-mixed.npy');
    python(
      `rng = np.random.default_rng(3)
g = rng.normal(size=(11, 7)).astype(np.float32)
g[-3:] += 20
np.save(sys.argv[1], g)`,
      grads,
    );
    expect(await run({ rule: 'nnm', f: 3, input: grads, output: mixed })).toEqual({ code: 0, stdout: '', stderr: '' });
    const out = python(
      `g = np.load(sys.argv[1]).astype(np.float64)
y = np.load(sys.argv[2])
k = len(g) - 3
dist = np.linalg.norm(g[:, None, :] - g[None, :, :], axis=2)
want = g[np.argpartition(dist, k - 1, axis=1)[:, :k]].mean(axis=1)
assert y.dtype == np.float32 and y.shape == g.shape, (y.dtype, y.shape)
assert np.allclose(y, want, rtol=1e-6, atol=1e-6), (y, want)
print('ok')`,
      grads,
      mixed,
    );
    expect(out.trim()).toBe('ok');
  });

  it('a chain applies each stage with the f′ of the one before, and reports the last (n′, f′)', async () => {
    const seven = join(dir, 'seven.json');
    writeFileSync(seven, JSON.stringify(Array.from({ length: 7 }, (_, i) => [i, i * i])));
    const first = await run({ rule: 'nnm > bucketing(s=2)', f: 1, seed: 3, input: seven });
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({ stage: 'nnm > bucketing(s=2)', n: 7, f: 1, nOut: 4, fOut: 1, bound: 'worst-case' });
    expect(result.outputs).toHaveLength(4);
    expect(result.diagnostics.stages.map((s: { stage: string; n: number; f: number }) => [s.stage, s.n, s.f])).toEqual([
      ['nnm', 7, 1],
      ['bucketing(s=2)', 4, 1],
    ]);
    // Drawn from the seed's server stream: the same seed, the same buckets.
    expect((await run({ rule: 'nnm > bucketing(s=2)', f: 1, seed: 3, input: seven })).stdout).toBe(first.stdout);
    // resample-wr's f′ holds only in expectation, and says so (no rule to hijack: not refused).
    expect(JSON.parse((await run({ rule: 'resample-wr', f: 1, input: seven })).stdout)).toMatchObject({ nOut: 7, fOut: 2, bound: 'expected' });
  });

  it('writes the n′ × d outputs as float32 .npy, which a rule with f′ then aggregates as the composition does', async () => {
    const seven = join(dir, 'seven-npy.json');
    writeFileSync(seven, JSON.stringify(Array.from({ length: 7 }, (_, i) => [i, -i, i % 3])));
    const mixed = join(dir, 'mixed.npy');
    expect(await run({ rule: 'nnm > bucketing(s=2)', f: 1, seed: 5, input: seven, output: mixed })).toEqual({ code: 0, stdout: '', stderr: '' });
    const npy = readNpy(mixed);
    expect(npy).toMatchObject({ shape: [4, 3], descr: '<f4' });
    const printed = JSON.parse((await run({ rule: 'nnm > bucketing(s=2)', f: 1, seed: 5, input: seven })).stdout);
    expect(npy.rows.map((r) => Array.from(r))).toEqual(parsed(JSON.stringify(printed)).outputs);
    const after = JSON.parse((await run({ rule: 'cwtm', f: printed.fOut, input: mixed })).stdout);
    const composed = JSON.parse((await run({ rule: 'nnm > bucketing(s=2) > cwtm', f: 1, seed: 5, input: seven })).stdout);
    expect(after.aggregate).toEqual(composed.aggregate);
    const json = join(dir, 'mixed.json');
    expect((await run({ rule: 'nnm', f: 1, input: seven, output: json })).code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ stage: 'nnm', nOut: 7, fOut: 1 });
  });

  it('passes non-finite inputs on, as a result rather than a warning', async () => {
    const nan = join(dir, 'stage-nan.json');
    writeFileSync(nan, JSON.stringify([[1, 10], [2, 20], ['NaN', 0], [3, 30], [4, 40]]));
    const { code, stdout, stderr } = await run({ rule: 'nnm', f: 1, input: nan });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toMatchObject({ nonFiniteInputs: [2], nonFiniteOutputs: [2], sources: [[0, 1, 3, 4], [0, 1, 3, 4], [2], [0, 1, 3, 4], [0, 1, 3, 4]] });
  });

  it('exits 2 naming the stage whose requirement fails, or a rule placed before a stage', async () => {
    const arc = await run({ rule: 'arc', f: 3, input });
    expect(arc).toEqual({ code: 2, stdout: '', stderr: `byzsim aggregate: arc requires n ≥ 2f + 1 (got n=5, f=3 from ${input})` });
    const second = await run({ rule: 'bucketing(s=2) > arc', f: 2, input });
    expect(second.stderr).toBe('byzsim aggregate: arc requires n ≥ 2f + 1 (got n=3, f=2 after bucketing(s=2))');
    const misplaced = await run({ rule: 'krum > nnm', f: 1, input });
    expect(misplaced).toMatchObject({ code: 2, stdout: '' });
    expect(misplaced.stderr).toBe("byzsim aggregate: 'krum > nnm': krum is a rule; only the last stage of a composition may be a rule");
  });
});

describe('byzsim aggregate with a rule module', () => {
  // A minimal randomized user rule (test/fixtures/pick-rule.ts): returns one input drawn from ctx.rng.
  const pick = fileURLToPath(new URL('../fixtures/pick-rule.ts', import.meta.url));

  it('applies the default export of a module made with defineAggregator, without registering it', async () => {
    const { code, stdout, stderr } = await run({ rule: pick, f: 0, input });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // Named by its path, as a scenario naming the module would record it.
    expect(JSON.parse(stdout)).toMatchObject({ rule: pick, n: 5, f: 0, d: 2 });
    expect(aggregators.has('testpick')).toBe(false);
  });

  it('exits 2 for a missing module or one that exports no rule', async () => {
    const missing = await run({ rule: join(dir, 'missing.ts'), f: 0, input });
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain(`byzsim aggregate: ${join(dir, 'missing.ts')}: no such module`);
    const empty = join(dir, 'empty-module.mjs');
    writeFileSync(empty, 'export const x = 1;\n');
    expect((await run({ rule: empty, f: 0, input })).stderr).toContain(
      `byzsim aggregate: ${empty}: the default export must be a rule made with defineAggregator`,
    );
  });

  it("draws from the seed's server stream: the same seed gives the same aggregate", async () => {
    const picks: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const first = JSON.parse((await run({ rule: pick, f: 0, seed, input })).stdout);
      const again = JSON.parse((await run({ rule: pick, f: 0, seed, input })).stdout);
      expect(again).toEqual(first);
      expect(first.seed).toBe(seed);
      expect(first.diagnostics.selected).toEqual([createRng(seed, 'server').int(5)]);
      picks.push(first.diagnostics.selected[0]);
    }
    expect(new Set(picks).size).toBeGreaterThan(1);
    const byDefault = JSON.parse((await run({ rule: pick, f: 0, input })).stdout);
    expect(byDefault.diagnostics.selected).toEqual([createRng(1, 'server').int(5)]);
  });
});

describe('byzsim aggregate with a randomized registered rule', () => {
  const registered = aggregators.list().filter((def) => def.randomized);
  it('is reproducible for every registered randomized rule', async () => {
    expect(registered.map((def) => def.name)).toContain('mixtailor');
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify(Array.from({ length: 11 }, (_, i) => [i, i * i, -i])));
    for (const def of registered) {
      const first = await run({ rule: def.name, f: 2, seed: 7, input: big });
      expect(first.code, `${def.name}: ${first.stderr}`).toBe(0);
      expect((await run({ rule: def.name, f: 2, seed: 7, input: big })).stdout).toBe(first.stdout);
    }
  });
});
