/**
 * rotating — f consecutive workers starting at ((t − 1)·f) mod n, wrapping:
 * every worker is Byzantine in some rounds and honest in others, the
 * time-varying Byzantine set of the resampling paper's threat model.
 */
import { defineSchedule } from './types.ts';

export const rotating = defineSchedule({
  name: 'rotating',
  summary: 'f consecutive workers starting at ((t − 1)·f) mod n, moving every round.',
  reference: '—',
  params: {},
  create: (_p, { n, f }) => (t) => Array.from({ length: f }, (_, j) => ((t - 1) * f + j) % n).sort((x, y) => x - y),
});
