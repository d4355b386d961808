import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arcApply, arcClipCount } from '../../src/preaggregators/arc.ts';
import { realVector } from '../aggregators/arbitraries.ts';

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

const inputs = fc
  .record({ n: fc.integer({ min: 1, max: 20 }), seed: fc.nat() })
  .chain(({ n }) =>
    fc.record({
      f: fc.integer({ min: 0, max: Math.floor((n - 1) / 2) }),
      vectors: fc.array(realVector(4, 100), { minLength: n, maxLength: n }),
    }),
  );

describe('arc', () => {
  it('clips the ⌊2(f/n)(n − f)⌋ largest-norm inputs to the next largest norm', () => {
    fc.assert(
      fc.property(inputs, ({ f, vectors }) => {
        const n = vectors.length;
        const k = arcClipCount(n, f);
        expect(k).toBe(Math.floor(2 * (f / n) * (n - f) + 1e-9));
        const out = arcApply(vectors, f);
        const clipped = out.diagnostics.clipped as number[];
        expect(clipped).toHaveLength(k);
        const norms = vectors.map(norm);
        const sorted = [...norms].sort((a, b) => b - a);
        const threshold = sorted[k];
        expect(out.diagnostics.threshold).toBeCloseTo(threshold, 4);
        // The clipped are the k largest: none of them is shorter than any input left alone.
        for (const i of clipped) expect(norms[i]).toBeGreaterThanOrEqual(threshold - 1e-4);
        out.vectors.forEach((y, i) => {
          expect(norm(y)).toBeLessThanOrEqual(threshold * (1 + 1e-6) + 1e-6);
          if (!clipped.includes(i)) expect(Array.from(y)).toEqual(Array.from(vectors[i]));
        });
      }),
      { seed: 2024, numRuns: 300 },
    );
  });

  it('matches the ByzFL example (f = 1, n = 3: k = 1)', () => {
    const out = arcApply([Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), Float32Array.of(7, 8, 9)], 1);
    expect(Array.from(out.vectors[2]).map((x) => +x.toFixed(5))).toEqual([4.41004, 5.04005, 5.67005]);
    expect(Array.from(out.vectors[1])).toEqual([4, 5, 6]);
  });

  it('clips nothing when f = 0, and passes ≤ f non-finite inputs on, clipping the finite ones to a finite norm', () => {
    expect(arcClipCount(10, 0)).toBe(0);
    const xs = [Float32Array.of(1), Float32Array.of(2), Float32Array.of(NaN), Float32Array.of(3), Float32Array.of(4)];
    const out = arcApply(xs, 2);
    expect(out.vectors[2][0]).toBeNaN();
    expect(out.diagnostics.clipped).toEqual([2, 4]);
    [1, 2, 3, 3].forEach((x, j) => expect(out.vectors[[0, 1, 3, 4][j]][0]).toBeCloseTo(x, 5));
  });
});
