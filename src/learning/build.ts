/**
 * From a scenario's data and model to a LearningTask: the dataset (registry
 * ./datasets), its split across the workers (./partitions), the model
 * (./models) on a backend.
 *
 * Minibatches: worker i's gradient takes batchSize distinct examples of its
 * shard (without replacement within a batch, independently across calls),
 * drawn exactly as `rng.sample(|shard_i|, batchSize)` would draw them but in
 * O(batchSize) memory (see sampleInto). So a gradient is a pure function of θ,
 * the shard and the state of the worker's stream.
 *
 * Synthetic data always uses the model's TypeScript kernels, so simulator
 * tests never load tfjs; other datasets use the model's tfjs kernels on a
 * tfjs backend and its TypeScript kernels on `ts`.
 */
import type { Rng } from '../sim/rng.ts';
import type { LabelMap, LearningTask } from './task.ts';
import { datasets } from './datasets/index.ts';
import { partitions } from './partitions/index.ts';
import { models } from './models/index.ts';
import type { Labels, ModelKernels } from './models/types.ts';
import { isTfjsBackend, selectBackend } from './backend.ts';

export interface BuildTaskOptions {
  /** Dataset spec (`synthetic`, `mnist`). */
  dataset: string;
  /** Each dataset's parameters, by dataset name (the scenario's `data.<name>` sections). */
  datasetParams: Record<string, Record<string, number>>;
  /** Partition spec (`iid`, `extreme`). */
  partition: string;
  /** Model spec (`logreg`). */
  model: string;
  batchSize: number;
  workers: number;
  /** Chosen backend name (see selectBackend): `ts` → TypeScript kernels; `tfjs-node`, `wasm`, `cpu` → tfjs. */
  backend: string;
  /** The run's `data` stream: dataset generation, then the partition. */
  dataRng: Rng;
}

/** Whether a dataset runs on the plain TypeScript kernels whatever the backend (generated data). */
export function alwaysTs(dataset: string): boolean {
  return datasets.resolveSpec(dataset).def.generated === true;
}

export async function buildTask(opts: BuildTaskOptions): Promise<LearningTask> {
  const { workers, batchSize, backend } = opts;
  if (backend !== 'ts' && !isTfjsBackend(backend)) {
    throw new Error(`backend: unknown backend '${backend}' (expected ts, cpu, wasm or tfjs-node)`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`data.batchSize: must be a positive integer (got ${batchSize})`);

  const dataset = datasets.resolveSpec(opts.dataset).def;
  const data = dataset.load(datasets.resolve({ name: dataset.name, params: opts.datasetParams[dataset.name] ?? {}, options: {} }).params, opts.dataRng);
  const split = partitions.resolveSpec(opts.partition);
  const shards = split.def.create(split.params)(data.trainY, workers, opts.dataRng);
  const smallest = Math.min(...shards.map((s) => s.length));
  if (batchSize > smallest) {
    throw new RangeError(`data.batchSize: ${batchSize} exceeds the smallest worker shard (${smallest} examples of ${data.trainY.length} over ${workers} workers)`);
  }

  const { features, classes, trainX, trainY, testX, testY } = data;
  const chosen = models.resolveSpec(opts.model);
  const model = chosen.def.create(chosen.params, { features, classes });
  const useTfjs = !alwaysTs(opts.dataset) && isTfjsBackend(backend);
  let kernels: ModelKernels;
  if (useTfjs) {
    if (!model.tfjs) throw new Error(`model ${chosen.def.name} has no tfjs kernels (use --backend ts)`);
    // Idempotent when the caller already selected this backend; makes the task usable on its own.
    await selectBackend(backend);
    kernels = await model.tfjs();
  } else {
    if (!model.ts) throw new Error(`model ${chosen.def.name} has no TypeScript kernels (use a tfjs backend)`);
    kernels = model.ts;
  }
  const evaluator = kernels.evaluator(testX, testY);
  const where = useTfjs ? `tfjs ${backend}` : 'plain TS';

  const rows = new Int32Array(batchSize);
  // Each label map's relabelled training labels, computed once (a map is an attack's, fixed for a run).
  const relabelled = new Map<LabelMap, Labels>();
  const labelsFor = (map: LabelMap): Labels => {
    let y = relabelled.get(map);
    if (!y) {
      y = Int32Array.from(trainY, (label) => map(label, classes));
      for (let i = 0; i < y.length; i++) {
        if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= classes) throw new RangeError(`label map: ${trainY[i]} ↦ ${y[i]} is not a label in [0, ${classes})`);
      }
      relabelled.set(map, y);
    }
    return y;
  };
  return {
    description: `${chosen.def.name} on ${data.name} (${model.dim} parameters, ${split.def.name} over ${workers} workers, ${where})`,
    dim: model.dim,
    workers,
    classes,
    holdings: shards.map((shard) => {
      const counts = new Array<number>(classes).fill(0);
      for (const i of shard) counts[trainY[i]]++;
      return counts;
    }),
    init: () => model.init(),
    gradient(theta, worker, rng, labels) {
      const shard = shards[worker];
      if (!shard) throw new RangeError(`gradient: worker ${worker} out of range [0, ${workers})`);
      sampleInto(rows, shard, rng);
      return kernels.gradient(theta, trainX, labels ? labelsFor(labels) : trainY, rows);
    },
    evaluate: (theta) => evaluator.evaluate(theta),
    dispose: () => evaluator.dispose(),
  };
}

/**
 * Fills `out` with out.length distinct entries of `from`: the partial
 * Fisher–Yates shuffle of Rng.sample (same draws, same result) over a virtual
 * index pool, where a Map holds only the positions a swap has touched. Rng.sample
 * materialises the whole pool, which on a 6000-example shard costs as much as
 * the gradient itself.
 */
export function sampleInto(out: Int32Array, from: Int32Array, rng: Rng): void {
  const n = from.length;
  const k = out.length;
  if (k > n) throw new RangeError(`cannot sample ${k} distinct indices out of ${n}`);
  const moved = new Map<number, number>();
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const pick = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
    out[i] = from[pick];
  }
}
