/**
 * Every registered rule (at its defaults, plus a few parameterisations and the
 * compositions createAggregator accepts) against every invariant declared for
 * it. The registry is read at test time, so new rules are covered as they land.
 * Seeds are fixed for CI (override with FC_SEED; FC_RUNS for more runs); a failure prints fast-check's
 * seed and path and the shrunk input.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregators, createAggregator } from '../../src/aggregators/index.ts';
import { resolveSpec } from '../../src/invariants/catalog.ts';
import { invariants, type InvariantName } from '../../src/invariants/properties.ts';

const SEED = Number(process.env.FC_SEED ?? 20230425);
const RUNS = Number(process.env.FC_RUNS ?? 200);
const SHAPE = { maxN: 30, maxD: 16 };

const EXTRA = ['krum(m=2)', 'geomed(T=2000, tol=0)', 'geomed(p=1.5)', 'geomed(p=3)', 'geomed(p=3, T=2000, tol=0)', 'bulyan(p=1)', 'bulyan(p=3, inner=krum(p=3))', 'bulyan(inner=geomed)'];
const COMPOSITIONS = ['nnm > cwtm', 'nnm > krum', 'resample(s=2) > krum'];

const accepted = (spec: string) => {
  try {
    createAggregator(spec);
    return true;
  } catch {
    return false;
  }
};
const compositions = COMPOSITIONS.filter(accepted);

/**
 * Violations found by this suite in rules owned elsewhere, kept red-flagged
 * rather than hidden: each runs as `it.fails`, so fixing the rule turns the
 * entry into a failure that asks for its removal. Never loosen κ instead.
 */
const KNOWN: Record<string, Partial<Record<InvariantName, string>>> = {};

describe('invariant suite', () => {
  it('every registered rule declares which invariants apply', () => {
    const undeclared = aggregators.names().filter((name) => !resolveSpec(name).declared);
    expect(undeclared, `declare them in src/invariants/catalog.ts or as \`invariants\` on the definition`).toEqual([]);
  });

  it('compositions are covered once pre-aggregators exist', () => {
    if (existsSync(new URL('../../src/preaggregators', import.meta.url))) expect(compositions).not.toEqual([]);
  });

  const specs = [...aggregators.names(), ...EXTRA, ...compositions];
  describe.each(specs)('%s', (spec) => {
    const resolved = resolveSpec(spec);
    for (const name of resolved.invariants) {
      const known = KNOWN[spec]?.[name];
      (known ? it.fails : it)(known ? `${name} (known violation: ${known})` : name, () => {
        fc.assert(invariants[name].property(resolved.rule, SHAPE), { numRuns: known ? 1000 : RUNS, seed: SEED });
      });
    }
  });
});
