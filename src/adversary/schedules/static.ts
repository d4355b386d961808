/**
 * static — the last f workers, n − f … n − 1, in every round (ByzFL's
 * convention: the Byzantine clients are the last ones).
 */
import { defineSchedule } from './types.ts';

const lastF = (n: number, f: number): number[] => Array.from({ length: f }, (_, j) => n - f + j);

export const staticSchedule = defineSchedule({
  name: 'static',
  summary: 'The same f workers in every round: the last ones, n − f … n − 1 (ByzFL’s convention).',
  reference: '—',
  params: {},
  fixed: (_p, n, f) => lastF(n, f),
  create: (_p, { n, f }) => {
    const set = lastF(n, f);
    return () => set.slice();
  },
});
