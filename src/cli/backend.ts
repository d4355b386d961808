/** Which compute backend a run uses: synthetic data always runs on plain TypeScript kernels. */
import { datasetParams, type Scenario } from '../scenario/schema.ts';
import { UserError } from '../errors.ts';
import { selectBackend } from '../learning/backend.ts';
import { alwaysTs } from '../learning/build.ts';
import { datasets } from '../learning/datasets/index.ts';
import { models, modelShape } from '../learning/models/index.ts';

export const BACKENDS = ['auto', 'tfjs-node', 'wasm', 'cpu', 'ts'] as const;

export async function resolveBackend(scenario: Scenario, requested?: string): Promise<{ name: string; note: string }> {
  if (requested !== undefined && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new UsageError(`--backend: must be one of ${BACKENDS.join(', ')} (got "${requested}")`);
  }
  // What runs is what is recorded: generated data runs on the TypeScript kernels whatever was asked for.
  if (alwaysTs(scenario.data.dataset)) {
    const asked = requested === undefined || requested === 'auto' || requested === 'ts' ? '' : `; --backend ${requested} does not apply`;
    return { name: 'ts', note: `${scenario.data.dataset} data: plain TypeScript kernels, no tfjs needed${asked}` };
  }
  // auto: byzsim's own kernels when the model has them — faster here than every tfjs backend (bench:learn), and
  // bit-identical on every machine; tfjs (tfjs-node, else wasm, else cpu) for the models that only it computes.
  if ((requested === undefined || requested === 'auto') && hasTsKernels(scenario)) {
    return { name: 'ts', note: `auto: ${scenario.model} has byzsim's TypeScript kernels (faster than tfjs here, identical on every machine); --backend wasm|cpu|tfjs-node for tfjs` };
  }
  return selectBackend((requested ?? 'auto') as (typeof BACKENDS)[number]);
}

/** Whether the scenario's model has byzsim's own TypeScript kernels for its data. */
function hasTsKernels(scenario: Scenario): boolean {
  try {
    const dataset = datasets.resolveSpec(scenario.data.dataset).def;
    const shape = dataset.shape(datasets.resolve({ name: dataset.name, params: datasetParams(scenario.data)[dataset.name] ?? {}, options: {} }).params);
    const model = models.resolveSpec(scenario.model);
    return model.def.create(model.params, modelShape(shape, scenario.loss)).ts !== undefined;
  } catch {
    return false;
  }
}

/** A mistake in how the command was called: printed without a stack trace. */
export class UsageError extends UserError {}
