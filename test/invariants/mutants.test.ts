/**
 * Mutation tests of the invariant suite: every deliberately broken rule of
 * test/fixtures/mutants.ts is rejected by the invariant built to catch its
 * flaw, with an InvariantViolation (a counterexample, not a crash), and every
 * invariant catches at least one mutant, so that none is vacuous. The real
 * rules pass the same properties at the same sizes and runs (suite.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveDefinition } from '../../src/invariants/catalog.ts';
import { invariantNames, invariants, InvariantViolation } from '../../src/invariants/properties.ts';
import { mutants } from '../fixtures/mutants.ts';

const SEED = Number(process.env.FC_SEED ?? 20230425);
const RUNS = Number(process.env.FC_RUNS ?? 200);
const SHAPE = { maxN: 30, maxD: 16 };

describe('mutants', () => {
  it('every invariant is the one built to catch at least one mutant', () => {
    const caught = new Set(mutants.map((m) => m.breaks));
    expect(invariantNames.filter((name) => !caught.has(name))).toEqual([]);
  });

  it('have distinct names', () => {
    const names = mutants.map((m) => m.rule.name);
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(mutants.map((m) => [m.rule.name, m] as const))('%s', (_, mutant) => {
    const resolved = resolveDefinition(mutant.rule);

    it('claims the invariant built to catch it', () => {
      expect(resolved.invariants).toContain(mutant.breaks);
    });

    it(`is rejected by ${mutant.breaks}: ${mutant.flaw}`, () => {
      // The first counterexample is proof enough; shrinking it would only cost time.
      const details = fc.check(invariants[mutant.breaks].property(resolved.rule, SHAPE), { numRuns: RUNS, seed: SEED, endOnFailure: true });
      expect(details.failed, `${mutant.rule.name} passed ${mutant.breaks} over ${RUNS} runs (seed ${SEED})`).toBe(true);
      expect(details.errorInstance).toBeInstanceOf(InvariantViolation);
    });
  });
});
