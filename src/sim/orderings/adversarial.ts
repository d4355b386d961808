/**
 * adversarial — the adversary picks each message's delay within
 * `network.adversarialDelay` [min, max] (clamped there); a message it
 * declines, or every message while no adversary plays, gets an independent
 * delay drawn as under `random`.
 */
import type { DelayChooser } from '../network.ts';
import { defineOrdering } from './types.ts';

export const adversarial = defineOrdering({
  name: 'adversarial',
  summary: 'The adversary chooses each delay within network.adversarialDelay; declined messages are drawn as under random.',
  reference: '—',
  params: {},
  adversarial: true,
  create: (_p, { adversarialDelay: bounds }) => {
    let chooser: DelayChooser | undefined;
    return {
      setDelayChooser(c) {
        chooser = c;
      },
      deliveryTime(m, now, drawDelay) {
        const chosen = chooser?.(m, bounds);
        return now + (chosen === undefined ? drawDelay() : Math.min(bounds.max, Math.max(bounds.min, chosen)));
      },
    };
  },
});
