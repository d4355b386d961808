/**
 * Adversarial scheduling (network ordering `adversarial`): the adversary picks
 * each message's delay within the network's [min, max]. Its policy, "rush and
 * stall": the Byzantine gradients and the broadcasts travel at the minimum
 * delay, every honest gradient at the maximum, so with a quorum below n the
 * server fills its quorum with the Byzantine vectors first and drops the
 * slowest honest ones, and with a timeout below max the honest ones miss it.
 */
import type { DelayChooser } from '../sim/network.ts';
import { workerIndex } from '../sim/address.ts';

export function rushAndStall(isByzantine: (worker: number) => boolean): DelayChooser {
  return (m, { min, max }) => {
    const w = workerIndex(m.from);
    if (m.kind === 'gradient' && w >= 0 && !isByzantine(w)) return max;
    return min;
  };
}
