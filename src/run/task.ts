/** The scenario's learning task, its data drawn from the run's `data` stream (one place: the runner and bench:sim). */
import { datasetParams, type Scenario } from '../scenario/schema.ts';
import type { Streams } from '../sim/rng.ts';
import type { LearningTask } from '../learning/task.ts';
import { buildTask } from '../learning/build.ts';

export function buildScenarioTask(scenario: Scenario, backend: string, streams: Streams): Promise<LearningTask> {
  return buildTask({
    dataset: scenario.data.dataset,
    datasetParams: datasetParams(scenario.data),
    partition: scenario.data.partition,
    model: scenario.model,
    batchSize: scenario.data.batchSize,
    workers: scenario.workers,
    backend,
    dataRng: streams.get('data'),
  });
}
