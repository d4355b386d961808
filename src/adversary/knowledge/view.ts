/**
 * The adversary's view: the honest gradients, as they are sent to the
 * server, of the workers its knowledge model watched in the gradient's own
 * round (a gradient sent after the next round began counts against the
 * round it belongs to, not the next one's draw). One RxJS operator over the
 * network's `sent$` stream.
 */
import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { Message } from '../../sim/network.ts';
import { SERVER, workerIndex } from '../../sim/address.ts';

export function watchedGradients(
  isByzantine: (worker: number) => boolean,
  isWatched: (worker: number, round: number) => boolean,
): MonoTypeOperatorFunction<Message> {
  return filter((m) => {
    if (m.kind !== 'gradient' || m.to !== SERVER) return false;
    const w = workerIndex(m.from);
    return w >= 0 && !isByzantine(w) && isWatched(w, m.round);
  });
}
