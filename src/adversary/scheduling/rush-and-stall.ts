/**
 * rush-and-stall — the Byzantine gradients and the broadcasts travel at the
 * minimum delay, every honest gradient at the maximum: with a quorum below n
 * the server fills its quorum with the Byzantine vectors first and leaves out
 * the slowest honest ones, and with a timeout below the maximum the honest
 * ones miss it.
 */
import { workerIndex } from '../../sim/address.ts';
import { defineScheduling } from './types.ts';

export const rushAndStall = defineScheduling({
  name: 'rush-and-stall',
  summary: 'Byzantine gradients and broadcasts at the minimum delay, honest gradients at the maximum.',
  reference: '—',
  params: {},
  create: (_p, { isByzantine }) => (m, { min, max }) => {
    const w = workerIndex(m.from);
    if (m.kind === 'gradient' && w >= 0 && !isByzantine(w)) return max;
    return min;
  },
});
