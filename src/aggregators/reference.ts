/**
 * A stand-in for the server's trusted gradient (ctx.reference) where none
 * exists: an adversary simulating a rule that scores against it (fltrust)
 * cannot know it — the server's trusted data is private — and the invariant
 * suite has no server. Both give the rule the coordinate-wise median of the
 * vectors it aggregates: computable from what they hold, permutation-invariant,
 * equal to the common input when all are equal, scaled with the inputs, and
 * finite with up to f non-finite inputs. A reference given is kept.
 */
import type { Aggregator } from './types.ts';
import { coordinateMedian } from '../kernels/vector.ts';

export function withMedianReference(rule: Aggregator): Aggregator {
  if (!rule.needsReference) return rule;
  return { ...rule, aggregate: (vectors, ctx) => rule.aggregate(vectors, { ...ctx, reference: ctx.reference ?? coordinateMedian(vectors) }) };
}
