/** The Byzantine schedules by name (scenario key `byzantine.schedule`). */
import { createRegistry } from '../../registry.ts';
import type { ScheduleContext, ScheduleDefinition, Schedule } from './types.ts';
import { staticSchedule } from './static.ts';
import { rotating } from './rotating.ts';
import { random } from './random.ts';
import { scripted } from './scripted.ts';
import { adaptive } from './adaptive.ts';

export type * from './types.ts';
export { defineSchedule } from './types.ts';

export const schedules = createRegistry<ScheduleDefinition>('schedule', [staticSchedule, rotating, random, scripted, adaptive]);

/** Builds a schedule from its spec; throws SpecError for any mistake in the spec. */
export function createSchedule(spec: string, ctx: ScheduleContext, registry = schedules): Schedule {
  const { def, params, options } = registry.resolveSpec(spec);
  return def.create(params, ctx, options);
}
