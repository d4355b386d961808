/**
 * `byzsim data <scenario>`: what each worker holds, as the run would draw it
 * (same seed, same `data` stream): per worker, its role under a fixed
 * Byzantine set, how many training examples it holds and its label
 * histogram. `--json` prints the same as JSON.
 */
import { loadScenario } from '../scenario/load.ts';
import { createStreams } from '../sim/rng.ts';
import { scenarioSplit } from '../run/task.ts';
import { labelCounts } from '../learning/build.ts';
import type { Holding } from '../learning/holders.ts';

export interface DataCommandOptions {
  seed?: number;
  json?: boolean;
}

export interface WorkerData {
  worker: number;
  /** What it holds when honest: `shard k`, `nothing` or `all`; and in a round it is Byzantine, when different. */
  holds: string;
  asByzantine?: string;
  examples: number;
  labels: number[];
}

const describe = (h: Holding): string => (h === 'none' ? 'nothing' : h === 'all' ? 'the whole training set' : `shard ${h.shard}`);

export function dataTable(workers: readonly WorkerData[], classes: number): string {
  const head = ['worker', 'holds', 'examples', ...Array.from({ length: classes }, (_, c) => `${c}`)];
  const rows = workers.map((w) => [String(w.worker), w.holds + (w.asByzantine ? ` (Byzantine: ${w.asByzantine})` : ''), String(w.examples), ...w.labels.map(String)]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 1 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export async function dataCommand(file: string, options: DataCommandOptions): Promise<number> {
  const { scenario: s } = await loadScenario(file, { seed: options.seed });
  const split = scenarioSplit(s, createStreams(s.seed));
  const { data, plan } = split;
  const counts = labelCounts(split.own, data.trainY, data.classes);
  const workers: WorkerData[] = plan.holding.map((h, i) => {
    const b = plan.byzantineHolding[i];
    const differs = describe(b) !== describe(h);
    return { worker: i, holds: describe(h), ...(differs ? { asByzantine: describe(b) } : {}), examples: split.own[i]?.length ?? 0, labels: counts[i] };
  });
  if (options.json) {
    console.log(JSON.stringify({ scenario: s.name, dataset: data.name, partition: s.data.partition, classes: data.classes, train: data.trainY.length, shards: plan.shards, workers }, null, 2));
    return 0;
  }
  console.log(`${s.name}: ${data.name}, ${data.trainY.length} training examples split by ${s.data.partition} into ${plan.shards} shards over n=${s.workers} workers (f=${s.byzantine.f}, schedule ${s.byzantine.schedule}, data.byzantine: ${s.data.byzantine})`);
  console.log(`label histogram per worker (classes 0..${data.classes - 1}):`);
  console.log(dataTable(workers, data.classes));
  return 0;
}
