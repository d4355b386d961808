/** Real learning through the simulator: ByzFL's fc_mnist MLP on iid MNIST with the mean reaches ≥ 90% test accuracy in a short scenario. */
import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../../src/scenario/schema.ts';
import { runScenario } from '../../src/run/run.ts';

describe('an MNIST MLP in a scenario', () => {
  it('reaches ≥ 0.90 test accuracy: 5 workers, iid, mean, 300 rounds of b = 32, worker momentum 0.9', async () => {
    const scenario = ScenarioSchema.parse({
      name: 'mnist-mlp',
      seed: 1,
      rounds: 300,
      workers: 5,
      data: { dataset: 'mnist', partition: 'iid', batchSize: 32, mnist: { trainSize: 20000, testSize: 2000 } },
      model: 'mlp',
      optimizer: { lr: 0.5, workerMomentum: 0.9 },
      aggregator: 'mean',
      eval: { every: 50, trainSize: 500 },
      output: { trace: 'off' },
    });
    const result = await runScenario(scenario, { backend: 'ts' });
    expect(result.final.accuracy).toBeGreaterThanOrEqual(0.9);
    // The training loss fell with it.
    expect(result.history.at(-1)!.trainLoss!).toBeLessThan(result.history[0].trainLoss! / 4);
  }, 60_000);
});
