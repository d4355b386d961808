/**
 * partial(k) — the adversary sees the gradients of k honest workers, drawn
 * afresh each round from its stream (MixTailor's partially informed
 * adversary, §5 and Appendix A.1.2).
 */
import { defineKnowledge } from './types.ts';

export const partial = defineKnowledge({
  name: 'partial',
  summary: 'Sees the gradients of k honest workers, drawn afresh each round from the adversary’s stream.',
  reference: 'Ramezani-Kebrya et al., MixTailor, TMLR 2022 (partial knowledge, Appendix A.1.2)',
  params: { k: { description: 'honest workers observed per round', default: 3, min: 0, integer: true } },
  observes: ({ k }) => k > 0,
  check: ({ k }, { n, f, observing }) => {
    if (k > n - f) return `k must be ≤ n − f = ${n - f} honest workers (k=${k}, n=${n}, f=${f})`;
    if (k === 0 && observing) return 'k must be ≥ 1: the attack observes honest gradients';
    return undefined;
  },
  create: ({ k }) => ({
    watch: (honest, rng) => rng.sample(honest.length, Math.min(k, honest.length)).map((j) => honest[j]),
  }),
});
