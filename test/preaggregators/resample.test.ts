import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resample, resampleApply, resampleIndices } from '../../src/preaggregators/resample.ts';
import { createRng } from '../../src/sim/rng.ts';

const SEED = 20200617;

/** n, f < n/2, s and a run seed, plus one choice of which f inputs are Byzantine. */
const setting = fc
  .record({ n: fc.integer({ min: 1, max: 40 }), s: fc.integer({ min: 1, max: 5 }), seed: fc.integer() })
  .chain(({ n, s, seed }) =>
    fc.record({
      n: fc.constant(n),
      s: fc.constant(s),
      seed: fc.constant(seed),
      byzantine: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: Math.floor((n - 1) / 2) }),
    }),
  );

describe('resample (Algorithm 2)', () => {
  it('gives T = n outputs of s draws, uses every input exactly s times, and touches at most s·f outputs', () => {
    fc.assert(
      fc.property(setting, ({ n, s, seed, byzantine }) => {
        const samples = resampleIndices(n, s, createRng(seed, 'server'));
        expect(samples).toHaveLength(n);
        const uses = new Array(n).fill(0);
        for (const group of samples) {
          expect(group).toHaveLength(s);
          for (const j of group) uses[j]++;
        }
        expect(uses.every((u) => u === s)).toBe(true);
        const bad = new Set(byzantine);
        const touched = samples.filter((g) => g.some((j) => bad.has(j))).length;
        expect(touched).toBeLessThanOrEqual(s * bad.size);
        expect(resample.create({ s }).transform(n, bad.size)).toEqual({ n, f: Math.min(s * bad.size, n), bound: 'worst-case' });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('outputs the mean of the inputs each sample lists, and records them', () => {
    const xs = Array.from({ length: 7 }, (_, i) => Float32Array.from([i, 10 * i]));
    const out = resampleApply(xs, createRng(3, 'server'), 3);
    const samples = out.diagnostics.samples as number[][];
    expect(out.sources).toEqual(samples);
    out.vectors.forEach((v, t) => {
      const m = samples[t].reduce((a, j) => a + j, 0) / 3;
      expect(v[0]).toBeCloseTo(m, 5);
      expect(v[1]).toBeCloseTo(10 * m, 4);
    });
  });

  it('replays from the seed', () => {
    expect(resampleIndices(12, 2, createRng(7, 'server'))).toEqual(resampleIndices(12, 2, createRng(7, 'server')));
  });

  it('with s = 1 is a shuffle of the inputs', () => {
    const samples = resampleIndices(9, 1, createRng(1, 'server'));
    expect(samples.flat().sort((a, b) => a - b)).toEqual([...Array(9).keys()]);
  });

  it('passes a non-finite input on: exactly the outputs that drew it are non-finite', () => {
    const xs = [Float32Array.from([NaN, 1]), Float32Array.from([2, 2]), Float32Array.from([4, 4]), Float32Array.from([6, 6])];
    const out = resampleApply(xs, createRng(1, 'server'), 2);
    out.sources.forEach((group, t) => expect(out.vectors[t].every(Number.isFinite)).toBe(!group.includes(0)));
    expect(out.sources.filter((g) => g.includes(0)).length).toBeGreaterThan(0);
    expect(out.diagnostics.nonFinite).toEqual([0]);
  });

  it('needs ctx.rng', () => {
    expect(() => resample.create({}).apply([Float32Array.of(1)], { f: 0 })).toThrow(/ctx\.rng/);
  });

  it('validates s', () => {
    expect(() => resample.create({ s: 0 })).toThrow(/parameter 's' of resample/);
    expect(() => resample.create({ s: 1.5 })).toThrow(/integer/);
  });
});
