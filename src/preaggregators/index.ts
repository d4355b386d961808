/**
 * The pre-aggregators by name (for `byzsim list` and composition specs such
 * as `nnm > krum`), and construction from one parsed spec stage.
 */
import type { PreAggregator, PreAggregatorDefinition } from './types.ts';
import type { SpecStage } from '../spec.ts';
import { createRegistry, type Registry } from '../registry.ts';
import { arc } from './arc.ts';
import { bucketing } from './bucketing.ts';
import { clip } from './clip.ts';
import { nnm } from './nnm.ts';
import { resample } from './resample.ts';
import { resampleWr } from './resample-wr.ts';

export { nnm, nnmApply } from './nnm.ts';
export { bucketing, bucketingApply } from './bucketing.ts';
export { resample, resampleApply, resampleIndices } from './resample.ts';
export { resampleWr, resampleWrApply, expectedTouched } from './resample-wr.ts';
export { clip, clipApply, clipTo } from './clip.ts';
export { arc, arcApply, arcClipCount } from './arc.ts';
export { defineStage, anyCount, type StageDeclaration, type StageTransform } from './define.ts';
export type * from './types.ts';

export const preaggregators: Registry<PreAggregatorDefinition> = createRegistry('pre-aggregator', [
  nnm,
  bucketing,
  resample,
  resampleWr,
  clip,
  arc,
]);

/** Builds a pre-aggregator from one spec stage; throws SpecError for any mistake. */
export function createPreAggregator(stage: SpecStage, registry: Registry<PreAggregatorDefinition> = preaggregators): PreAggregator {
  const { def, params, options } = registry.resolve(stage);
  return def.create(params, options);
}
