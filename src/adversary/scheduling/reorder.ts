/**
 * reorder — within each round, the honest gradients arrive in the reverse of
 * the order they were sent: the k-th sent of the round is given the delay
 * max − (k mod n)·(max − min)/n, so the first sent arrives last (as far as
 * the bounds allow); Byzantine gradients and broadcasts travel at the
 * minimum. It tests that nothing in a rule or the protocol depends on arrival
 * order.
 */
import { workerIndex } from '../../sim/address.ts';
import { defineScheduling } from './types.ts';

export const reorder = defineScheduling({
  name: 'reorder',
  summary: 'Honest gradients of a round arrive in the reverse of their send order; the rest at the minimum delay.',
  reference: '—',
  params: {},
  create: (_p, { n, isByzantine }) => {
    let round = -1;
    let k = 0;
    return (m, { min, max }) => {
      const w = workerIndex(m.from);
      if (m.kind !== 'gradient' || w < 0 || isByzantine(w)) return min;
      if (m.round !== round) {
        round = m.round;
        k = 0;
      }
      return max - ((k++ % n) * (max - min)) / n;
    };
  },
});
