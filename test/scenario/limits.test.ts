/**
 * The estimates behind the limits (src/scenario/limits.ts) against real runs:
 * an estimate that undershot would let through a run the limit is meant to
 * refuse, one that overshot wildly would refuse runs that fit.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { estimateRun, formatBytes, LIMITS } from '../../src/scenario/limits.ts';
import { runScenario } from '../../src/run/run.ts';
import { datasets } from '../../src/learning/datasets/index.ts';
import { models } from '../../src/learning/models/index.ts';
import { datasetParams } from '../../src/scenario/schema.ts';

const CASES = [
  'workers: 10\nrounds: 12\n',
  'workers: 40\nrounds: 4\n',
  'workers: 10\nrounds: 12\nbyzantine: { f: 3 }\nattack: alie\naggregator: cwtm\neval: { every: 1 }\n',
  'workers: 20\nrounds: 4\nbyzantine: { f: 5 }\nattack: ipm\naggregator: nnm > krum\nnetwork: { duplicate: 1, ordering: adversarial }\n',
  'workers: 10\nrounds: 6\nbyzantine: { f: 2 }\nattack: alie\naggregator: cwtm\nadversary: { flood: 200 }\n',
  'workers: 20\nrounds: 4\nbyzantine: { f: 3, schedule: random }\nattack: signflip\nadversary: { knowledge: partial(k=5) }\naggregator: resample(s=2) > cwtm\nnetwork: { drop: 0.3, duplicate: 0.5 }\nserver: { quorum: n-f, missing: drop, timeout: 30 }\n',
];

describe('the trace estimate', () => {
  it.each(CASES.map((c) => [c]))('is at least the real trace, and within 2.5× of it: %s', async (text) => {
    const s = parseScenarioText(text, 'limits.yaml');
    let bytes = 0;
    await runScenario(s, { backend: 'ts', sinks: [(line) => void (bytes += line.length + 1)] });
    const p = datasets.resolve({ name: s.data.dataset, params: datasetParams(s.data)[s.data.dataset], options: {} }).params;
    const shape = datasets.get(s.data.dataset)!.shape(p);
    const dim = models.resolveSpec(s.model).def.create({}, shape).dim;
    const estimate = estimateRun(s, shape, dim).trace;
    expect(estimate).toBeGreaterThanOrEqual(bytes);
    expect(estimate).toBeLessThan(2.5 * bytes);
  });
});

describe('the limits', () => {
  it('are what the README says', () => {
    expect(formatBytes(LIMITS.traceBytes)).toBe('512 MiB');
    expect(formatBytes(LIMITS.memoryBytes)).toBe('4 GiB');
    expect(LIMITS.virtualTimeMs).toBe(2 ** 53);
  });

  it('accept the committed scenarios with room to spare', () => {
    const s = parseScenarioText('rounds: 150\nworkers: 10\ndata: { dataset: mnist }\n', 'mnist.yaml');
    const shape = datasets.get('mnist')!.shape(datasetParams(s.data).mnist);
    const e = estimateRun(s, shape, 7850);
    expect(e.memory.total).toBeLessThan(LIMITS.memoryBytes / 4);
    expect(e.trace).toBeLessThan(LIMITS.traceBytes / 100);
    expect(e.work.total).toBeLessThan(LIMITS.work / 100);
  });
});
