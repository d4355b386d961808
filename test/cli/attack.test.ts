import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { attackCommand } from '../../src/cli/attack.ts';
import { readNpy } from '../../src/io/npy.ts';
import { readVectors } from '../../src/io/vectors.ts';
import { cli } from '../helpers/cli.ts';
import { python } from '../io/python.ts';

const dir = mkdtempSync(join(tmpdir(), 'byzsim-attack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Four honest gradients of n = 5 workers, f = 1: mean (2.5, −5). */
const input = join(dir, 'honest.json');
writeFileSync(input, JSON.stringify([[1, -2], [2, -4], [3, -6], [4, -8]]));

/** Runs the command; returns its exit code and what it printed. */
async function run(opts: Parameters<typeof attackCommand>[0]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((x) => void out.push(String(x)));
  vi.spyOn(console, 'error').mockImplementation((x) => void err.push(String(x)));
  const code = await attackCommand(opts);
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('byzsim attack', () => {
  it('prints the f Byzantine vectors as JSON on stdout', async () => {
    const { code, stdout, stderr } = await run({ attack: 'ipm(eps=0.5)', n: 5, f: 1, input });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ attack: 'ipm(eps=0.5)', rule: null, n: 5, f: 1, d: 2, seed: 1, vectors: [[-1.25, 2.5]] });
  });

  it('writes a float32 .npy of shape [f, d], or the vectors as a .json array that byzsim aggregate reads', async () => {
    const npy = join(dir, 'byz.npy');
    expect(await run({ attack: 'signflip', n: 7, f: 2, input, output: npy })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readNpy(npy)).toMatchObject({ shape: [2, 2], descr: '<f4', rows: [Float32Array.of(-2.5, 5), Float32Array.of(-2.5, 5)] });
    const json = join(dir, 'byz.json');
    expect((await run({ attack: 'signflip', n: 7, f: 2, input, output: json })).code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual([[-2.5, 5], [-2.5, 5]]);
    expect(readVectors(json)).toEqual([Float32Array.of(-2.5, 5), Float32Array.of(-2.5, 5)]);
  });

  it('gives a rule-aware attack its private rule with --rule, and reports it', async () => {
    const { code, stdout } = await run({ attack: 'opt-ipm', n: 7, f: 2, input, rule: 'krum( m = 1 )' });
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ attack: 'opt-ipm(lo=0.01, hi=100, grid=17, refine=12)', rule: 'krum(m=1)', n: 7, f: 2, d: 2 });
    // −ε*·mean for the ε* its search chose: both rows equal, and parallel to −(2.5, −5).
    const [v, w] = result.vectors as number[][];
    expect(w).toEqual(v);
    expect(v[0]).toBeLessThan(0);
    expect(v[1] / v[0]).toBeCloseTo(-2, 5);
  });

  it('draws a randomized attack from the seed’s adversary stream: the same seed, the same vectors', async () => {
    const once = JSON.parse((await run({ attack: 'gaussian(sigma=1)', n: 6, f: 2, input, seed: 3 })).stdout);
    const again = JSON.parse((await run({ attack: 'gaussian(sigma=1)', n: 6, f: 2, input, seed: 3 })).stdout);
    const other = JSON.parse((await run({ attack: 'gaussian(sigma=1)', n: 6, f: 2, input, seed: 4 })).stdout);
    expect(again).toEqual(once);
    expect(other.vectors).not.toEqual(once.vectors);
    expect(once.seed).toBe(3);
  });

  it('takes the Byzantine workers’ own gradients from --own', async () => {
    const own = join(dir, 'own.json');
    writeFileSync(own, JSON.stringify([[1, 2], [3, -4]]));
    const { code, stdout } = await run({ attack: 'bitflip', n: 6, f: 2, input, own });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).vectors).toEqual([[-1, -2], [-3, 4]]);
  });

  it('reads fewer than n − f rows as partial knowledge', async () => {
    const { code, stdout } = await run({ attack: 'ipm(eps=1)', n: 10, f: 2, input });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).vectors).toEqual([[-2.5, 5], [-2.5, 5]]);
  });

  it('round-trips with NumPy: Python writes honest.npy, byzsim writes byz.npy, Python checks −ε·mean', async () => {
    const honest = join(dir, 'honest.npy');
    const byz = join(dir, 'byz-ipm.npy');
    python(
      `g = np.random.default_rng(0).normal(size=(10, 6))
np.save(sys.argv[1], g)`,
      honest,
    );
    expect(await run({ attack: 'ipm(eps=0.3)', n: 12, f: 2, input: honest, output: byz })).toEqual({ code: 0, stdout: '', stderr: '' });
    const out = python(
      `g = np.load(sys.argv[1]).astype(np.float32)
b = np.load(sys.argv[2])
want = (-0.3 * g.astype(np.float64).mean(axis=0)).astype(np.float32)
assert b.dtype == np.float32 and b.shape == (2, 6), (b.dtype, b.shape)
assert np.allclose(b, want[None, :], rtol=1e-6, atol=0), (b, want)
print('ok')`,
      honest,
      byz,
    );
    expect(out.trim()).toBe('ok');
  });

  it('round-trips an optimized attack: opt-ipm against Krum sends −ε*·mean with ε* > 0.1, which Krum then selects', async () => {
    const honest = join(dir, 'spread.npy');
    const byz = join(dir, 'byz-opt.npy');
    // Spread-out honest gradients (test/attacks/tailored.test.ts's regime): mean 1, noise σ = 5, centred.
    python(
      `z = np.random.default_rng(1).normal(scale=5, size=(10, 50))
np.save(sys.argv[1], (1 + z - z.mean(axis=0)).astype(np.float32))`,
      honest,
    );
    expect((await run({ attack: 'opt-ipm', n: 12, f: 2, input: honest, rule: 'krum', output: byz })).code).toBe(0);
    const agg = join(dir, 'agg.npy');
    const all = join(dir, 'all.npy');
    python(
      `g = np.load(sys.argv[1])
b = np.load(sys.argv[2])
np.save(sys.argv[3], np.concatenate([g, b]))
m = g.astype(np.float64).mean(axis=0)
eps = -(b[0] @ m) / (m @ m)
assert b.shape == (2, 50) and np.array_equal(b[0], b[1])
assert eps > 0.1, eps
assert np.allclose(b[0], -eps * m, rtol=1e-5, atol=1e-6), 'not a multiple of the mean'`,
      honest,
      byz,
      all,
    );
    // byzsim aggregate on the 12 rows: Krum keeps a Byzantine row.
    const result = cli(['aggregate', '--rule', 'krum', '--f', '2', '--input', all, '--output', agg]);
    expect(result).toMatchObject({ code: 0 });
    expect(readNpy(agg).rows[0]).toEqual(readNpy(byz).rows[0]);
  });

  it('exits 2 with one line and no stack for every user mistake', async () => {
    const own = join(dir, 'own3.json');
    writeFileSync(own, JSON.stringify([[1, 2, 3]]));
    const cases: [Parameters<typeof attackCommand>[0], string][] = [
      [{ attack: 'nosuch', n: 5, f: 1, input }, "byzsim attack: unknown attack 'nosuch' (available: "],
      [{ attack: 'ipm(eps=-1)', n: 5, f: 1, input }, "byzsim attack: parameter 'eps' of ipm must be"],
      [{ attack: 'none', n: 5, f: 1, input }, 'byzsim attack: --attack: none crafts nothing'],
      [{ attack: 'opt-ipm', n: 5, f: 1, input }, 'byzsim attack: opt-ipm needs the server’s rule: give it with --rule <spec>'],
      [{ attack: 'minmax-pool', n: 5, f: 1, input }, 'byzsim attack: minmax-pool needs the rule pool: give it with --rule <spec>'],
      [{ attack: 'labelflip', n: 5, f: 1, input }, 'byzsim attack: labelflip is a data-level attack (its workers train on altered labels): it only makes sense in a run'],
      [{ attack: 'bitflip', n: 5, f: 1, input }, 'byzsim attack: bitflip needs its workers’ own gradients: give them with --own <file> (shape [f, d] = [1, 2])'],
      [{ attack: 'bitflip', n: 5, f: 1, input, own }, `byzsim attack: --own: ${own}: shape [1, 3], expected [f, d] = [1, 2]`],
      [{ attack: 'opt-ipm', n: 5, f: 1, input, rule: 'bulyan' }, 'byzsim attack: --rule: bulyan(inner=krum(m=1)) requires n ≥ 4f + 3 (got n=5, f=1)'],
      [{ attack: 'opt-ipm', n: 5, f: 1, input, rule: 'nosuchrule' }, "byzsim attack: unknown aggregator 'nosuchrule'"],
      [{ attack: 'ipm', n: 4, f: 1, input }, `byzsim attack: ${input}: 4 honest gradients, but n − f = 3 workers are honest (n=4, f=1)`],
      [{ attack: 'ipm', n: 5, f: 0, input }, 'byzsim attack: --f: must be an integer ≥ 1, the number of Byzantine vectors to craft (got 0)'],
      [{ attack: 'ipm', n: 2, f: 2, input }, 'byzsim attack: --n: must be an integer > f (got n=2, f=2)'],
      [{ attack: 'ipm', n: 5, f: 1, input: join(dir, 'missing.npy') }, `byzsim attack: ${join(dir, 'missing.npy')}: file not found`],
      [{ attack: 'ipm', n: 5, f: 1, input, output: join(dir, 'out.csv') }, `byzsim attack: --output: ${join(dir, 'out.csv')}: unknown format '.csv'`],
    ];
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '[]');
    cases.push([{ attack: 'ipm', n: 5, f: 1, input: empty }, `byzsim attack: ${empty}: no vectors`]);
    for (const [opts, message] of cases) {
      const { code, stdout, stderr } = await run(opts);
      expect({ code, stdout }, message).toEqual({ code: 2, stdout: '' });
      expect(stderr.startsWith(message), `${stderr}\n  should start with\n${message}`).toBe(true);
      expect(stderr).not.toContain('\n');
    }
  });

  it('runs from the command line, with --kernels, and exits 2 on a missing option', () => {
    const result = cli(['attack', '--attack', 'ipm(eps=2)', '--n', '5', '--f', '1', '--input', input, '--kernels', 'scalar']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout).vectors).toEqual([[-5, 10]]);
    const missing = cli(['attack', '--n', '5', '--f', '1', '--input', input]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--attack <spec>' not specified");
    const refused = cli(['attack', '--attack', 'opt-alie', '--n', '5', '--f', '1', '--input', input]);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr.trim()).toBe('byzsim attack: opt-alie needs the server’s rule: give it with --rule <spec>');
  });
});
