/** The harness can fail: wrong rules and understated κ are rejected, and the lower-bound input is the witness it claims to be. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveDefinition, resolveSpec } from '../../src/invariants/catalog.ts';
import { kappaLowerBound, publishedKappa, type KappaEntry } from '../../src/invariants/kappa.ts';
import { lowerBoundCases, lowerBoundRatios } from '../../src/invariants/lowerbound.ts';
import { invariants, type RuleUnderTest } from '../../src/invariants/properties.ts';
import { searchWorstKappa } from '../../src/invariants/search.ts';
import { trimmedRule } from '../fixtures/trimmed-rule.ts';

const SEED = 7;
const cwtmKappa = publishedKappa('cwtm')!;

const claiming = (spec: string, kappa: KappaEntry): RuleUnderTest => ({ ...resolveSpec(spec).rule, kappa });

/** A rule that ignores its inputs and returns `z`. */
const constant = (z: Float32Array): RuleUnderTest => ({
  label: `constant ${Array.from(z)}`,
  make: () => ({
    spec: 'constant',
    name: 'constant',
    requirement: { text: 'any', check: () => true },
    stateful: false,
    randomized: false,
    aggregate: () => ({ aggregate: z.slice(), diagnostics: {} }),
  }),
  requirement: { text: 'any', check: () => true },
  randomized: false,
  approximate: false,
});

describe('the κ property rejects wrong rules', () => {
  it('mean, claiming cwtm’s κ', () => {
    const rule = claiming('mean', { ...cwtmKappa, condition: { text: 'n > 2f, f ≥ 1', check: (n, f) => f >= 1 && n > 2 * f } });
    const details = fc.check(invariants['kappa-robustness'].property(rule, { maxN: 30, maxD: 8 }), { numRuns: 200, seed: SEED });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/empirical κ/);
  });

  it('a trimmed mean that trims f − 1, claiming cwtm’s κ', () => {
    const { rule } = resolveDefinition(trimmedRule('trim-f-minus-1', (f) => f - 1));
    const details = fc.check(invariants['kappa-robustness'].property(rule, { maxN: 30, maxD: 8 }), { numRuns: 200, seed: SEED });
    expect(details.failed).toBe(true);
  });

  it('the correct trimmed mean passes', () => {
    const { rule } = resolveDefinition(trimmedRule('trim-f', (f) => f));
    fc.assert(invariants['kappa-robustness'].property(rule, { maxN: 30, maxD: 8 }), { numRuns: 200, seed: SEED });
  });

  it('the adversarial search finds κ beyond the published one for the f − 1 trimmed mean', () => {
    const { rule } = resolveDefinition(trimmedRule('trim-f-minus-1', (f) => f - 1));
    const { kappa } = searchWorstKappa(rule, { n: 9, f: 3, d: 2, seed: SEED });
    expect(kappa).toBeGreaterThan(cwtmKappa.value(9, 3));
  });

  it('cwtm, claiming 0.9 × the universal lower bound f/(n − 2f), fails on the fuzzed inputs', () => {
    const rule = claiming('cwtm', {
      ...cwtmKappa,
      value: (n, f) => 0.9 * kappaLowerBound(n, f),
      condition: { text: 'n > 2f, f ≥ 1', check: (n, f) => f >= 1 && n > 2 * f },
    });
    const details = fc.check(invariants['kappa-robustness'].property(rule, { maxN: 30, maxD: 8 }), { numRuns: 200, seed: SEED });
    expect(details.failed).toBe(true);
  });
});

describe('lower bound f/(n − 2f)', () => {
  const sizes = fc
    .record({ f: fc.integer({ min: 1, max: 10 }), extra: fc.integer({ min: 1, max: 10 }), d: fc.integer({ min: 1, max: 8 }) })
    .map(({ f, extra, d }) => ({ n: 2 * f + extra, f, d }));

  it('the two interpretations are one input: the same vectors, honest sets of n − f that differ in the 2f extremes', () => {
    fc.assert(
      fc.property(sizes, ({ n, f, d }) => {
        const [a, b] = lowerBoundCases(n, f, d);
        expect(b.vectors).toBe(a.vectors);
        expect(a.vectors).toHaveLength(n);
        for (const c of [a, b]) expect(new Set(c.honestIndex).size).toBe(n - f);
        const onlyA = a.honestIndex.filter((i) => !b.honestIndex.includes(i));
        expect(onlyA).toHaveLength(f);
      }),
    );
  });

  it('every output errs by at least the bound on one interpretation, and exactly the bound only at 0', () => {
    // The theorem the witness stands for: max over S₁, S₂ of ‖z − x̄_S‖²/σ²_S ≥ f/(n − 2f), for any z.
    const output = sizes.chain((s) =>
      fc.tuple(fc.constant(s), fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: s.d, maxLength: s.d })),
    );
    fc.assert(
      fc.property(output, ([{ n, f, d }, z]) => {
        const { max, bound } = lowerBoundRatios(constant(Float32Array.from(z)), n, f, d);
        expect(bound).toBeCloseTo(f / (n - 2 * f), 12);
        expect(max).toBeGreaterThanOrEqual(bound * (1 - 1e-12));
        const atZero = lowerBoundRatios(constant(new Float32Array(d)), n, f, d);
        expect(atZero.max).toBeCloseTo(bound, 9);
        // Strictly more away from 0 (by ‖z‖²/σ² at least; below 1e-3 that drowns in float64 rounding).
        if (z.some((v) => Math.abs(v) > 1e-3)) expect(max).toBeGreaterThan(atZero.max);
      }),
    );
  });

  it('is f/(n − 2f), and cwtm meets it exactly (its output is 0)', () => {
    expect(kappaLowerBound(9, 3)).toBeCloseTo(1);
    const { ratios, bound } = lowerBoundRatios(resolveSpec('cwtm').rule, 9, 3, 4);
    expect(ratios[0]).toBeCloseTo(bound, 5);
    expect(ratios[1]).toBeCloseTo(bound, 5);
  });
});

describe('adversarial search', () => {
  it('is deterministic from its seed', () => {
    const rule = resolveSpec('krum').rule;
    const a = searchWorstKappa(rule, { n: 9, f: 3, d: 3, seed: 3, restarts: 4, steps: 60 });
    const b = searchWorstKappa(rule, { n: 9, f: 3, d: 3, seed: 3, restarts: 4, steps: 60 });
    expect(a.kappa).toBe(b.kappa);
    expect(a.worst.vectors).toEqual(b.worst.vectors);
  });

  const published = ['cwtm', 'cwmed', 'krum', 'geomed', 'nnm > cwtm', 'nnm > cwmed', 'nnm > krum', 'nnm > geomed'];
  it.each(published)('%s stays within its published κ', (spec) => {
    const { rule } = resolveSpec(spec);
    expect(rule.kappa, `${spec} has a published κ`).toBeDefined();
    const sizes = ([[7, 2], [11, 4], [20, 6]] as const).filter(([n, f]) => rule.requirement.check(n, f) && rule.kappa!.condition.check(n, f));
    expect(sizes.length).toBeGreaterThan(0);
    for (const [n, f] of sizes) {
      const { kappa } = searchWorstKappa(rule, { n, f, d: 4, seed: SEED });
      expect(kappa, `${spec} n=${n} f=${f}`).toBeLessThanOrEqual(rule.kappa!.value(n, f) * (1 + 1e-6));
    }
  });
});
