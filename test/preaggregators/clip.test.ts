import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clip, clipApply } from '../../src/preaggregators/clip.ts';
import { realVector } from '../aggregators/arbitraries.ts';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('clip', () => {
  it('leaves every norm ≤ τ, keeps directions and leaves short inputs unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(realVector(5, 1e6), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 1e3, noNaN: true }),
        (xs, tau) => {
          const out = clipApply(xs, tau);
          out.vectors.forEach((y, i) => {
            expect(norm(y)).toBeLessThanOrEqual(tau);
            if (norm(xs[i]) <= tau) expect(Array.from(y)).toEqual(Array.from(xs[i]));
            else {
              expect(out.diagnostics.clipped).toContain(i);
              // Same direction: y = c·x with c ≥ 0.
              const c = norm(y) / norm(xs[i]);
              xs[i].forEach((x, j) => expect(y[j]).toBeCloseTo(c * x, 3));
            }
          });
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it('passes a non-finite input on unchanged (listed as clipped) and does not modify its inputs', () => {
    const x = Float32Array.of(3, 4);
    const bad = Float32Array.of(NaN, 1);
    const out = clipApply([x, bad], 1);
    expect(Array.from(out.vectors[1])).toEqual([NaN, 1]);
    expect(out.vectors[1]).not.toBe(bad);
    expect(out.diagnostics.clipped).toEqual([0, 1]);
    expect(out.vectors[0][0]).toBeCloseTo(0.6, 6);
    expect(Array.from(x)).toEqual([3, 4]);
  });

  it('is spelled clip(tau=…)', () => {
    expect(clip.create({ tau: 2 }).spec).toBe('clip(tau=2)');
    expect(() => clip.create({ tau: -1 })).toThrow(/tau/);
  });
});
