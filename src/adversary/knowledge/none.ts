/** none — the adversary sees no honest gradient (it still sees the public broadcast of θ_t). */
import { defineKnowledge } from './types.ts';

export const none = defineKnowledge({
  name: 'none',
  summary: 'Sees no honest gradient, only the public broadcast of θ_t.',
  reference: '—',
  params: {},
  observes: () => false,
  create: () => ({ watch: () => [] }),
});
