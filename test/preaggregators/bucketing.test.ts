import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketing, bucketingApply } from '../../src/preaggregators/bucketing.ts';
import { createRng } from '../../src/sim/rng.ts';

describe('bucketing', () => {
  it('gives ⌈n/s⌉ bucket means, each input in exactly one bucket', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (n, s, seed) => {
        const xs = Array.from({ length: n }, (_, i) => Float32Array.of(i, -2 * i));
        const out = bucketingApply(xs, createRng(seed, 'server'), s);
        expect(out.vectors).toHaveLength(Math.ceil(n / s));
        expect(out.sources.flat().sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
        out.sources.forEach((b, k) => {
          expect(b.length).toBe(k < out.sources.length - 1 ? s : n - s * (out.sources.length - 1));
          const m = b.reduce((a, j) => a + j, 0) / b.length;
          expect(out.vectors[k][0]).toBeCloseTo(m, 4);
          expect(out.vectors[k][1]).toBeCloseTo(-2 * m, 4);
        });
        expect(bucketing.create({ s }).transform(n, 1)).toEqual({ n: Math.ceil(n / s), f: 1, bound: 'worst-case' });
      }),
      { seed: 2022, numRuns: 200 },
    );
  });

  it('keeps f′ = f, and f′ ≤ n′', () => {
    expect(bucketing.create({ s: 2 }).transform(10, 2)).toEqual({ n: 5, f: 2, bound: 'worst-case' });
    expect(bucketing.create({ s: 4 }).transform(4, 2)).toEqual({ n: 1, f: 1, bound: 'worst-case' });
  });

  it('replays from the seed, and a non-finite input spoils its own bucket only', () => {
    const xs = [Float32Array.of(Infinity), Float32Array.of(1), Float32Array.of(3), Float32Array.of(5), Float32Array.of(7)];
    const a = bucketingApply(xs, createRng(5, 'server'), 2);
    const b = bucketingApply(xs, createRng(5, 'server'), 2);
    expect(a.sources).toEqual(b.sources);
    a.sources.forEach((bucket, i) => expect(Number.isFinite(a.vectors[i][0])).toBe(!bucket.includes(0)));
    expect(a.diagnostics.nonFinite).toEqual([0]);
  });
});
