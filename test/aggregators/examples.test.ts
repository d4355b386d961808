import { describe, expect, it } from 'vitest';
import {
  aggregators,
  createAggregator,
  cwmedAggregate,
  cwtmAggregate,
  geomedAggregate,
  krumAggregate,
  krumScores,
  meanAggregate,
} from '../../src/aggregators/index.ts';

const v = (...x: number[]) => Float32Array.from(x);

describe('mean', () => {
  it('averages and propagates non-finite inputs (it is not robust)', () => {
    expect(meanAggregate([v(1, 2), v(3, 6)]).aggregate).toEqual(v(2, 4));
    expect(meanAggregate([v(1, 2), v(NaN, 6)], 1).aggregate[0]).toBeNaN();
  });
});

describe('cwmed', () => {
  it('takes the per-coordinate median for odd n', () => {
    expect(cwmedAggregate([v(1, 9), v(5, -1), v(3, 4)], 1).aggregate).toEqual(v(3, 4));
  });
  it('averages the two middle values for even n', () => {
    expect(cwmedAggregate([v(1, 10), v(2, 0), v(4, 20), v(100, -5)], 1).aggregate).toEqual(v(3, 5));
  });
  it('orders NaN as +Infinity', () => {
    expect(cwmedAggregate([v(NaN), v(1), v(2)], 1).aggregate).toEqual(v(2));
    expect(cwmedAggregate([v(-Infinity), v(1), v(2)], 1).aggregate).toEqual(v(1));
  });
});

describe('cwtm', () => {
  it('drops f values on each side of each coordinate', () => {
    const r = cwtmAggregate([v(1, 50), v(2, 0), v(3, 1), v(100, 2), v(-100, 3)], 1);
    expect(r.aggregate).toEqual(v(2, 2));
    expect(r.diagnostics.trimmed).toBe(1);
  });
  it('is the mean for f = 0', () => {
    expect(cwtmAggregate([v(1), v(2), v(6)], 0).aggregate).toEqual(v(3));
  });
  it('trims non-finite values', () => {
    expect(cwtmAggregate([v(NaN, -Infinity), v(1, 1), v(2, 2), v(3, 3), v(Infinity, 4)], 2).aggregate).toEqual(v(3, 2));
  });
});

describe('krum', () => {
  // n = 5, f = 1: each score sums the n − f − 2 = 2 smallest squared distances.
  const xs = [v(0, 0), v(1, 0), v(0, 2), v(10, 10), v(-20, 3)];
  it('scores by the n − f − 2 nearest neighbours (the paper, not ByzFL)', () => {
    // 0: {1, 4} → 5;  1: {1, 5} → 6;  2: {4, 5} → 9.
    expect(Array.from(krumScores(xs, 1)).slice(0, 3)).toEqual([5, 6, 9]);
  });
  it('selects the lowest score and returns a copy of that input (m = 1)', () => {
    const r = krumAggregate(xs, 1);
    expect(r.diagnostics.selected).toEqual([0]);
    expect(r.aggregate).toEqual(xs[0]);
    expect(r.aggregate).not.toBe(xs[0]);
  });
  it('averages the m lowest scores (Multi-Krum)', () => {
    const r = krumAggregate(xs, 1, { m: 3 });
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(r.aggregate).toEqual(v(1 / 3, 2 / 3));
  });
  it('never selects a non-finite input', () => {
    const ys = [v(NaN, 0), v(0, 0), v(0, 0), v(0, 0), v(Infinity, 1)];
    const r = krumAggregate(ys, 1);
    expect(r.aggregate).toEqual(v(0, 0));
    expect(krumScores(ys, 1)[0]).toBe(Infinity);
  });
  it('requires n ≥ 2f + 3 and m ≤ n − f', () => {
    expect(() => krumAggregate(xs, 2)).toThrow('krum requires n ≥ 2f + 3 (got n=5, f=2)');
    expect(() => krumAggregate(xs, 1, { m: 5 })).toThrow(/m ≤ n − f \(m=5\) \(got n=5, f=1\)/);
  });
});

