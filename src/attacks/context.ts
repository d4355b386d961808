/**
 * An attack context from its essential parts, the rest filled as the runner
 * would fill it for an omniscient adversary with nothing else granted: for
 * calling attacks outside a simulation (`byzsim attack`, tests, benchmarks).
 */
import type { AttackContext } from './types.ts';

export type ContextParts = Pick<AttackContext, 'observed' | 'theta' | 'n' | 'f' | 'round' | 'rng'> & Partial<AttackContext>;

export function attackContext(parts: ContextParts): AttackContext {
  const { n, f } = parts;
  return {
    observedFrom: parts.observed.map((_, i) => i),
    own: [],
    byzantine: Array.from({ length: f }, (_, j) => n - f + j),
    history: [],
    tolerated: f,
    ...parts,
  };
}
