/**
 * random-eps — MixTailor's random attack: a tailored attack with ε drawn afresh each round.
 *
 *   ε_t ~ uniform over the set E,   every Byzantine vector = −ε_t · ḡ
 *
 * ḡ as in tailored.ts (`direction=mean`, the observed honest mean, by
 * default; `direction=rule`, the server's rule on the unattacked round).
 * E defaults to {0.1, 10}, the small ε aimed at Krum and the large one at
 * comed (MixTailor Fig. 4a). One draw per round in which the adversary
 * crafts, `rng.int(|E|)` from the adversary's stream (also when it observed
 * nothing and sends zeros, so that the draws follow the rounds only): the
 * sequence of ε is fixed by the seed.
 *
 * Reference: Ramezani-Kebrya, Madden, Faghri, Arjevani, MixTailor: Mixed
 * Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR
 * 2022 (§5, "random-ε attack", Fig. 4a).
 */
import { SpecError, splitList } from '../spec.ts';
import { directionOption, tailoredNeeds, tailoredVectors } from './tailored.ts';
import { defineAttack } from './define.ts';

function parseSet(text: string): number[] {
  const parts = text.trim().startsWith('[') ? splitList(text) : [];
  const values = parts.map((p) => (p === '' ? NaN : Number(p)));
  if (values.length === 0 || values.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new SpecError(`parameter 'eps' of random-eps must be a [list] of numbers ≥ 0, e.g. [0.1, 10] (got ${text})`);
  }
  return values;
}

export const randomEps = defineAttack({
  name: 'random-eps',
  summary: 'Each round ε is drawn from a set ({0.1, 10} by default); each Byzantine worker sends −ε × the unattacked direction.',
  reference: 'Ramezani-Kebrya et al., MixTailor: Mixed Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR 2022',
  options: {
    eps: { description: 'the set ε is drawn from, uniformly each round, e.g. [0.1, 10]', default: '[0.1, 10]' },
    direction: directionOption,
  },
  setup: ({ eps, direction }) => ({ set: parseSet(eps), direction }),
  canonical: ({ set, direction }) => ({ eps: `[${set.join(', ')}]`, direction }),
  needs: (setup) => tailoredNeeds(setup),
  craft(ctx, { set, direction }) {
    const eps = set[ctx.rng.int(set.length)];
    return tailoredVectors(ctx, eps, direction);
  },
});
