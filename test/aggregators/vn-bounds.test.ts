/** The VN-ratio bounds k_F(n, f) the rules declare, as the DP paper lists them (§3, Appendix A). */
import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../src/aggregators/index.ts';
import { krumEta, mdaVnBound } from '../../src/aggregators/vn-bounds.ts';

const bound = (spec: string, n: number, f: number) => createAggregator(spec).vnBound?.(n, f);

describe('VN-ratio bounds', () => {
  it('match the paper’s formulas, by hand at (n, f) = (11, 5), the paper’s setting, and (20, 3)', () => {
    expect(bound('mda', 11, 5)).toBeCloseTo(6 / (Math.sqrt(8) * 5), 14); // 0.4243
    expect(bound('cwmed', 11, 5)).toBeCloseTo(1 / Math.sqrt(6), 14);
    expect(bound('meamed', 11, 5)).toBeCloseTo(1 / Math.sqrt(60), 14);
    expect(bound('cwtm', 11, 5)).toBeCloseTo(Math.sqrt(1 / (2 * 6 * 6)), 14);
    expect(bound('phocas', 11, 5)).toBeCloseTo(Math.sqrt(4 + 1 / (12 * 6 * 6)), 14);
    // Krum: η(20, 3) = 17 + (3·15 + 9·16)/12 = 32.75, k = 1/√(2η).
    expect(krumEta(20, 3)).toBeCloseTo(32.75, 12);
    expect(bound('krum', 20, 3)).toBeCloseTo(1 / Math.sqrt(65.5), 14);
    expect(bound('bulyan', 20, 3)).toBeCloseTo(1 / Math.sqrt(65.5), 14);
  });

  it('are undefined outside the rule’s conditions, for the variants the paper does not cover, and behind pre-aggregation', () => {
    expect(bound('krum', 11, 5)).toBeUndefined(); // n ≤ 2f + 2
    expect(bound('cwmed', 10, 5)).toBeUndefined(); // 2f > n − 1
    expect(mdaVnBound(11, 0)).toBeUndefined();
    expect(bound('krum(m=3)', 20, 3)).toBeUndefined();
    expect(bound('krum(p=1)', 20, 3)).toBeUndefined();
    expect(bound('bulyan(inner=cwmed)', 20, 3)).toBeUndefined();
    expect(bound('nnm > mda', 11, 5)).toBeUndefined();
    for (const spec of ['mean', 'geomed', 'cc', 'nm', 'signmv', 'mixtailor']) expect(bound(spec, 11, 3)).toBeUndefined();
  });

  it('order the rules as the paper says (MDA has the largest bound of Krum, median and MDA, its §5.1); those of MDA, Krum and the trimmed mean shrink as f grows (the median and Meamed bounds, 1/√(n − f) and 1/√(10(n − f)) as written, grow)', () => {
    for (const n of [15, 31, 101]) {
      const f = Math.floor((n - 3) / 4);
      expect(bound('mda', n, f)!).toBeGreaterThan(bound('cwmed', n, f)!);
      expect(bound('mda', n, f)!).toBeGreaterThan(bound('krum', n, f)!);
      for (const spec of ['mda', 'krum', 'cwtm']) expect(bound(spec, n, f + 1)!).toBeLessThan(bound(spec, n, f)!);
      for (const spec of ['cwmed', 'meamed']) expect(bound(spec, n, f + 1)!).toBeGreaterThan(bound(spec, n, f)!);
    }
  });
});
