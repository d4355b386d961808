/** scripted — explicit sets for round ranges (`byzantine.script`); rounds not covered have none. */
import { defineSchedule } from './types.ts';

export const scripted = defineSchedule({
  name: 'scripted',
  summary: 'The sets listed in byzantine.script, per range of rounds; rounds not listed have none.',
  reference: '—',
  params: {},
  scripted: true,
  create: (_p, { script }) => (t) => {
    const entry = script.find((e) => t >= e.from && t <= e.to);
    return entry ? [...new Set(entry.workers)].sort((x, y) => x - y) : [];
  },
});
