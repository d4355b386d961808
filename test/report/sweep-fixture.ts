/**
 * A small real sweep directory, laid out as the sweep runner writes one
 * (sweep.json, runs/<id>/{metrics.json, trace.jsonl, report.html, run.json}):
 * quickstart's setting at 10 rounds and 7 workers, aggregator × attack × seed,
 * plus one run listed in sweep.json whose directory does not exist (not yet complete).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToDirectory } from '../../src/run/output.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';

export const SWEEP_KEYS = ['aggregator', 'attack'] as const;
export const AGGREGATORS = ['cwtm', 'nnm > krum'];
export const ATTACKS = ['none', 'alie'];
export const SEEDS = [1, 2];

const BASE = `name: tiny
rounds: 10
workers: 7
byzantine: { f: 1, schedule: static }
data: { dataset: synthetic, partition: extreme, batchSize: 16, synthetic: { trainSize: 700, testSize: 200 } }
optimizer: { lr: 0.1, momentum: 0.9 }
adversary: { knowledge: omniscient }
network: { delay: { kind: uniform, min: 2, max: 8 }, ordering: fifo }
server: { quorum: n, timeout: 1000, missing: zero }
eval: { every: 2, trainSize: 100 }
`;

function idOf(config: object, seed: number): string {
  return createHash('sha256').update(JSON.stringify({ config, seed })).digest('hex').slice(0, 16);
}

/** Writes the sweep into `dir` and returns the id of the run left missing. */
export async function makeSweep(dir: string): Promise<{ missing: string; ids: string[] }> {
  const runs: { id: string; config: Record<string, string>; seed: number }[] = [];
  for (const aggregator of AGGREGATORS) {
    for (const attack of ATTACKS) {
      for (const seed of SEEDS) {
        const config = { aggregator, attack };
        const id = idOf(config, seed);
        runs.push({ id, config, seed });
        const out = join(dir, 'runs', id);
        const text = `${BASE}seed: ${seed}\naggregator: "${aggregator}"\nattack: ${attack}\n`;
        const scenario = parseScenarioText(text, join(dir, 'tiny.yaml'), { outDir: out });
        await runToDirectory(scenario, 'ts');
        writeFileSync(join(out, 'run.json'), JSON.stringify({ id, config, seed }) + '\n');
      }
    }
  }
  const missing = { id: idOf({ aggregator: 'mean', attack: 'alie' }, 1), config: { aggregator: 'mean', attack: 'alie' }, seed: 1 };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ format: 1, name: 'tiny', keys: [...SWEEP_KEYS], runs: [...runs, missing] }, null, 2) + '\n');
  return { missing: missing.id, ids: runs.map((r) => r.id) };
}
