/** The scheduling strategies by name (scenario key `adversary.scheduling`, under `network.ordering: adversarial`). */
import { createRegistry } from '../../registry.ts';
import type { SchedulingDefinition } from './types.ts';
import { rushAndStall } from './rush-and-stall.ts';
import { starve } from './starve.ts';
import { reorder } from './reorder.ts';

export type * from './types.ts';
export { defineScheduling } from './types.ts';
export { holdersOf } from './starve.ts';

export const schedulingStrategies = createRegistry<SchedulingDefinition>('scheduling strategy', [rushAndStall, starve, reorder]);
