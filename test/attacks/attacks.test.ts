/**
 * The attacks' contract, checked for every registered attack the moment it is
 * registered (the registry is iterated), and the tests of alie, signflip, ipm
 * and gaussian. The other attacks have their own files: payloads, mimic,
 * nmattack, tailored, minmax and partial knowledge.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { alieVector, alieZmax, attackContext, attacks, createAttack, inverseNormalCdf } from '../../src/attacks/index.ts';
import type { Attack, AttackContext } from '../../src/attacks/types.ts';
import { createAggregator } from '../../src/aggregators/index.ts';
import { createRng } from '../../src/sim/rng.ts';
import { context, v } from './fixtures.ts';

describe('inverseNormalCdf', () => {
  it('matches known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 12);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959963985, 7);
    expect(inverseNormalCdf(0.96)).toBeCloseTo(1.750686071, 7);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326347874, 7);
    expect(inverseNormalCdf(1 - 1e-6)).toBeCloseTo(4.753424309, 6);
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1)).toBe(Infinity);
  });
  it('is odd around 1/2', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 0.5, noNaN: true }), (p) => {
        expect(inverseNormalCdf(1 - p)).toBeCloseTo(-inverseNormalCdf(p), 6);
      }),
    );
  });
});

describe('alie', () => {
  it('uses the paper’s z_max: n = 50, f = 24 gives s = 2 and z = Φ⁻¹(0.96)', () => {
    expect(alieZmax(50, 24)).toBeCloseTo(1.7507, 4);
    // n = 10, f = 2: s = 6 − 2 = 4, z = Φ⁻¹(0.6) ≈ 0.2533.
    expect(alieZmax(10, 2)).toBeCloseTo(0.253347, 5);
  });
  it('clamps s to 1 when the Byzantine workers are a majority', () => {
    expect(Number.isFinite(alieZmax(10, 8))).toBe(true);
    expect(alieZmax(10, 8)).toBeCloseTo(inverseNormalCdf(0.9), 12);
  });
  it('sends μ − z·σ with the unbiased σ', () => {
    // Coordinate 0: μ = 2, σ = 1; coordinate 1: μ = 0, σ = 2.
    expect(alieVector([v(1, -2), v(2, 0), v(3, 2)], 1.5)).toEqual(v(0.5, -3));
    const [x] = createAttack('alie(z=1.5)').craft(context([v(1, -2), v(2, 0), v(3, 2)], 1, 5));
    expect(x).toEqual(v(0.5, -3));
  });
  it('property: per coordinate it is μ − zσ of what it saw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 7 }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        (rows, z) => {
          const observed = rows.map((r) => Float32Array.from(r));
          const [x] = createAttack(`alie(z=${z})`).craft(context(observed, 1, observed.length + 3));
          for (let j = 0; j < 3; j++) {
            const col = observed.map((g) => g[j]);
            const mu = col.reduce((a, b) => a + b, 0) / col.length;
            const sigma = Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / (col.length - 1));
            expect(Math.abs(x[j] - (mu - z * sigma))).toBeLessThanOrEqual(1e-5 * (10 + z * sigma));
          }
        },
      ),
    );
  });
  describe('z: absent is z_max(n, f), 0 is the mean, any other as given', () => {
    // Coordinate 0: μ = 2, σ = 1; coordinate 1: μ = 0, σ = 2 (unbiased). n = 10, f = 2: z_max = Φ⁻¹(0.6) ≈ 0.2533.
    const seen = [v(1, -2), v(2, 0), v(3, 2)];
    const craft = (spec: string) => createAttack(spec).craft(context(seen, 2, 10));

    it('absent: the paper’s z_max(n, f), and the canonical spec leaves z out', () => {
      const z = alieZmax(10, 2);
      expect(z).toBeGreaterThan(0.25);
      for (const x of craft('alie')) expect(x).toEqual(Float32Array.of(2 - z, -2 * z));
      expect(createAttack('alie').spec).toBe('alie');
    });

    it('z = 0: the mean of what it saw, not z_max', () => {
      expect(craft('alie(z=0)')).toEqual([v(2, 0), v(2, 0)]);
      expect(createAttack('alie(z=0)').spec).toBe('alie(z=0)');
    });

    it('z given: as given, of either sign (the DP paper’s ḡ − 1.5σ is z = 1.5)', () => {
      expect(craft('alie(z=1.5)')).toEqual([v(0.5, -3), v(0.5, -3)]);
      expect(craft('alie(z=-1.5)')).toEqual([v(3.5, 3), v(3.5, 3)]);
    });

    it('ByzFL’s ALittleIsEnough(τ) = μ + τσ is alie(z=−τ): its docstring example', () => {
      // byzfl/attacks/attacks.py: ALittleIsEnough(1.5) on [[1,2,3],[4,5,6],[7,8,9]] gives [8.5, 9.5, 10.5].
      const [x] = createAttack('alie(z=-1.5)').craft(context([v(1, 2, 3), v(4, 5, 6), v(7, 8, 9)], 1, 4));
      expect(x).toEqual(v(8.5, 9.5, 10.5));
    });
  });
});

describe('signflip and ipm', () => {
  const observed = [v(1, 2, 3), v(3, 2, 1)];
  it('signflip sends −scale × the observed mean', () => {
    expect(createAttack('signflip').craft(context(observed, 2, 5))).toEqual([v(-2, -2, -2), v(-2, -2, -2)]);
    expect(createAttack('signflip(scale=3)').craft(context(observed, 1, 5))).toEqual([v(-6, -6, -6)]);
  });
  it('ipm sends −ε × the observed mean', () => {
    expect(createAttack('ipm(eps=0.5)').craft(context(observed, 1, 5))).toEqual([v(-1, -1, -1)]);
    expect(createAttack('ipm').craft(context(observed, 1, 5))[0][0]).toBeCloseTo(-0.2, 6);
  });
});

describe('gaussian', () => {
  it('draws N(0, σ²) coordinates from the adversary stream only', () => {
    const xs = createAttack('gaussian(sigma=2)').craft(context([], 4, 10));
    const all = xs.flatMap((x) => Array.from(x));
    expect(new Set(all).size).toBe(all.length);
    expect(createAttack('gaussian(sigma=2)').craft(context([], 4, 10, {}, 2))).not.toEqual(xs);
    const big = createAttack('gaussian(sigma=2)').craft({ ...context([], 1, 10), theta: new Float32Array(20_000) })[0];
    const m = big.reduce((s, x) => s + x, 0) / big.length;
    const sd = Math.sqrt(big.reduce((s, x) => s + (x - m) ** 2, 0) / big.length);
    expect(Math.abs(m)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});

/** The attacks whose purpose is a non-finite payload. */
const NON_FINITE = new Set(['inf', 'nan']);

