/** The harness can fail: wrong rules and understated κ are rejected, and the lower bound is reached by every rule. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregators, createAggregator } from '../../src/aggregators/index.ts';
import { resolveDefinition, resolveSpec } from '../../src/invariants/catalog.ts';
import { kappaLowerBound, publishedKappa, type KappaEntry } from '../../src/invariants/kappa.ts';
import { lowerBoundCases, lowerBoundRatios } from '../../src/invariants/lowerbound.ts';
import { empiricalKappa, invariants, type RuleUnderTest } from '../../src/invariants/properties.ts';
import { searchWorstKappa } from '../../src/invariants/search.ts';
import { trimmedRule } from '../fixtures/trimmed-rule.ts';

const SEED = 7;
const cwtmKappa = publishedKappa('cwtm')!;

const claiming = (spec: string, kappa: KappaEntry): RuleUnderTest => ({ ...resolveSpec(spec).rule, kappa });

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

  it('a κ below the universal bound fails on the lower-bound input, for cwtm', () => {
    const n = 11;
    const f = 3;
    const rule = claiming('cwtm', { ...cwtmKappa, value: (n, f) => 0.9 * kappaLowerBound(n, f) });
    const worst = Math.max(...lowerBoundCases(n, f, 3).map((c) => empiricalKappa(rule, c).ratio));
    expect(worst).toBeGreaterThan(rule.kappa!.value(n, f));
  });
});

describe('lower bound f/(n − 2f)', () => {
  const sizes: [number, number][] = [
    [5, 1],
    [9, 3],
    [12, 2],
    [30, 13],
  ];
  const specs = aggregators.names();
  it.each(specs)('%s reaches it on the two-scenario input', (spec) => {
    const { rule } = resolveSpec(spec);
    for (const [n, f] of sizes) {
      if (!rule.requirement.check(n, f)) continue;
      for (const d of [1, 5]) {
        const { max, bound } = lowerBoundRatios(rule, n, f, d);
        expect(max, `${spec} n=${n} f=${f} d=${d}`).toBeGreaterThanOrEqual(bound * (1 - 1e-6));
      }
    }
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

  it.each(['cwtm', 'cwmed', 'krum', 'nnm > cwtm'].filter((s) => publishedKappa(s) && (() => { try { createAggregator(s); return true; } catch { return false; } })()))(
    '%s stays within its published κ',
    (spec) => {
      const { rule } = resolveSpec(spec);
      for (const [n, f] of [[7, 2], [11, 4], [20, 6]] as const) {
        if (!rule.requirement.check(n, f)) continue;
        const { kappa } = searchWorstKappa(rule, { n, f, d: 4, seed: SEED });
        expect(kappa, `${spec} n=${n} f=${f}`).toBeLessThanOrEqual(rule.kappa!.value(n, f) * (1 + 1e-6));
        expect(kappa).toBeGreaterThanOrEqual(kappaLowerBound(n, f) * (1 - 1e-6));
      }
    },
  );
});
