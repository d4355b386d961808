/**
 * A stage must not turn a non-finite Byzantine input into a finite stand-in
 * that the rule after it then selects. The case that found it: honest
 * gradients spread around the origin and one NaN, where a zero stand-in is
 * the point nearest to all and Krum picks it (`arc > krum` returned 0).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAggregator, preaggregators } from '../../src/aggregators/index.ts';
import { createRng } from '../../src/sim/rng.ts';

const around = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [0.9, 0.1],
  [-0.1, 0.9],
  [0.2, -0.9],
].map((v) => Float32Array.from(v));

describe('non-finite Byzantine inputs through a stage', () => {
  const honestMean = [0, 1].map((j) => around.reduce((s, v) => s + v[j], 0) / around.length);
  for (const spec of ['arc > krum', 'clip(tau=0.5) > krum', 'bucketing(s=1) > krum']) {
    it(`${spec} never selects a stand-in for a NaN row: it selects an honest input`, () => {
      const xs = [...around, Float32Array.of(NaN, 0)];
      const out = createAggregator(spec).aggregate(xs, { f: 1, rng: createRng(3, 'server') }).aggregate;
      expect(Array.from(out).every(Number.isFinite)).toBe(true);
      expect(Math.hypot(out[0], out[1])).toBeGreaterThan(0.25);
    });
  }

  it('nnm > krum selects a finite row: the mean of the n − f honest neighbours, not a zero row', () => {
    const xs = [...around, Float32Array.of(NaN, 0)];
    const out = createAggregator('nnm > krum').aggregate(xs, { f: 1 }).aggregate;
    expect(out[0]).toBeCloseTo(honestMean[0], 5);
    expect(out[1]).toBeCloseTo(honestMean[1], 5);
  });

  it('every worst-case stage keeps the outputs of finite sources finite, and marks the others non-finite', () => {
    const stages = ['clip', 'arc', 'nnm', 'bucketing(s=2)', 'resample(s=2)'];
    fc.assert(
      fc.property(
        fc.constantFrom(...stages),
        fc.integer({ min: 5, max: 12 }),
        fc.nat(),
        fc.constantFrom(NaN, Infinity, -Infinity),
        (spec, n, seed, bad) => {
          const f = Math.floor((n - 1) / 2);
          const rng = createRng(seed, 'data');
          const xs = Array.from({ length: n }, () => Float32Array.from({ length: 3 }, () => rng.normal()));
          for (let i = 0; i < f; i++) xs[(i * 7) % n][i % 3] = bad;
          const bads = xs.flatMap((x, i) => (x.every(Number.isFinite) ? [] : [i]));
          const [name, params] = spec.includes('(') ? [spec.slice(0, spec.indexOf('(')), { s: 2 }] : [spec, {}];
          const stage = preaggregators.get(name)!.create(params);
          const out = stage.apply(xs, { f, rng: createRng(seed, 'server') });
          out.sources.forEach((src, t) => {
            expect(out.vectors[t].every(Number.isFinite)).toBe(!src.some((j) => bads.includes(j)));
          });
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});
