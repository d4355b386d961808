/**
 * Learning-rate schedules (scenario key `optimizer.schedule`): the factor
 * η_t / η the server's step t (from 1) is taken with.
 *
 *   constant            η_t = η
 *   step(every, gamma)  η_t = η · γ^⌊(t − 1) / every⌋   (PyTorch's StepLR, stepped once per round)
 *   inverse-sqrt        η_t = η / √t                     (the O(1/√t) rate of the SGD analyses)
 */
import { createRegistry, type Variant } from '../registry.ts';

export interface LrScheduleDefinition extends Variant {
  create(params: Record<string, number>): (round: number) => number;
}

const defineLrSchedule = (def: LrScheduleDefinition): LrScheduleDefinition => def;

export const constant = defineLrSchedule({
  name: 'constant',
  summary: 'The same learning rate in every round.',
  reference: '—',
  params: {},
  create: () => () => 1,
});

export const step = defineLrSchedule({
  name: 'step',
  summary: 'The learning rate multiplied by gamma every `every` rounds (PyTorch’s StepLR).',
  reference: '—',
  params: {
    every: { description: 'rounds between two decays', default: 100, min: 1, integer: true },
    gamma: { description: 'the factor of each decay', default: 0.1, min: 0, max: 1, exclusiveMin: true },
  },
  create: ({ every, gamma }) => (round) => gamma ** Math.floor((round - 1) / every),
});

export const inverseSqrt = defineLrSchedule({
  name: 'inverse-sqrt',
  summary: 'η/√t in round t.',
  reference: '—',
  params: {},
  create: () => (round) => 1 / Math.sqrt(round),
});

export const lrSchedules = createRegistry<LrScheduleDefinition>('learning-rate schedule', [constant, step, inverseSqrt]);

/** The factor function of a schedule spec (`step(every=200, gamma=0.5)`); SpecError for a bad spec. */
export function createLrSchedule(spec: string): (round: number) => number {
  const { def, params } = lrSchedules.resolveSpec(spec);
  return def.create(params);
}