describe('geomed', () => {
  it('finds the Fermat point of a triangle with all angles below 120°', () => {
    // Equilateral triangle: the geometric median is the centroid.
    const s = Math.sqrt(3);
    const r = geomedAggregate([v(0, 0), v(2, 0), v(1, s)], 0, { T: 100, tol: 0 });
    expect(r.aggregate[0]).toBeCloseTo(1, 5);
    expect(r.aggregate[1]).toBeCloseTo(s / 3, 5);
  });
  it('ignores a non-finite input and resists a far outlier', () => {
    const r = geomedAggregate([v(1, 1), v(1, 1), v(1, 1), v(NaN, 0), v(1e30, 1e30)], 2);
    expect(r.aggregate[0]).toBeCloseTo(1, 4);
    expect(r.aggregate[1]).toBeCloseTo(1, 4);
  });
  it('reports iterations and stops early once converged', () => {
    const r = geomedAggregate([v(0, 0), v(2, 0), v(1, Math.sqrt(3))], 0, { T: 50, tol: 1e-3 });
    expect(r.diagnostics.iterations).toBeGreaterThanOrEqual(1);
    expect(r.diagnostics.iterations).toBeLessThan(50);
  });
  it('stops at once on an optimal data point (Vardi–Zhang test at the start)', () => {
    const r = geomedAggregate([v(0), v(1), v(2)], 1, { T: 50 });
    expect(r.aggregate).toEqual(v(1));
    expect(r.diagnostics.iterations).toBe(0);
  });
  it('returns the honest vector when honest inputs are equal and a Byzantine one is within 1e-6 (ν is relative)', () => {
    // RFA's absolute ν = 1e-6 gave every input weight 1/ν here and returned 3.3e-8.
    expect(geomedAggregate([v(0), v(0), v(1e-7)], 1).aggregate).toEqual(v(0));
    expect(geomedAggregate([v(0), v(0), v(1e-7)], 1, { T: 2000, tol: 0 }).aggregate).toEqual(v(0));
    expect(geomedAggregate([v(5e-30, 1), v(5e-30, 1), v(5e-30, 1), v(6e-30, 1), v(1, 1)], 2).aggregate).toEqual(v(5e-30, 1));
  });
  it.each([1e-6, 1, 1e6])('finds the Fermat point (5.62, 3.41) of (6, 4), (10, −5), (−8, 4) at scale %s', (a) => {
    const r = geomedAggregate([v(6 * a, 4 * a), v(10 * a, -5 * a), v(-8 * a, 4 * a)], 1, { T: 1000, tol: 0 });
    expect(r.aggregate[0] / a).toBeCloseTo(5.6223, 3);
    expect(r.aggregate[1] / a).toBeCloseTo(3.4069, 3);
  });
  it('does not stall on a data point that is not optimal', () => {
    // The coordinate-wise median (0, 0) is an input; the plain Weiszfeld step with ν-floored
    // weights barely moves from it, the Vardi–Zhang step does.
    const xs = [v(0, 0), v(0, 0), v(10, 1), v(10, -1), v(10, 0), v(-1, 0), v(0, 1)];
    const r = geomedAggregate(xs, 0, { T: 200, tol: 0 });
    // Minimizer checked with SciPy's Nelder–Mead.
    expect(r.aggregate[0]).toBeCloseTo(0.181878, 5);
    expect(r.aggregate[1]).toBeCloseTo(0.088953, 5);
  });
  it('returns an optimal data point bit for bit, even when the start is elsewhere', () => {
    // Four corners of a square and its centre: the centre (1, 1) is optimal (R = 0 ≤ η = 1).
    const xs = [v(0, 0), v(2, 0), v(0, 2), v(2, 2), v(1, 1)];
    expect(geomedAggregate(xs, 1).aggregate).toEqual(v(1, 1));
    // A data point optimal with R > 0: (0, 0) with pulls (1, 0), (0, 1) and η = 2 ≥ √2.
    const ys = [v(0, 0), v(0, 0), v(3, 0), v(0, 5)];
    expect(geomedAggregate(ys, 1, { T: 3 }).aggregate).toEqual(v(0, 0));
  });
  it('computes the ℓp geometric median by IRLS; p = 1 is the coordinate-wise median', () => {
    const xs = [v(0, 0), v(2, 0), v(1, 1.7), v(5, 3), v(-1, 2)];
    expect(geomedAggregate(xs, 2, { p: 1 }).aggregate).toEqual(v(1, 1.7));
    // Minimizers checked with SciPy's Nelder–Mead on Σ‖z − xᵢ‖ₚ.
    const p3 = geomedAggregate(xs, 2, { p: 3, T: 200, tol: 0 }).aggregate;
    expect(p3[0]).toBeCloseTo(0.99281, 4);
    expect(p3[1]).toBeCloseTo(1.11573, 4);
    const p16 = geomedAggregate(xs, 2, { p: 16, T: 200, tol: 0 }).aggregate;
    expect(p16[0]).toBeCloseTo(1.0, 4);
    expect(p16[1]).toBeCloseTo(0.99438, 4);
    expect(geomedAggregate(xs, 2, { p: 1.5, T: 200, tol: 0 }).aggregate).toEqual(v(1, 1.7));
  });
  it('keeps the ℓ2 spec (no p) and the same results at p = 2', () => {
    expect(createAggregator('geomed(p=2)').spec).toBe('geomed(T=8, nu=0.000001, tol=1e-8)');
    expect(createAggregator('geomed(p=3)').spec).toBe('geomed(T=8, nu=0.000001, tol=1e-8, p=3)');
    const xs = [v(0, 0), v(2, 0), v(1, 1.7), v(5, 3), v(-1, 2)];
    expect(geomedAggregate(xs, 2, { p: 2 }).aggregate).toEqual(geomedAggregate(xs, 2).aggregate);
    expect(() => createAggregator('geomed(p=0.5)')).toThrow(/parameter 'p' of geomed/);
  });
});

describe('errors name the rule, n, f and the requirement', () => {
  it.each([
    ['cwmed', 'n ≥ 2f + 1', 3, 2],
    ['cwtm', 'n ≥ 2f + 1', 4, 2],
    ['geomed', 'n ≥ 2f + 1', 2, 1],
    ['krum', 'n ≥ 2f + 3', 4, 1],
  ])('%s', (name, text, n, f) => {
    const rule = createAggregator(name);
    expect(rule.requirement.text).toBe(text);
    const xs = Array.from({ length: n }, (_, i) => v(i));
    expect(() => rule.aggregate(xs, { f })).toThrow(`${name} requires ${text} (got n=${n}, f=${f})`);
  });
  it.each(aggregators.names())('%s rejects empty and ragged input', (name) => {
    const rule = createAggregator(name);
    expect(() => rule.aggregate([], { f: 0 })).toThrow(`${name}: no input vectors`);
    expect(() => rule.aggregate([v(1, 2), v(1, 2), v(1)], { f: 0 })).toThrow(`${name}: ragged input`);
  });
});
