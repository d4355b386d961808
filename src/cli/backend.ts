/** Which compute backend a run uses: synthetic data always runs on plain TypeScript kernels. */
import type { Scenario } from '../scenario/schema.ts';
import { UserError } from '../errors.ts';
import { selectBackend } from '../learning/backend.ts';
import { alwaysTs } from '../learning/build.ts';

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
  return selectBackend((requested ?? 'auto') as (typeof BACKENDS)[number]);
}

/** A mistake in how the command was called: printed without a stack trace. */
export class UsageError extends UserError {}
