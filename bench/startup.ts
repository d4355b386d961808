/**
 * `npm run bench:startup`: how long `byzsim list` takes before it does anything useful, as users
 * call it (from Python, once per step): from the installed package (npm pack, npm install
 * --omit=dev into a temporary project, plain Node on the compiled JavaScript) and from a clone
 * (bin/byzsim.js, TypeScript through tsx), against a bare `node -e 0` in the same command.
 * Median of 11 runs each, interleaved. Usage: npm run bench:startup
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'byzsim-startup-'));
const project = join(dir, 'project');
try {
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "startup", "private": true }\n');
  execFileSync('npm', ['install', join(dir, tarball), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, stdio: 'pipe' });

  const commands: Record<string, string[]> = {
    'node -e 0': [process.execPath, '-e', '0'],
    'installed: byzsim list': [join(project, 'node_modules', '.bin', 'byzsim'), 'list'],
    'clone: node bin/byzsim.js list': [process.execPath, join(root, 'bin', 'byzsim.js'), 'list'],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let run = 0; run < 12; run++) {
    for (const [name, [cmd, ...args]] of Object.entries(commands)) {
      const t = performance.now();
      const r = spawnSync(cmd, args, { cwd: project, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
      if (run > 0) times[name].push(performance.now() - t); // the first round warms the file cache
    }
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  const bare = median(times['node -e 0']);
  console.log('| command | median ms | / node -e 0 |\n|---|---:|---:|');
  for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${median(xs).toFixed(0)} | ${(median(xs) / bare).toFixed(2)}× |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
