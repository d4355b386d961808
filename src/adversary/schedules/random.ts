/** random — f workers drawn afresh each round from the adversary's stream. */
import { defineSchedule } from './types.ts';

export const random = defineSchedule({
  name: 'random',
  summary: 'f workers drawn afresh each round from the adversary’s stream.',
  reference: '—',
  params: {},
  create: (_p, { n, f, rng }) => () => rng.sample(n, f).sort((x, y) => x - y),
});
