import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pow } from '../../src/kernels/lp.ts';

describe('pow', () => {
  it('agrees with Math.pow to a few ulps for every exponent −16…16 and fractional ones', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -16, max: 16 }), fc.double({ min: 1, max: 16, noNaN: true })),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        (p, x) => {
          const want = Math.pow(x, p);
          const got = pow(x, p);
          if (!Number.isFinite(want)) expect(got).toBe(want);
          else expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-14 * Math.abs(want) + Number.MIN_VALUE);
        },
      ),
    );
  });
  it('handles 0 and 1 exactly', () => {
    for (let p = -3; p <= 16; p++) {
      expect(pow(1, p)).toBe(1);
      expect(pow(0, p)).toBe(Math.pow(0, p));
    }
  });
});
