/**
 * Time per gradient call of MNIST softmax regression, batch 32, on each
 * backend that loads here: the raw kernel, then a full LearningTask.gradient
 * (minibatch sampling from a 6000-example shard included).
 *
 *   npx tsx bench/learning-gradient.ts
 */
import { performance } from 'node:perf_hooks';
import { buildTask } from '../src/learning/build.ts';
import { selectBackend, type BackendName } from '../src/learning/backend.ts';
import { loadMnist } from '../src/learning/datasets/mnist.ts';
import { logregGradient } from '../src/learning/models/logreg.ts';
import { createRng, createStreams } from '../src/sim/rng.ts';

const BATCH = 32;
const data = loadMnist({ trainSize: 60000, testSize: 10000 });
const { features, classes, trainX, trainY } = data;
const theta = Float32Array.from({ length: (features + 1) * classes }, (_, i) => Math.sin(i) * 0.01);
const batches = Array.from({ length: 64 }, (_, k) => createRng(k, 'bench').sample(trainY.length, BATCH));

function time(label: string, calls: number, f: (k: number) => void): void {
  for (let k = 0; k < 20; k++) f(k);
  const t0 = performance.now();
  for (let k = 0; k < calls; k++) f(k);
  const us = ((performance.now() - t0) / calls) * 1000;
  console.log(`${label.padEnd(34)} ${us.toFixed(0).padStart(6)} µs/call`);
}

async function bench(name: BackendName): Promise<void> {
  try {
    const choice = await selectBackend(name);
    console.log(`# ${choice.name}: ${choice.note}`);
  } catch (e) {
    console.log(`# ${name}: skipped (${(e as Error).message.split('\n')[0]})`);
    return;
  }
  if (name === 'ts') {
    time('kernel logregGradient', 2000, (k) => logregGradient(theta, trainX, trainY, batches[k % 64], features, classes));
  } else {
    const { logregGradientTfjs } = await import('../src/learning/models/logreg-tfjs.ts');
    time(`kernel logregGradientTfjs (${name})`, 500, (k) => logregGradientTfjs(theta, trainX, trainY, batches[k % 64], features, classes));
  }
  const streams = createStreams('bench');
  const task = await buildTask({
    dataset: 'mnist',
    datasetParams: { mnist: { trainSize: 60000, testSize: 10000 } },
    partition: 'iid',
    model: 'logreg',
    batchSize: BATCH,
    workers: 10,
    backend: name,
    dataRng: streams.get('data'),
  });
  time(`task.gradient (${name})`, name === 'ts' ? 2000 : 500, (k) => task.gradient(theta, k % 10, streams.get(`worker/${k % 10}`)));
  time(`task.evaluate, 10000 test (${name})`, 5, () => task.evaluate(theta));
  task.dispose();
}

for (const name of ['ts', 'wasm', 'cpu', 'tfjs-node'] as const) await bench(name);
