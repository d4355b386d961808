/**
 * static — the last f workers, n − f … n − 1, in every round (ByzFL's
 * convention: the Byzantine clients are the last ones).
 */
import { defineSchedule } from './types.ts';

export const staticSchedule = defineSchedule({
  name: 'static',
  summary: 'The same f workers in every round: the last ones, n − f … n − 1 (ByzFL’s convention).',
  reference: '—',
  params: {},
  create: (_p, { n, f }) => {
    const set = Array.from({ length: f }, (_, j) => n - f + j);
    return () => set.slice();
  },
});
