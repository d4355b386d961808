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
import { models, modelShape } from './models/index.ts';
import type { Labels, ModelKernels } from './models/types.ts';
import { isTfjsBackend, selectBackend } from './backend.ts';
import { planHoldings, type Holding, type HoldingPlan } from './holders.ts';
import type { Dataset } from './datasets/types.ts';
import type { PartitionDefinition } from './partitions/types.ts';
import type { Resolved } from '../registry.ts';
import { UserError } from '../errors.ts';
import type { LossName } from './models/types.ts';
import { startThreads, type Threads, type ThreadsFor } from './parallel/index.ts';
import { kernelPath } from '../kernels/path.ts';
import { clippedGradient, type Clipping } from './dp/clip.ts';

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
  /** Who holds which data (./holders.ts); default: a shard each. */
  holdings?: HoldingPlan;
  /** Each dataset's word options (a `path`), by dataset name. */
  datasetOptions?: Record<string, Record<string, string>>;
  /** The loss (default cross-entropy). */
  loss?: LossName;
  /** Measure the training loss at each evaluation on `size` examples drawn once from the honest workers' data with `rng` (the run's `eval` stream). */
  trainEval?: { size: number; rng: Rng };
  /** Chosen backend name (see selectBackend): `ts` → TypeScript kernels; `tfjs-node`, `wasm`, `cpu` → tfjs. */
  backend: string;
  /** The run's `data` stream: dataset generation, then the partition. */
  dataRng: Rng;
  /**
   * Threads computing honest gradients, the main thread included (./parallel/; default 1: all on
   * the main thread). Changes no result.
   */
  threads?: number;
  /** Which models use the threads: 'tfjs' (default: those only tfjs computes, the CNNs) or 'all'. */
  threadsFor?: ThreadsFor;
  /**
   * DP-SGD's clipping (./dp/clip.ts) of the honest gradients of `workers` (default: every worker),
   * never of a gradient computed in a round the worker is Byzantine.
   */
  clip?: { clipping: Clipping; workers?: readonly number[] };
  /** The server's trusted examples: `size` drawn once from the whole training set with `rng`, which then draws its minibatches. */
  trusted?: { size: number; rng: Rng };
}

/** Whether a dataset runs on the plain TypeScript kernels whatever the backend (generated data). */
export function alwaysTs(dataset: string): boolean {
  return datasets.resolveSpec(dataset).def.generated === true;
}

/** The data and who holds what: the dataset loaded, its shards, each worker's examples (honest, and in a round it is Byzantine). */
export interface DataSplit {
  data: Dataset;
  plan: HoldingPlan;
  split: Resolved<PartitionDefinition>;
  shards: Int32Array[];
  /** Worker i's examples when honest (undefined: it holds nothing). */
  own: (Int32Array | undefined)[];
  /** Worker i's examples in a round it is Byzantine. */
  asByzantine: (Int32Array | undefined)[];
}

/** Loads the dataset and splits it (draws from `dataRng`: the dataset if generated, then the partition); checks the minibatch fits. */
export function loadSplit(opts: Pick<BuildTaskOptions, 'dataset' | 'datasetParams' | 'datasetOptions' | 'partition' | 'batchSize' | 'workers' | 'holdings' | 'dataRng'>): DataSplit {
  const { workers, batchSize } = opts;
  const dataset = datasets.resolveSpec(opts.dataset).def;
  const resolvedData = datasets.resolve({ name: dataset.name, params: opts.datasetParams[dataset.name] ?? {}, options: opts.datasetOptions?.[dataset.name] ?? {} });
  // A file that is missing or corrupt, a split the labels cannot give: the user's data, said in one line.
  let data: Dataset;
  try {
    data = dataset.load(resolvedData.params, opts.dataRng, resolvedData.options);
  } catch (err) {
    throw new UserError(`data.${dataset.name}: ${(err as Error).message}`);
  }
  const plan = opts.holdings ?? planHoldings(workers, undefined, 'none');
  const split = partitions.resolveSpec(opts.partition);
  let shards: Int32Array[];
  try {
    shards = split.def.create(split.params)(data.trainY, plan.shards, opts.dataRng);
  } catch (err) {
    throw new UserError(`data.partition: ${(err as Error).message}`);
  }
  const smallest = Math.min(...shards.map((s) => s.length));
  if (batchSize > smallest) {
    throw new RangeError(`data.batchSize: ${batchSize} exceeds the smallest worker shard (${smallest} examples of ${data.trainY.length} over ${plan.shards} shards)`);
  }
  const everything = Int32Array.from({ length: data.trainY.length }, (_, i) => i);
  const examplesOf = (h: Holding): Int32Array | undefined => (h === 'none' ? undefined : h === 'all' ? everything : shards[h.shard]);
  const own = plan.holding.map(examplesOf);
  const asByzantine = plan.byzantineHolding.map(examplesOf);

  return { data, plan, split, shards, own, asByzantine };
}

