/** The scenario's learning task, its data drawn from the run's `data` stream (one place: the runner, bench:sim and `byzsim data`). */
import { datasetOptions, datasetParams, type Scenario } from '../scenario/schema.ts';
import { dataHoldings } from '../scenario/resolve.ts';
import type { Streams } from '../sim/rng.ts';
import type { LearningTask } from '../learning/task.ts';
import { clippingWorkers, dpSetup } from './dp.ts';
import { buildTask, loadSplit, type BuildTaskOptions, type DataSplit } from '../learning/build.ts';

function taskOptions(scenario: Scenario, backend: string, streams: Streams): BuildTaskOptions {
  return {
    dataset: scenario.data.dataset,
    datasetParams: datasetParams(scenario.data),
    datasetOptions: datasetOptions(scenario.data),
    holdings: dataHoldings(scenario),
    loss: scenario.loss,
    partition: scenario.data.partition,
    model: scenario.model,
    batchSize: scenario.data.batchSize,
    workers: scenario.workers,
    backend,
    dataRng: streams.get('data'),
    trainEval: { size: scenario.eval.trainSize, rng: streams.get('eval') },
    ...clipOf(scenario),
    ...(scenario.server.trusted > 0 ? { trusted: { size: scenario.server.trusted, rng: streams.get('server/trusted') } } : {}),
  };
}

/** DP-SGD's clipping, by the workers that apply DP (./dp.ts). */
function clipOf(scenario: Scenario): Pick<BuildTaskOptions, 'clip'> {
  const dp = dpSetup(scenario);
  if (!dp) return {};
  const workers = clippingWorkers(dp);
  return { clip: { clipping: dp.clipping, ...(workers ? { workers } : {}) } };
}

/** `threads`: threads computing honest gradients, the main thread included (default 1), and when they are worth it; they change no result. */
export function buildScenarioTask(
  scenario: Scenario,
  backend: string,
  streams: Streams,
  threads: Pick<BuildTaskOptions, 'threads' | 'threadsFor'> = {},
): Promise<LearningTask> {
  return buildTask({ ...taskOptions(scenario, backend, streams), ...threads });
}

/** The scenario's data and who holds what, exactly as its run draws them (no model is built). */
export function scenarioSplit(scenario: Scenario, streams: Streams): DataSplit {
  return loadSplit(taskOptions(scenario, 'ts', streams));
}
