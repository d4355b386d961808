/**
 * byzsim as users install it: `npm pack`, then `npm install <tarball>` with
 * production dependencies only into a fresh project outside the repository
 * (no "type": "module", no TypeScript), and from there the CLI, the library and
 * every README example, run as written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireRedisServer, startRedisServer } from '../helpers/redis-server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The README's fenced blocks of `lang` whose first line matches `first`. */
function blocks(lang: string, first: RegExp): string[] {
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g');
  return [...readme.matchAll(re)].map((m) => m[1]).filter((b) => first.test(b.split('\n')[0]));
}

/** The first such block. */
function block(lang: string, first: RegExp): string {
  const found = blocks(lang, first);
  if (found.length === 0) throw new Error(`README has no \`\`\`${lang} block starting ${first}`);
  return found[0];
}

function sh(cwd: string, command: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the packed package, installed with production dependencies only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byzsim-install-'));
  const project = join(dir, 'project');
  const bin = join(project, 'node_modules', '.bin', 'byzsim');

  beforeAll(() => {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }, null, 2));
    execFileSync('npm', ['install', join(dir, tarball), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: project,
      stdio: 'pipe',
    });
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships compiled JavaScript and declarations, not the TypeScript sources or the tests', () => {
    const pkg = join(project, 'node_modules', 'byzsim');
    expect(existsSync(join(pkg, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(existsSync(join(pkg, 'test'))).toBe(false);
    // Development dependencies are not installed: the package must not need them.
    expect(existsSync(join(project, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'vitest'))).toBe(false);
  });

  it('byzsim list works, and loads neither tsx, the simulator, fast-check, vega nor tfjs', () => {
    const log = join(dir, 'resolved.txt');
    const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }`;
    writeFileSync(join(dir, 'hook.mjs'), hook);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});`);
    const r = sh(project, process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, bin, 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('aggregation rules');
    const packages = new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((u) => u.includes('/node_modules/'))
        .map((u) => u.split('/node_modules/').pop()!.split('/').slice(0, 1)[0]),
    );
    for (const heavy of ['tsx', 'esbuild', 'typescript', 'xstate', 'rxjs', 'fast-check', 'vega', 'vega-lite', '@tensorflow']) {
      expect(packages.has(heavy), heavy).toBe(false);
    }
  });

  it('byzsim run runs a small scenario and writes its outputs', () => {
    writeFileSync(join(project, 'small.yaml'), 'rounds: 4\nworkers: 5\nbyzantine: { f: 1 }\naggregator: cwtm\nattack: alie\n');
    const r = sh(project, bin, ['run', 'small.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trace hash [0-9a-f]{64}/);
    for (const f of ['trace.jsonl', 'metrics.json', 'report.html']) expect(existsSync(join(project, 'out', 'small', f))).toBe(true);
    expect(sh(project, bin, ['replay', 'out/small/trace.jsonl']).stdout).toMatch(/replay ok/);
  });

  it('byzsim sweep runs a grid on threads, and byzsim report reads its directory', () => {
    writeFileSync(join(project, 'base.yaml'), 'rounds: 4\nworkers: 5\nbyzantine: { f: 1 }\naggregator: cwtm\nattack: alie\neval: { every: 2 }\n');
    writeFileSync(join(project, 'grid.yaml'), 'base: base.yaml\ngrid:\n  aggregator: [cwtm, "nnm > cwmed"]\n  attack: [alie, signflip]\n');
    const r = sh(project, bin, ['sweep', 'grid.yaml', '--jobs', '2']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(project, 'out', 'sweeps', 'grid', 'summary.json'), 'utf8'));
    expect(summary.complete).toBe(4);
    expect(summary.worstCase).toHaveLength(2);
    const report = sh(project, bin, ['report', 'out/sweeps/grid']);
    expect(report.code, report.stderr).toBe(0);
    expect(existsSync(join(project, 'out', 'sweeps', 'grid', 'report.html'))).toBe(true);
    const svg = sh(project, bin, ['report', 'out/sweeps/grid', '--format', 'svg']);
    expect(svg.code, svg.stderr).toBe(0);
    expect(readFileSync(join(project, 'out', 'sweeps', 'grid', 'figures', 'worst-case.svg'), 'utf8')).toMatch(/^<svg/);
  }, 120_000);

  it('byzsim sweep --queue, byzsim worker and byzsim collect work from it on a real Redis', async () => {
    requireRedisServer();
    const redis = await startRedisServer();
    try {
      const url = redis.url();
      const submitted = sh(project, bin, ['sweep', 'grid.yaml', '--queue', url, '--out', 'out/queued']);
      expect(submitted.code, submitted.stderr).toBe(0);
      // One worker, results kept in Redis; it runs until stopped.
      const worker = spawn(bin, ['worker', '--queue', url], { cwd: project, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
      try {
        const watched = await new Promise<number>((resolve) => {
          const w = spawn(bin, ['sweep', 'grid.yaml', '--queue', url, '--watch', '--out', 'out/queued'], { cwd: project, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
          w.on('exit', (code) => resolve(code ?? -1));
        });
        expect(watched).toBe(0);
      } finally {
        worker.kill('SIGTERM');
      }
      const collected = sh(project, bin, ['collect', 'grid.yaml', '--queue', url, '--out', 'out/collected']);
      expect(collected.code, collected.stderr).toBe(0);
      const local = JSON.parse(readFileSync(join(project, 'out', 'sweeps', 'grid', 'summary.json'), 'utf8'), (k, v) => (k === 'wallSeconds' ? undefined : v));
      const queued = JSON.parse(readFileSync(join(project, 'out', 'collected', 'summary.json'), 'utf8'), (k, v) => (k === 'wallSeconds' ? undefined : v));
      expect(queued).toEqual(local);
    } finally {
      await redis.stop();
    }
  }, 120_000);

  it("import('byzsim') gives the library, and its declarations type-check a consumer", () => {
    const r = sh(project, process.execPath, ['--input-type=module', '-e', "const b = await import('byzsim'); console.log(typeof b.cwtm, typeof b.runScenario, typeof b.defineAggregator);"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('function function function');
    writeFileSync(
      join(project, 'consumer.ts'),
      "import { cwtm, createAggregator, type Aggregator } from 'byzsim';\nconst a: Float32Array = cwtm([[1], [2], [3]], 1);\nconst b: Aggregator = createAggregator('nnm > krum');\nexport { a, b };\n",
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    // skipLibCheck: resolution and the consumer's own types are checked, not every dependency's declarations.
    const check = sh(project, process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'consumer.ts']);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it("the README's examples run as written from the project's folder", () => {
    // The user's rule and `byzsim fuzz` on it.
    writeFileSync(join(project, 'my-rule.ts'), block('ts', /^\/\/ my-rule\.ts/));
    const fuzz = block('sh', /byzsim fuzz --rule \.\/my-rule\.ts/).split('#')[0].trim().split(/\s+/);
    const fuzzed = sh(project, fuzz[0], fuzz.slice(1));
    expect(fuzzed.code, fuzzed.stdout + fuzzed.stderr).toBe(0);
    expect(fuzzed.stdout).toMatch(/\nok\n?$/);
    // The same module named by a scenario.
    writeFileSync(join(project, 'mine.yaml'), 'rounds: 3\nworkers: 5\nbyzantine: { f: 1 }\naggregator: nnm > ./my-rule.ts\nattack: alie\n');
    const ran = sh(project, bin, ['run', 'mine.yaml']);
    expect(ran.code, ran.stderr).toBe(0);
    // The library example.
    writeFileSync(join(project, 'example.mjs'), block('js', /^\/\/ example\.mjs/));
    const lib = sh(project, process.execPath, ['example.mjs']);
    expect(lib.code, lib.stderr).toBe(0);
    expect(lib.stdout).toContain('Float32Array');
    // The Python examples, through npx as they are written.
    const python = blocks('python', /^import subprocess/);
    expect(python.length).toBe(2);
    python.forEach((code, k) => {
      writeFileSync(join(project, `example${k}.py`), code);
      const py = sh(project, 'python3', [`example${k}.py`]);
      expect(py.code, py.stderr).toBe(0);
    });
    expect(existsSync(join(project, 'agg.npy'))).toBe(true);
    expect(existsSync(join(project, 'byz.npy'))).toBe(true);
  });

  it('a mistake in a user module is one line naming it, without a stack trace', () => {
    writeFileSync(
      join(project, 'bad-rule.ts'),
      "import { defineAggregator } from 'byzsim';\nexport default defineAggregator({ name: 'bad', properties: ['kappa-robustness'], aggregate: (v) => v[0] });\n",
    );
    const r = sh(project, bin, ['fuzz', '--rule', './bad-rule.ts', '--n', '5', '--f', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "byzsim fuzz: ./bad-rule.ts: the module failed to load (defineAggregator(bad): 'kappa-robustness' needs kappa)",
    ]);
  });
});
