import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregators, createAggregator, krumAggregate } from '../../src/aggregators/index.ts';
import { multikrum as multikrumFunction } from '../../src/index.ts';
import { inputs } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const ctx = (f: number) => ({ f });

describe('multikrum', () => {
  it('averages the n − f inputs of lowest Krum score (computed by hand)', () => {
    // n = 5, f = 1: scores over n − f − 2 = 2 neighbours: 0 → 1 + 4, 1 → 1 + 1, 2 → 1 + 1, 3 → 1 + 4,
    // 100 → 97² + 98². The n − f = 4 lowest are 0, 1, 2, 3: their mean is 1.5. (ByzFL's MultiKrum,
    // over n − f − 1 = 3 neighbours, selects the same four here.)
    const x = [v(0), v(1), v(2), v(3), v(100)];
    const r = createAggregator('multikrum').aggregate(x, ctx(1));
    expect(r.aggregate).toEqual(v(1.5));
    expect(r.diagnostics.selected).toEqual([1, 2, 0, 3]);
    expect(r.diagnostics.scores).toEqual([2, 2, 5, 5]);
  });

  it('is krum(m = n − f) at every (n, f), and krum(m) when m is given', () => {
    fc.assert(
      fc.property(inputs((f) => 2 * f + 3), ({ f, vectors }) => {
        const n = vectors.length;
        expect(createAggregator('multikrum').aggregate(vectors, ctx(f))).toEqual(krumAggregate(vectors, f, { m: n - f }));
        expect(createAggregator('multikrum(m=2)').aggregate(vectors, ctx(f))).toEqual(krumAggregate(vectors, f, { m: 2 }));
      }),
    );
  });

  it('leaves m out of its canonical spec unless given; requires n ≥ 2f + 3 (and m ≤ n − f for a given m)', () => {
    expect(createAggregator('multikrum').spec).toBe('multikrum');
    expect(createAggregator('multikrum(m=3)').spec).toBe('multikrum(m=3)');
    const rule = createAggregator('multikrum');
    expect(rule.requirement.text).toBe('n ≥ 2f + 3');
    expect([rule.requirement.check(5, 1), rule.requirement.check(4, 1), rule.requirement.check(1000, 2)]).toEqual([true, false, true]);
    const fixed = createAggregator('multikrum(m=4)');
    expect(fixed.requirement.text).toBe('n ≥ 2f + 3 and m ≤ n − f (m=4)');
    expect([fixed.requirement.check(5, 1), fixed.requirement.check(5, 2)]).toEqual([true, false]);
    expect(() => rule.aggregate([v(1), v(2), v(3), v(4)], ctx(1))).toThrow('multikrum requires n ≥ 2f + 3 (got n=4, f=1)');
    expect(() => createAggregator('multikrum(m=0)')).toThrow("parameter 'm' of multikrum must be an integer ≥ 1 (got 0)");
  });

  it('keeps up to f non-finite inputs out of the mean', () => {
    const x = [v(1, 1), v(2, 2), v(NaN, 0), v(3, 3), v(Infinity, 1), v(4, 4), v(5, 5)];
    const r = createAggregator('multikrum').aggregate(x, ctx(2));
    expect(r.aggregate).toEqual(v(3, 3));
    expect([...(r.diagnostics.selected as number[])].sort()).toEqual([0, 1, 3, 5, 6]);
  });

  it('is registered after krum, declares its invariants, and is a plain library function', () => {
    const names = aggregators.names();
    expect(names.indexOf('multikrum')).toBe(names.indexOf('krum') + 1);
    expect(aggregators.get('multikrum')?.invariants).toContain('finite-output');
    expect(aggregators.get('multikrum')?.invariants).not.toContain('selects-input');
    expect(multikrumFunction([[0], [1], [2], [3], [100]], 1)).toEqual(v(1.5));
  });
});
