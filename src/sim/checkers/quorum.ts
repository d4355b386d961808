/**
 * quorum — the server ends a round only for one of its three reasons: every
 * worker's gradient arrived (`all`), the quorum did (`quorum`), or the timeout
 * passed (`timeout`: server.timeout virtual ms after the round's broadcast,
 * its first `send` of θ). The deadline is computed as the kernel computes the
 * timer's, broadcast time + timeout, so the comparison is exact.
 */
import { SERVER } from '../address.ts';
import { defineChecker } from './types.ts';
import { PerRound, receivedOf } from './rounds.ts';

export const quorum = defineChecker({
  name: 'quorum',
  property:
    'A round ends (`aggregate` or `aggregate-skipped`) only after it was broadcast, and for reason `all` with all n gradients received, ' +
    '`quorum` with at least the quorum received, or `timeout` at virtual time ≥ its broadcast + server.timeout.',
  create: ({ n, quorum: q, timeout }) => {
    const broadcast = new PerRound(() => ({ t: -1 }));
    return (e) => {
      if (e.kind === 'send') {
        if (e.msg === 'model' && e.from === SERVER && e.round !== undefined) {
          const b = broadcast.get(e.round);
          if (b.t < 0) b.t = e.t;
        }
        return undefined;
      }
      if (e.kind !== 'aggregate' && e.kind !== 'aggregate-skipped') return undefined;
      if (e.round === undefined) return `${e.kind} without a round`;
      const start = broadcast.peek(e.round)?.t ?? -1;
      if (start < 0) return `round ${e.round} ends, but θ of round ${e.round} was never broadcast`;
      const received = receivedOf(e.data);
      if (typeof received === 'string') return received;
      const got = new Set(received).size;
      const reason = e.data?.reason;
      switch (reason) {
        case 'all':
          return got === n ? undefined : `reason all with ${got} of n=${n} gradients received`;
        case 'quorum':
          return got >= q ? undefined : `reason quorum with ${got} gradients received, fewer than the quorum ${q}`;
        case 'timeout':
          return e.t >= start + timeout
            ? undefined
            : `reason timeout at t=${e.t}, ${e.t - start} ms after the broadcast at t=${start}; the timeout is ${timeout} ms`;
        default:
          return `reason ${JSON.stringify(reason)} is none of all, quorum, timeout`;
      }
    };
  },
});
