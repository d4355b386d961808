/** omniscient — the adversary sees every honest gradient of the round (the usual threat model of the field). */
import { defineKnowledge } from './types.ts';

export const omniscient = defineKnowledge({
  name: 'omniscient',
  summary: 'Sees every honest gradient of the round.',
  reference: 'Blanchard et al., NeurIPS 2017 (the omniscient adversary)',
  params: {},
  observes: () => true,
  create: () => ({ watch: (honest) => honest }),
});