/** Each worker's training-label counts, by class (zeros for a worker holding nothing). */
export function labelCounts(held: readonly (Int32Array | undefined)[], labels: ArrayLike<number>, classes: number): number[][] {
  return held.map((examples) => {
    const counts = new Array<number>(classes).fill(0);
    if (examples) for (const i of examples) counts[labels[i]]++;
    return counts;
  });
}

export async function buildTask(opts: BuildTaskOptions): Promise<LearningTask> {
  const { workers, batchSize, backend } = opts;
  if (backend !== 'ts' && !isTfjsBackend(backend)) {
    throw new Error(`backend: unknown backend '${backend}' (expected ts, cpu, wasm or tfjs-node)`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`data.batchSize: must be a positive integer (got ${batchSize})`);

  const { data, plan, split, own, asByzantine } = loadSplit(opts);

  const { features, classes, testX, testY } = data;
  let { trainX, trainY } = data;
  const chosen = models.resolveSpec(opts.model);
  const shape = modelShape(data, opts.loss ?? 'cross-entropy');
  const model = chosen.def.create(chosen.params, shape);
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
  const trainEvaluator = opts.trainEval && opts.trainEval.size > 0 ? trainSample(own, trainX, trainY, features, opts.trainEval, kernels) : undefined;
  const where = useTfjs ? `tfjs ${backend}` : 'plain TS';

  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads: must be a positive integer (got ${threads})`);
  const clipping = opts.clip?.clipping;
  const clips = clippingWorkers(opts.clip?.workers, workers, clipping);
  const honestKernel = clipping ? clippedGradient(kernels, clipping) : (theta: Float32Array, X: Float32Array, Y: Labels, r: Int32Array) => kernels.gradient(theta, X, Y, r);
  let parallel: Threads | undefined;
  // tfjs-node computes on native threads of its own (and its addon is not meant to load in worker threads).
  // A thread computes every honest gradient alike: not when only some workers clip.
  const alike = clips.every((c) => c === clips[0]);
  if (threads > 1 && backend !== 'tfjs-node' && alike) {
    parallel = await startThreads({
      threads,
      ...(opts.threadsFor !== undefined ? { threadsFor: opts.threadsFor } : {}),
      tfjsOnly: model.ts === undefined,
      model: opts.model,
      shape,
      backend: useTfjs ? backend : 'ts',
      kernels: kernelPath(),
      dim: model.dim,
      trainX,
      trainY,
      workers,
      batchSize,
      own,
      ...(clips[0] && clipping ? { clip: clipping } : {}),
      gradient: clips[0] ? honestKernel : (theta, X, Y, r) => kernels.gradient(theta, X, Y, r),
      sample: sampleInto,
    });
    // One copy of the training set, shared by every thread.
    if (parallel) ({ trainX, trainY } = parallel);
  }

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
  const trustedGradient = opts.trusted && opts.trusted.size > 0 ? trustedOf(opts.trusted, trainY.length, batchSize, (theta, r) => kernels.gradient(theta, trainX, trainY, r)) : undefined;
  const task: LearningTask & { readonly prefetches?: { taken: number; withdrawn: number } } = {
    // What the threads' prefetches did (tests and benchmarks read it; undefined without threads).
    get prefetches() {
      return parallel?.prefetcher.counts;
    },
    description: `${chosen.def.name} on ${data.name} (${model.dim} parameters, ${split.def.name} over ${plan.shards} of ${workers} workers, ${where})`,
    dim: model.dim,
    workers,
    classes,
    holdings: labelCounts(own, trainY, classes),
    init: () => model.init(),
    gradient(theta, worker, rng, labels, forAdversary) {
      if (!Number.isInteger(worker) || worker < 0 || worker >= workers) throw new RangeError(`gradient: worker ${worker} out of range [0, ${workers})`);
      const shard = (forAdversary ? asByzantine : own)[worker];
      if (!shard) throw new RangeError(`gradient: worker ${worker} holds no data (data.byzantine: none)`);
      if (parallel && !labels && !forAdversary) return parallel.prefetcher.gradient(theta, worker, rng);
      sampleInto(rows, shard, rng);
      if (!forAdversary && clips[worker]) return honestKernel(theta, trainX, trainY, rows);
      return kernels.gradient(theta, trainX, labels ? labelsFor(labels) : trainY, rows);
    },
    ...(trustedGradient ? { trustedGradient } : {}),
    evaluate: (theta) => {
      const e = evaluator.evaluate(theta);
      return trainEvaluator ? { ...e, trainLoss: trainEvaluator.evaluate(theta).loss } : e;
    },
    dispose: () => {
      evaluator.dispose();
      trainEvaluator?.dispose();
      // Nothing waits on the threads (they are unref'd): terminating them is the last thing a run does.
      void parallel?.close();
    },
  };
  return task;
}

/**
 * The server's trusted examples (FLTrust's root dataset): `size` distinct
 * training examples drawn once with `rng`; each gradient then takes a
 * minibatch of min(batchSize, size) of them from the same stream.
 */
function trustedOf(
  { size, rng }: { size: number; rng: Rng },
  examples: number,
  batchSize: number,
  gradient: (theta: Float32Array, rows: Int32Array) => Float32Array,
): (theta: Float32Array) => Float32Array {
  if (!Number.isInteger(size) || size < 1 || size > examples) throw new RangeError(`server.trusted: ${size} examples is not in [1, ${examples}], the training set's size`);
  const held = new Int32Array(size);
  sampleInto(held, Int32Array.from({ length: examples }, (_, i) => i), rng);
  const rows = new Int32Array(Math.min(batchSize, size));
  return (theta) => {
    sampleInto(rows, held, rng);
    return gradient(theta, rows);
  };
}

/** Whether each worker clips its honest gradients: every worker by default, or those listed. */
function clippingWorkers(listed: readonly number[] | undefined, workers: number, clipping: Clipping | undefined): boolean[] {
  if (!clipping) return new Array<boolean>(workers).fill(false);
  if (!listed) return new Array<boolean>(workers).fill(true);
  const out = new Array<boolean>(workers).fill(false);
  for (const w of listed) {
    if (!Number.isInteger(w) || w < 0 || w >= workers) throw new RangeError(`dp.workers: ${w} is not a worker index in [0, ${workers})`);
    out[w] = true;
  }
  return out;
}

/**
 * An evaluator on a fixed sample of the training examples the honest workers
 * hold (every held example once, in worker order, then `size` of them drawn
 * without replacement; all of them when fewer): the training loss the DP paper
 * and ByzFL plot, at a fixed cost per evaluation.
 */
function trainSample(
  held: readonly (Int32Array | undefined)[],
  X: Float32Array,
  Y: Labels,
  features: number,
  { size, rng }: { size: number; rng: Rng },
  kernels: ModelKernels,
): ReturnType<ModelKernels['evaluator']> {
  const seen = new Uint8Array(Y.length);
  const pool: number[] = [];
  for (const shard of held) for (const i of shard ?? []) if (!seen[i]) (seen[i] = 1), pool.push(i);
  const rows = new Int32Array(Math.min(size, pool.length));
  sampleInto(rows, Int32Array.from(pool), rng);
  const x = new Float32Array(rows.length * features);
  const y = new Int32Array(rows.length);
  rows.forEach((r, k) => {
    x.set(X.subarray(r * features, (r + 1) * features), k * features);
    y[k] = Y[r];
  });
  return kernels.evaluator(x, y);
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
