/**
 * knowledge — the adversary learns only what its knowledge model allows. It
 * observes (`observe`) only honest gradients — of workers not Byzantine in
 * the gradient's round — none at all under a model that shows nothing
 * (`none`, `partial(k=0)`), and under `partial(k)` those of at most k
 * distinct workers per round; it is handed (`own`) only the gradients of
 * workers it controls in that round. Both go to the adversary only.
 */
import { ADVERSARY } from '../address.ts';
import { defineChecker, type CheckerSetup } from './types.ts';
import { PerRound, workerOf } from './rounds.ts';

/** The most distinct workers per round a model shows, when it bounds them (partial's k). */
function perRound(knowledge: CheckerSetup['knowledge']): number | undefined {
  return knowledge.name === 'partial' ? knowledge.params.k : undefined;
}

export const knowledge = defineChecker({
  name: 'knowledge',
  property:
    '`observe` and `own` events go to the adversary; an `observe` comes from a worker not Byzantine in its round, never under a model ' +
    'that shows nothing, and from at most k distinct workers per round under partial(k); an `own` comes from a worker Byzantine in its round.',
  create: ({ n, knowledge: model }) => {
    const byzantine = new PerRound(() => new Set<number>());
    const observed = new PerRound(() => new Set<number>());
    const k = perRound(model);
    return (e) => {
      switch (e.kind) {
        case 'corrupt': {
          const w = workerOf(e.to, n);
          if (w !== undefined && e.round !== undefined) byzantine.get(e.round).add(w);
          return undefined;
        }
        case 'observe': {
          if (e.to !== ADVERSARY) return `an observation sent to ${JSON.stringify(e.to)}, not to the adversary`;
          const w = workerOf(e.from, n);
          if (w === undefined || e.round === undefined) return `an observation of ${JSON.stringify(e.from)}, not a worker's gradient of a round`;
          if (!model.observes) return `the adversary observed worker ${w}'s gradient of round ${e.round}, but its knowledge model ${model.name} shows no honest gradient`;
          if (byzantine.peek(e.round)?.has(w)) return `the adversary observed worker ${w}'s gradient of round ${e.round}, but worker ${w} is Byzantine in round ${e.round}`;
          const seen = observed.get(e.round);
          seen.add(w);
          if (k !== undefined && seen.size > k) {
            return `the adversary observed ${seen.size} workers' gradients of round ${e.round} (${[...seen].join(', ')}), more than partial's k=${k}`;
          }
          return undefined;
        }
        case 'own': {
          if (e.to !== ADVERSARY) return `an own gradient handed to ${JSON.stringify(e.to)}, not to the adversary`;
          const w = workerOf(e.from, n);
          if (w === undefined || e.round === undefined) return `an own gradient from ${JSON.stringify(e.from)}, not a worker's of a round`;
          if (!byzantine.peek(e.round)?.has(w)) return `worker ${w} handed its gradient of round ${e.round} to the adversary, but it is honest in round ${e.round}`;
          return undefined;
        }
        default:
          return undefined;
      }
    };
  },
});
