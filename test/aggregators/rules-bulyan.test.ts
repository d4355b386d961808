import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bulyanAggregate, createAggregator } from '../../src/aggregators/index.ts';
import type { Aggregator } from '../../src/aggregators/types.ts';
import { SpecError } from '../../src/spec.ts';
import { byzantineValue, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);

/** n ≥ 4f + 3 inputs: n − f honest integer vectors, then f Byzantine ones. */
const scenario = fc
  .record({ f: fc.integer({ min: 0, max: 3 }), d: fc.integer({ min: 1, max: 8 }), extra: fc.integer({ min: 0, max: 3 }) })
  .chain(({ f, d, extra }) =>
    fc.record({
      f: fc.constant(f),
      honest: fc.array(intVector(d), { minLength: 3 * f + 3 + extra, maxLength: 3 * f + 3 + extra }),
      byz: fc.array(byzantineValue, { minLength: d, maxLength: d }),
    }),
  );

describe('bulyan', () => {
  it('selects n − 2f inputs with Krum, then averages the n − 4f values nearest each median', () => {
    // Krum picks 2 (tie with 3, broken by value), 3, 1, 4 and 0 (f' = 0 on the last 4 and 3); 1000 never.
    const r = bulyanAggregate([0, 1, 2, 3, 4, 5, 1000].map((t) => v(t)), 1);
    expect(r.diagnostics.selected).toEqual([2, 3, 1, 4, 0]);
    expect(r.aggregate).toEqual(v(2));
    expect(r.diagnostics.rule).toBe('krum(m=1)');
  });

  it('is the mean when f = 0', () => {
    expect(bulyanAggregate([v(1, 2), v(3, 4), v(8, 0)], 0).aggregate).toEqual(v(4, 2));
  });

  it('accepts other inner rules, validated as specs', () => {
    const inputs = [0, 1, 2, 3, 4, 5, 1000].map((t) => v(t, -t));
    for (const inner of ['geomed', 'cwmed', 'mda', 'meamed', 'krum(p=1)', 'krum(p=16)']) {
      const rule = createAggregator(`bulyan(inner=${inner})`);
      const out = rule.aggregate(inputs, { f: 1 }).aggregate;
      expect(out[0]).toBeGreaterThanOrEqual(0);
      expect(out[0]).toBeLessThanOrEqual(5);
    }
    expect(createAggregator('bulyan').spec).toBe('bulyan(inner=krum(m=1))');
    expect(createAggregator('bulyan(inner=krum(p=1))').spec).toBe('bulyan(inner=krum(m=1, p=1))');
    expect(() => createAggregator('bulyan(inner=signmv)')).toThrow(SpecError);
    expect(() => createAggregator('bulyan(inner=signmv)')).toThrow(/unknown inner rule of bulyan 'signmv'/);
    expect(() => createAggregator('bulyan(inner=krum(q=1))')).toThrow(/unknown parameter 'q' for krum/);
    expect(() => createAggregator('bulyan(inner=[krum, cwmed])')).toThrow(SpecError);
  });

  it('rejects empty, ragged and (n, f) outside n ≥ 4f + 3', () => {
    expect(() => bulyanAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => bulyanAggregate([v(1), v(1, 2), v(3)], 0)).toThrow(/ragged/);
    const six = [1, 2, 3, 4, 5, 6].map((t) => v(t));
    expect(() => bulyanAggregate(six, 1)).toThrow('bulyan requires n ≥ 4f + 3 (got n=6, f=1)');
    const multi = createAggregator('bulyan(inner=krum(m=4))');
    expect(multi.requirement.text).toBe('n ≥ 4f + 3 and m ≤ f + 2 for krum(m=4)');
    expect(multi.requirement.check(7, 1)).toBe(false);
    expect(multi.requirement.check(11, 2)).toBe(true);
  });

  it('stays within the honest range when the Byzantine inputs are far, whatever they hold', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('krum', 'geomed', 'cwmed', 'krum(p=1)'), ({ f, honest, byz }, inner) => {
        const bad = Array.from({ length: f }, (_, i) => Float32Array.from(byz, (t, j) => (j === 0 ? (i % 2 ? NaN : 1e5) : t)));
        const all = [...honest, ...bad];
        const r = bulyanAggregate(all, f, { inner });
        expect((r.diagnostics.selected as number[]).every((i) => i < honest.length)).toBe(true);
        for (let j = 0; j < r.aggregate.length; j++) {
          const col = honest.map((x) => x[j]);
          expect(r.aggregate[j]).toBeGreaterThanOrEqual(Math.min(...col));
          expect(r.aggregate[j]).toBeLessThanOrEqual(Math.max(...col));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('stays finite and within the range of its selection with any f Byzantine inputs', () => {
    fc.assert(
      fc.property(scenario, ({ f, honest, byz }) => {
        const all = [...honest, ...Array.from({ length: f }, () => Float32Array.from(byz))];
        const r = bulyanAggregate(all, f);
        const chosen = (r.diagnostics.selected as number[]).map((i) => all[i]);
        for (let j = 0; j < r.aggregate.length; j++) {
          const col = chosen.map((x) => x[j]);
          expect(Number.isFinite(r.aggregate[j])).toBe(true);
          expect(r.aggregate[j]).toBeGreaterThanOrEqual(Math.min(...col));
          expect(r.aggregate[j]).toBeLessThanOrEqual(Math.max(...col));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('can leave the honest range when a Byzantine input is close to the honest ones', () => {
    // Found by fast-check: per coordinate, the Byzantine value −9 is among the n − 4f nearest the median.
    const honest = [v(0, -6), v(4, 0), v(9, -7), v(9, 0), v(0, 0), v(-8, 0)];
    const out = bulyanAggregate([...honest, v(1, -9)], 1).aggregate;
    const lowest = Math.min(...honest.map((x) => x[1]));
    expect(out[1]).toBeLessThan(lowest);
  });

  it('is invariant to input order', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), permutation(s.honest.length + s.f))),
        ([{ f, honest, byz }, perm]) => {
          const all = [...honest, ...Array.from({ length: f }, () => Float32Array.from(byz))];
          const a = bulyanAggregate(all, f).aggregate;
          expect(bulyanAggregate(perm.map((i) => all[i]), f).aggregate).toEqual(a);
        },
      ),
      { numRuns: 60 },
    );
  });
  it('measures the selection phase in ℓp (p omitted from the spec at 2)', () => {
    expect(createAggregator('bulyan(p=2)').spec).toBe('bulyan(inner=krum(m=1))');
    expect(createAggregator('bulyan(p=3, inner=geomed(p=3))').spec).toBe('bulyan(p=3, inner=geomed(T=8, nu=0.000001, tol=1e-8, p=3))');
    expect(() => createAggregator('bulyan(p=0.5)')).toThrow(/parameter 'p' of bulyan/);
    // The inner rule (mean) gives (0, 0) first; A = (1.2, 0) is nearest in ℓ1 (1.2 < 1.4),
    // B = (0.7, 0.7) in ℓ2 (0.99 < 1.2) and ℓ16 (≈ 0.73 < 1.2).
    const ys = [v(1.2, 0), v(0.7, 0.7), v(-5, 3), v(3, -5), v(-3, -3), v(4.5, 4), v(-1.4, 0.3)];
    const first = (p: number) => (createAggregator(`bulyan(p=${p}, inner=mean)`).aggregate(ys, { f: 1 }).diagnostics.selected as number[])[0];
    expect([first(1), first(2), first(16)]).toEqual([0, 1, 1]);
  });

  it('gives the same selection with its Krum fast path as with Krum applied step by step', () => {
    const krum = createAggregator('krum');
    // Same rule under another spec: bulyan cannot recognise it and runs the generic path.
    const plain: Aggregator = { ...krum, spec: 'krum-generic', aggregate: (x, ctx) => krum.aggregate(x, ctx) };
    fc.assert(
      fc.property(scenario, ({ f, honest, byz }) => {
        const all = [...honest, ...Array.from({ length: f }, () => Float32Array.from(byz))];
        const fast = bulyanAggregate(all, f);
        const slow = bulyanAggregate(all, f, { inner: plain });
        expect(fast.diagnostics.selected).toEqual(slow.diagnostics.selected);
        expect(fast.aggregate).toEqual(slow.aggregate);
      }),
      { numRuns: 100 },
    );
  });
});
