/**
 * byzantine-bound — the adversary controls at most f workers in each round.
 * The `corrupt` events of a round name the workers it controls in it.
 */
import { defineChecker } from './types.ts';
import { PerRound, workerOf } from './rounds.ts';

export const byzantineBound = defineChecker({
  name: 'byzantine-bound',
  property: 'In every round, the `corrupt` events name workers of [0, n), at most f distinct ones.',
  create: ({ n, f }) => {
    const byzantine = new PerRound(() => new Set<number>());
    return (e) => {
      if (e.kind !== 'corrupt') return undefined;
      const w = workerOf(e.to, n);
      if (w === undefined) return `corrupt names ${JSON.stringify(e.to)}, not a worker of [0, ${n})`;
      if (e.round === undefined) return 'a corrupt event without a round';
      const set = byzantine.get(e.round);
      set.add(w);
      if (set.size > f) return `round ${e.round} has ${set.size} Byzantine workers (${[...set].join(', ')}), more than f=${f}`;
      return undefined;
    };
  },
});
