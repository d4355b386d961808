/** MixTailor's tailored and random-ε attacks, and ipm's `foe` alias. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAttack, withStandIns } from '../../src/attacks/index.ts';
import { createAggregator } from '../../src/aggregators/index.ts';
import { SpecError } from '../../src/spec.ts';
import { context, gradients, mean64, near, scaleOf } from './fixtures.ts';

const eps = fc.double({ min: 0, max: 20, noNaN: true });

describe('tailored', () => {
  it('sends −ε × the mean of the honest gradients it saw, the very vector ipm(eps) sends', () => {
    fc.assert(
      fc.property(gradients({ min: 1, max: 7 }, { min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), eps, (observed, f, e) => {
        const ctx = context(observed, f, observed.length + 2 * f + 1);
        const out = createAttack(`tailored(eps=${e})`).craft(ctx);
        const expected = Array.from(mean64(observed), (m) => -e * m);
        for (const x of out) expect(near(x, expected, 1e-6 * (1 + e) * (1 + scaleOf(observed)))).toBe(true);
        expect(out).toEqual(createAttack(`ipm(eps=${e})`).craft(ctx));
      }),
    );
  });

  it('direction=rule sends −ε × the server’s rule on the unattacked round: the seen, then their mean for the n − k others', () => {
    fc.assert(
      fc.property(
        gradients({ min: 1, max: 6 }, { min: 1, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        eps,
        fc.constantFrom('cwmed', 'cwtm', 'krum', 'geomed'),
        (observed, f, unseen, e, spec) => {
          const n = Math.max(observed.length + unseen + f, 2 * f + 3);
          const rule = createAggregator(spec);
          const [x] = createAttack(`tailored(eps=${e}, direction=rule)`).craft(context(observed, f, n, { rule }));
          const unattacked = [...observed, ...Array.from({ length: n - observed.length }, () => Float32Array.from(mean64(observed)))];
          const g = createAggregator(spec).aggregate(unattacked, { f }).aggregate;
          expect(near(x, Array.from(g, (c) => -e * c), 1e-5 * (1 + e) * (1 + scaleOf(observed)))).toBe(true);
        },
      ),
    );
  });

  it('against the mean, both directions agree', () => {
    fc.assert(
      fc.property(gradients({ min: 1, max: 6 }, { min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }), (observed, unseen) => {
        const ctx = context(observed, 1, observed.length + unseen + 1, { rule: createAggregator('mean') });
        const [a] = createAttack('tailored(eps=3, direction=rule)').craft(ctx);
        const [b] = createAttack('tailored(eps=3)').craft(ctx);
        expect(near(a, b, 1e-5 * (1 + scaleOf(observed)))).toBe(true);
      }),
    );
  });

  it('direction=rule without the rule is a mistake, said in words', () => {
    expect(() => createAttack('tailored(direction=rule)').craft(context([new Float32Array(2)], 1, 5))).toThrow(/adversary.knows: rule/);
  });
});

describe('random-eps', () => {
  const observed = [Float32Array.from([1, -2, 4]), Float32Array.from([3, 0, 2])];
  /** ε of each round, read back from −ε·ḡ (ḡ = (2, −1, 3)). */
  const epsOf = (x: Float32Array) => -x[0] / 2;

  it('draws ε each round only from its set, and sends −ε × the observed mean', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 4 }), fc.nat(), (values, seed) => {
        const set = values.map((x) => x / 10);
        const attack = createAttack(`random-eps(eps=[${set.join(', ')}])`);
        for (let round = 1; round <= 20; round++) {
          const [x] = attack.craft(context(observed, 1, 5, { round }, seed));
          const e = epsOf(x);
          expect(set.some((s) => Math.abs(s - e) <= 1e-6 * (1 + s))).toBe(true);
          expect(near(x, [-2 * e, e, -3 * e], 1e-5 * (1 + e))).toBe(true);
        }
      }),
    );
  });

  it('is deterministic per seed, and by default draws both 0.1 and 10', () => {
    const sequence = (seed: number) => {
      const attack = createAttack('random-eps');
      const rng = context(observed, 1, 5, {}, seed).rng;
      return Array.from({ length: 60 }, (_, t) => epsOf(attack.craft(context(observed, 1, 5, { round: t + 1, rng }))[0]));
    };
    const a = sequence(4);
    expect(sequence(4)).toEqual(a);
    expect(new Set(a.map((e) => Math.round(e * 10) / 10))).toEqual(new Set([0.1, 10]));
    expect(sequence(5)).not.toEqual(a);
  });

  it('draws once per round also when it saw nothing, so the draws follow the rounds', () => {
    const rng = context(observed, 1, 5, {}, 9).rng;
    const skipping = createAttack('random-eps');
    skipping.craft(context([], 1, 5, { rng }));
    const third = epsOf(skipping.craft(context(observed, 1, 5, { rng }))[0]);
    const rng2 = context(observed, 1, 5, {}, 9).rng;
    const plain = createAttack('random-eps');
    plain.craft(context(observed, 1, 5, { rng: rng2 }));
    expect(epsOf(plain.craft(context(observed, 1, 5, { rng: rng2 }))[0])).toBe(third);
  });

  it('prints its set canonically and refuses a set that is not a list of numbers ≥ 0', () => {
    expect(createAttack('random-eps').spec).toBe('random-eps(eps=[0.1, 10], direction=mean)');
    expect(createAttack('random-eps(eps=[1,2.5])').spec).toBe('random-eps(eps=[1, 2.5], direction=mean)');
    for (const bad of ['random-eps(eps=[])', 'random-eps(eps=[1, x])', 'random-eps(eps=[-1])', 'random-eps(eps=small)']) {
      expect(() => createAttack(bad)).toThrow(SpecError);
    }
  });
});

describe('foe', () => {
  it('is ipm by its Fall-of-Empires name: same vectors, canonical spec ipm', () => {
    const observed = [Float32Array.from([1, 2]), Float32Array.from([3, 6])];
    expect(createAttack('foe(eps=2)').spec).toBe('ipm(eps=2)');
    expect(createAttack('foe(eps=2)').craft(context(observed, 2, 6))).toEqual(createAttack('ipm(eps=2)').craft(context(observed, 2, 6)));
  });
});

describe('withStandIns', () => {
  it('fills the unattacked round to n with the mean of the seen', () => {
    const s = withStandIns([Float32Array.from([1]), Float32Array.from([3])], 5)!;
    expect(s.vectors.map((x) => x[0])).toEqual([1, 3, 2, 2, 2]);
  });
});