interface Case {
  f: number;
  d: number;
  seed: number;
  /** Honest workers not observed (partial knowledge). */
  unseen: number;
  observed: Float32Array[];
  own: Float32Array[];
}

const cases: fc.Arbitrary<Case> = fc
  .record({ f: fc.integer({ min: 0, max: 4 }), k: fc.integer({ min: 0, max: 6 }), d: fc.integer({ min: 1, max: 12 }), unseen: fc.integer({ min: 0, max: 3 }), seed: fc.nat() })
  .chain(({ f, k, d, unseen, seed }) => {
    const vector = fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: d, maxLength: d }).map((a) => Float32Array.from(a));
    return fc.record({
      f: fc.constant(f),
      d: fc.constant(d),
      seed: fc.constant(seed),
      unseen: fc.constant(unseen),
      observed: fc.array(vector, { minLength: k, maxLength: k }),
      own: fc.array(vector, { minLength: f, maxLength: f }),
    });
  });

/**
 * What the runner would give `attack` in such a round: n = 2f + k + unseen + 1
 * (an honest majority), its own workers' gradients and a private rule (`cwtm`)
 * when it needs them.
 */
function roundFor(attack: Attack, s: Case): AttackContext {
  const rule = attack.needs.rule ? createAggregator('cwtm') : undefined;
  const wantsOwn = attack.needs.own || attack.needs.labels !== undefined;
  return attackContext({
    observed: s.observed,
    theta: new Float32Array(s.d),
    n: 2 * s.f + s.observed.length + s.unseen + 1,
    f: s.f,
    round: 3,
    rng: createRng(s.seed, 'adversary'),
    own: wantsOwn ? s.own : [],
    ...(rule ? { rule, pool: [rule] } : {}),
  });
}

describe.each(attacks.names())('contract: %s', (name) => {
  const fresh = (): Attack => createAttack(name);
  const runs = { numRuns: 40 };

  it('returns exactly f vectors of the model dimension, distinct arrays, deterministic per seed, without touching its inputs', () => {
    fc.assert(
      fc.property(cases, (s) => {
        const copy = s.observed.map((g) => g.slice());
        const out = fresh().craft(roundFor(fresh(), s));
        expect(out).toHaveLength(s.f);
        for (const x of out) {
          expect(x).toBeInstanceOf(Float32Array);
          expect(x).toHaveLength(s.d);
          if (!NON_FINITE.has(name)) expect(x.every(Number.isFinite)).toBe(true);
        }
        expect(new Set(out).size).toBe(out.length);
        expect(s.observed).toEqual(copy);
        expect(fresh().craft(roundFor(fresh(), s))).toEqual(out);
      }),
      runs,
    );
  });

  const { needs } = fresh();
  if (needs.honest) {
    it('sends zero vectors when it needs observations and has none', () => {
      const attack = fresh();
      const rule = needs.rule ? createAggregator('cwtm') : undefined;
      expect(attack.craft(context([], 2, 7, rule ? { rule, pool: [rule] } : {}))).toEqual([new Float32Array(3), new Float32Array(3)]);
    });
  } else {
    it('does not read honest gradients: what it would observe does not change what it sends', () => {
      fc.assert(
        fc.property(cases, (s) => {
          const blind = { ...s, observed: [] };
          expect(fresh().craft(roundFor(fresh(), s))).toEqual(fresh().craft(roundFor(fresh(), blind)));
        }),
        runs,
      );
    });
  }
});

describe('what the attacks declare they need', () => {
  it('the payloads are blind, bitflip uses its own workers, the heterogeneity and distance attacks observe', () => {
    const needs = (spec: string) => createAttack(spec).needs;
    for (const spec of ['inf', 'nan', 'zero', 'largenorm', 'gaussian']) expect(needs(spec)).toEqual({});
    expect(needs('bitflip')).toEqual({ own: true });
    for (const spec of ['mimic', 'mimic(i=2)', 'mimic2', 'nmattack', 'tailored', 'random-eps', 'minmax', 'minsum', 'ipm', 'foe']) {
      expect(needs(spec)).toEqual({ honest: true });
    }
  });
  it('tailored and random-eps need the server’s rule only when their direction is the rule’s', () => {
    expect(createAttack('tailored(direction=rule)').needs).toEqual({ honest: true, rule: 'rule' });
    expect(createAttack('random-eps(direction=rule)').needs).toEqual({ honest: true, rule: 'rule' });
    expect(attacks.get('tailored')!.needs).toEqual({ honest: true });
  });
});
