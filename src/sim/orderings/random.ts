/** random — every message's delay is drawn independently, so messages on one link may overtake each other. */
import { defineOrdering } from './types.ts';

export const random = defineOrdering({
  name: 'random',
  summary: 'Independent delays: messages on a link may overtake each other.',
  reference: '—',
  params: {},
  create: () => ({ deliveryTime: (_m, now, drawDelay) => now + drawDelay() }),
});
