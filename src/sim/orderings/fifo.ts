/** fifo — per (from, to) link, delivery order equals send order: a message is never delivered before an earlier one on its link. */
import { defineOrdering } from './types.ts';

export const fifo = defineOrdering({
  name: 'fifo',
  summary: 'Per (from, to) link, messages are delivered in the order they were sent.',
  reference: '—',
  params: {},
  create: () => {
    const lastDelivery = new Map<string, number>();
    return {
      deliveryTime(m, now, drawDelay) {
        const link = `${m.from}>${m.to}`;
        const at = Math.max(now + drawDelay(), lastDelivery.get(link) ?? 0);
        lastDelivery.set(link, at);
        return at;
      },
    };
  },
});
