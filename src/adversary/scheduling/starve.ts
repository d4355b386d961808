/**
 * starve(c, share) — the honest gradients of every holder of class c (a
 * worker for which class c makes up at least `share` of its training
 * examples) travel at the maximum delay; the adversary leaves every other
 * message alone. With a timeout below the
 * maximum (or a quorum that the others fill first) those gradients never make
 * the aggregation, and on a label-sorted split the model stops learning class
 * c — without a single corrupted worker (f may be 0).
 */
import { workerIndex } from '../../sim/address.ts';
import { defineScheduling } from './types.ts';

/** The workers for which class c makes up at least `share` of their training examples. */
export function holdersOf(c: number, holdings: readonly (readonly number[])[], share: number): Set<number> {
  const out = new Set<number>();
  holdings.forEach((counts, w) => {
    const total = counts.reduce((a, b) => a + b, 0);
    if (total > 0 && (counts[c] ?? 0) >= share * total) out.add(w);
  });
  return out;
}

export const starve = defineScheduling({
  name: 'starve',
  summary: 'Delays the honest gradients of the holders of class c (at least `share` of their data) to the maximum; leaves every other message alone.',
  reference: '—',
  params: {
    c: { description: 'the class whose holders are starved', default: 0, min: 0, integer: true },
    share: { description: 'a holder has at least this fraction of its training examples in class c', default: 0.05, min: 0, max: 1, exclusiveMin: true },
  },
  create: ({ c, share }, { holdings, isByzantine }) => {
    const starved = holdersOf(c, holdings, share);
    return (m, { max }) => {
      const w = workerIndex(m.from);
      return m.kind === 'gradient' && starved.has(w) && !isByzantine(w) ? max : undefined;
    };
  },
});
