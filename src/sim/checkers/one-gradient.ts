/**
 * one-gradient — the server takes at most one gradient per worker per round,
 * and only one that reached it: a round ends once (`aggregate` or
 * `aggregate-skipped`), its `received` list has no repeats, and each worker
 * in it had a gradient of that round delivered to the server (`deliver` or
 * `duplicate`) that the server did not refuse as malformed.
 */
import { SERVER } from '../address.ts';
import { defineChecker } from './types.ts';
import { PerRound, receivedOf, workerOf } from './rounds.ts';

export const oneGradient = defineChecker({
  name: 'one-gradient',
  property:
    'Each round ends at most once (`aggregate` or `aggregate-skipped`); its `received` lists workers of [0, n) without repeats, ' +
    'each with a gradient of that round delivered to the server and not ignored as malformed.',
  create: ({ n }) => {
    /** Per round and worker: gradients delivered to the server, less those it refused as malformed. */
    const usable = new PerRound(() => new Map<number, number>());
    const ended = new PerRound(() => ({ at: -1 }));
    const count = (round: number | undefined, from: string | undefined, by: number) => {
      const w = workerOf(from, n);
      if (round === undefined || w === undefined) return;
      const m = usable.get(round);
      m.set(w, (m.get(w) ?? 0) + by);
    };
    return (e) => {
      switch (e.kind) {
        case 'deliver':
        case 'duplicate':
          if (e.msg === 'gradient' && e.to === SERVER) count(e.round, e.from, 1);
          return undefined;
        case 'ignore':
          if (e.data?.reason === 'malformed') count(e.round, e.from, -1);
          return undefined;
        case 'aggregate':
        case 'aggregate-skipped': {
          if (e.round === undefined) return `${e.kind} without a round`;
          const end = ended.get(e.round);
          if (end.at >= 0) return `round ${e.round} ends twice: it already ended at event ${end.at}`;
          end.at = e.seq;
          const received = receivedOf(e.data);
          if (typeof received === 'string') return received;
          const seen = new Set<number>();
          const got = usable.peek(e.round);
          for (const w of received) {
            if (w < 0 || w >= n) return `received names worker ${w}, not a worker of [0, ${n})`;
            if (seen.has(w)) return `worker ${w}'s gradient is taken twice in round ${e.round} (received ${JSON.stringify(received)})`;
            seen.add(w);
            if (!((got?.get(w) ?? 0) > 0)) return `worker ${w}'s gradient of round ${e.round} is taken, but none was delivered to the server (or it was malformed)`;
          }
          return undefined;
        }
        default:
          return undefined;
      }
    };
  },
});
