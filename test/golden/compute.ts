/**
 * Recomputes the golden table in this process and prints it as JSON with the
 * kernel path it ran on, or with `--write` replaces test/golden/hashes.json
 * (`npm run golden:update`). The golden test runs it in child processes to
 * compare kernel paths and runtimes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.ts';
import { runScenario, type RunOptions } from '../../src/run/run.ts';
import { selectBackend, type BackendName } from '../../src/learning/backend.ts';
import { GOLDEN_FILE, ROOT, goldenTable, type GoldenEntry } from './golden.ts';
import { kernelPath } from '../../src/kernels/path.ts';

export async function computeEntry(
  entry: Pick<GoldenEntry, 'scenario' | 'backend'>,
  options: Partial<RunOptions> = {},
): Promise<GoldenEntry> {
  const { scenario } = await loadScenario(join(ROOT, entry.scenario));
  if (entry.backend !== 'ts') await selectBackend(entry.backend as BackendName);
  const result = await runScenario(scenario, { ...options, backend: entry.backend });
  return { scenario: entry.scenario, backend: entry.backend, hash: result.traceHash, events: result.events };
}

export async function computeTable(): Promise<GoldenEntry[]> {
  const out: GoldenEntry[] = [];
  for (const entry of goldenTable()) out.push(await computeEntry(entry));
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const table = await computeTable();
  if (process.argv.includes('--write')) writeFileSync(GOLDEN_FILE, JSON.stringify(table, null, 2) + '\n');
  else console.log(JSON.stringify({ kernels: kernelPath(), table }));
}
