/**
 * `npm run bench:learn [-- --quick] [-- --only <name>]`: the learning side's speed.
 *
 * 1. ms per worker gradient (batch 25) for every model on every backend it
 *    has kernels for (its own data shape: MNIST for the image models, the
 *    d = 69 logistic task for `logistic`), timed through LearningTask.gradient
 *    (minibatch sampling included), median of repeated calls.
 * 2. The three committed benchmark runs (scenarios/bench/), each a plain
 *    `byzsim run` in its own process, timed as a whole command, with the
 *    final test accuracy, against the reference in bench/reference/byzfl.json:
 *    ByzFL's time and accuracy on the same configuration, or a target.
 *    `--quick` runs 1/8 of the rounds and scales the time up (marked ~).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildTask } from '../src/learning/build.ts';
import { selectBackend, type BackendName } from '../src/learning/backend.ts';
import { models } from '../src/learning/models/index.ts';
import { createStreams } from '../src/sim/rng.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const reference = JSON.parse(readFileSync(new URL('./reference/byzfl.json', import.meta.url), 'utf8')) as {
  runs: Record<string, { seconds: number | null; accuracy: number | null; target: { ratio?: number; seconds?: number } }>;
};

const BATCH = 25;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The data a model is timed on. */
function dataFor(model: string): { dataset: string; datasetParams: Record<string, Record<string, number>> } {
  return model === 'logistic'
    ? { dataset: 'logistic', datasetParams: { logistic: {} } }
    : { dataset: 'mnist', datasetParams: { mnist: { trainSize: 60000, testSize: 1000 } } };
}

async function gradientRow(model: string, backend: BackendName): Promise<string | undefined> {
  const def = models.get(model)!;
  const probe = def.create(models.resolve({ name: model, params: {}, options: {} }).params, model === 'logistic' ? { features: 68, classes: 2 } : { features: 784, classes: 10, image: { height: 28, width: 28, channels: 1 } });
  if (backend === 'ts' ? !probe.ts : !probe.tfjs) return undefined;
  if (backend !== 'ts') await selectBackend(backend);
  const streams = createStreams('bench');
  const { dataset, datasetParams } = dataFor(model);
  // Generated data always runs on the TypeScript kernels: time a tfjs backend on it only through MNIST models.
  if (dataset === 'logistic' && backend !== 'ts') return undefined;
  const task = await buildTask({ dataset, datasetParams, partition: 'iid', model, batchSize: BATCH, workers: 13, backend, dataRng: streams.get('data') });
  const theta = task.init();
  const times: number[] = [];
  const budget = 1500;
  const start = performance.now();
  const first = performance.now();
  task.gradient(theta, 0, streams.get('worker/0'));
  const once = performance.now() - first;
  // A backend far too slow for the model (tfjs cpu on a CNN: seconds per gradient) is timed once.
  if (once > 500) {
    task.dispose();
    return `| ${model} | ${probe.dim.toLocaleString('en-US')} | ${backend} | ${once.toFixed(0)} (one call) | 1 |`;
  }
  for (let k = 1; k < 3; k++) task.gradient(theta, k % 13, streams.get(`worker/${k % 13}`));
  while (times.length < 5 || (performance.now() - start < budget && times.length < 2000)) {
    const k = times.length;
    const t0 = performance.now();
    task.gradient(theta, k % 13, streams.get(`worker/${k % 13}`));
    times.push(performance.now() - t0);
  }
  task.dispose();
  return `| ${model} | ${probe.dim.toLocaleString('en-US')} | ${backend} | ${median(times).toFixed(2)} | ${times.length} |`;
}

console.log(`# ms per worker gradient, batch ${BATCH} (median of repeated calls)\n`);
console.log('| model | parameters | backend | ms per gradient | calls |');
console.log('|---|---|---|---|---|');
for (const model of models.names()) {
  for (const backend of ['ts', 'wasm', 'cpu'] as const) {
    try {
      const row = await gradientRow(model, backend);
      if (row) console.log(row);
    } catch (e) {
      console.log(`| ${model} | | ${backend} | failed: ${(e as Error).message.split('\n')[0]} | |`);
    }
  }
}

console.log(`\n# the benchmark runs (scenarios/bench/), each \`byzsim run\` in its own process${quick ? ', 1/8 of the rounds, time scaled up (~)' : ''}\n`);
console.log('| run | rounds | wall s | s per round | final accuracy | reference | ratio |');
console.log('|---|---|---|---|---|---|---|');
const dir = mkdtempSync(join(tmpdir(), 'byzsim-bench-learn-'));
try {
  for (const name of ['logreg-d69', 'byzfl-fc-mnist', 'byzfl-cnn-mnist']) {
    if (only && only !== name) continue;
    const file = new URL(`../scenarios/bench/${name}.yaml`, import.meta.url).pathname;
    const scenario = parse(readFileSync(file, 'utf8'));
    const rounds = quick ? Math.ceil(scenario.rounds / 8) : scenario.rounds;
    const run = join(dir, `${name}.yaml`);
    writeFileSync(run, stringify({ ...scenario, rounds }));
    const out = join(dir, name);
    const t0 = performance.now();
    execFileSync(process.execPath, [new URL('../bin/byzsim.js', import.meta.url).pathname, 'run', run, '--out', out, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const wall = (performance.now() - t0) / 1000;
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const seconds = quick ? (wall * scenario.rounds) / rounds : wall;
    const ref = reference.runs[name];
    const mark = quick ? '~' : '';
    const against = ref.seconds ? `ByzFL ${ref.seconds} s, accuracy ${ref.accuracy}` : `target ≤ ${ref.target.seconds} s`;
    const ratio = ref.seconds ? `${mark}${(seconds / ref.seconds).toFixed(2)}× ByzFL (target ≤ ${ref.target.ratio}×)` : `${mark}${(seconds / ref.target.seconds!).toFixed(2)}× target`;
    console.log(`| ${name} | ${rounds} | ${mark}${seconds.toFixed(1)} | ${(wall / rounds).toFixed(4)} | ${metrics.final.accuracy.toFixed(4)} | ${against} | ${ratio} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
