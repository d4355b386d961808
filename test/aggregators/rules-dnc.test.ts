/** dnc: inputs far along the top singular direction of random coordinate subsets are dropped; the rest averaged. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dnc, dncAggregate, topEigenpair } from '../../src/aggregators/dnc.ts';
import { createRng } from '../../src/sim/rng.ts';
import { invariants, type InvariantName, type RuleUnderTest } from '../../src/invariants/properties.ts';
import { inputs, intVector, permutation } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const all = (d: number) => [Array.from({ length: d }, (_, j) => j)];
const U32 = 2 ** -24;

describe('dnc', () => {
  it('by hand: drops the input farthest along the top singular direction', () => {
    const r = dncAggregate([v(0), v(1), v(2), v(3), v(100)], 1, { subsets: all(1) });
    expect(Array.from(r.aggregate)).toEqual([1.5]);
    expect(r.diagnostics.selected).toEqual([0, 1, 2, 3]);
    // In 2-d the outlier sits along (1, 1); the inputs spread along (1, −1) are kept.
    const xs = [v(1, -1), v(-1, 1), v(2, -2), v(-2, 2), v(30, 30)];
    expect(dncAggregate(xs, 1, { subsets: all(2) }).diagnostics.selected).toEqual([0, 1, 2, 3]);
    // Only coordinate 1 is looked at, where input 2 is the outlier; c = 0.5 removes ⌊0.5·2⌋ = 1.
    const ys = [v(0, 0), v(1, 1), v(2, 50), v(50, 2), v(3, 3)];
    expect(dncAggregate(ys, 2, { c: 0.5, subsets: [[1]] }).diagnostics.selected).toEqual([0, 1, 3, 4]);
  });

  it('averages the inputs kept most often when the kept sets do not meet (the peers average nothing: NaN)', () => {
    // Each subset sees one coordinate, where one input is the outlier: every input is dropped once.
    const xs = [v(10, 0, 0), v(0, 10, 0), v(0, 0, 10)];
    const r = dncAggregate(xs, 1, { subsets: [[0], [1], [2]] });
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(Array.from(r.aggregate)).toEqual(Array(3).fill(Math.fround(10 / 3)));
    expect(r.diagnostics.iterations).toBe(3);
  });

  it('topEigenpair returns the largest eigenvalue and a unit eigenvector', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((m) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: m * 3, maxLength: m * 3 }).map((x) => ({ m, x }))),
        ({ m, x }) => {
          // G = C Cᵀ for an m × 3 matrix C: symmetric, positive semi-definite, rank ≤ 3 (repeated zero eigenvalues).
          const g = new Float64Array(m * m);
          for (let p = 0; p < m; p++) for (let q = 0; q < m; q++) for (let k = 0; k < 3; k++) g[p * m + q] += x[p * 3 + k] * x[q * 3 + k];
          const { value, vector } = topEigenpair(g.slice(), m);
          const scale = Math.max(1e-300, ...g.map(Math.abs));
          expect(Math.hypot(...vector)).toBeCloseTo(1, 12);
          for (let p = 0; p < m; p++) {
            let s = 0;
            for (let q = 0; q < m; q++) s += g[p * m + q] * vector[q];
            expect(Math.abs(s - value * vector[p])).toBeLessThan(1e-9 * scale * m);
          }
          // No direction has a larger Rayleigh quotient: check the coordinate axes and the all-ones vector.
          for (let p = 0; p < m; p++) expect(g[p * m + p]).toBeLessThanOrEqual(value * (1 + 1e-12) + 1e-12 * scale);
          expect(g.reduce((s, t) => s + t, 0) / m).toBeLessThanOrEqual(value * (1 + 1e-12) + 1e-12 * scale * m);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('never keeps a non-finite input, and leaves it out of the centring', () => {
    const r = dncAggregate([v(1, 2), v(2, 1), v(NaN, 0), v(1.5, 1.5), v(Infinity, 1)], 2, { subsets: all(2) });
    expect(r.diagnostics.selected).toEqual([0, 1, 3]);
    expect(Array.from(r.aggregate)).toEqual([1.5, 1.5]);
    // With c < 1 it is dropped even past ⌊c·f⌋.
    expect(dncAggregate([v(1), v(2), v(NaN)], 1, { c: 0, subsets: all(1) }).diagnostics.selected).toEqual([0, 1]);
  });

  it('excludes a far cluster of up to f equal inputs, whatever the honest inputs (so its output is in their range)', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)),
        fc.integer({ min: 0, max: 1 << 20 }),
        ({ f, vectors }, seed) => {
          const d = vectors[0].length;
          const far = Float32Array.from({ length: d }, (_, j) => (j % 2 ? 1e6 : -1e6));
          const xs = vectors.map((x, i) => (i % 3 === 1 && i < 3 * f ? far : x));
          const byzantine = xs.map((x, i) => (x === far ? i : -1)).filter((i) => i >= 0);
          const r = dnc.create({ b: 3, niters: 2 }).aggregate(xs, { f, rng: createRng(seed, 'server') });
          const selected = r.diagnostics.selected as number[];
          expect(selected.filter((i) => byzantine.includes(i))).toEqual([]);
          for (let j = 0; j < d; j++) {
            const honest = xs.filter((_, i) => !byzantine.includes(i)).map((x) => x[j]);
            expect(r.aggregate[j]).toBeGreaterThanOrEqual(Math.min(...honest));
            expect(r.aggregate[j]).toBeLessThanOrEqual(Math.max(...honest));
          }
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });

  it('does not depend on the order of the inputs, for the same coordinate draws', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)).chain((x) => fc.tuple(fc.constant(x), permutation(x.vectors.length), fc.nat())),
        ([{ f, vectors }, perm, seed]) => {
          const d = vectors[0].length;
          const draw = createRng(seed, 'server');
          const subsets = Array.from({ length: 3 }, () => draw.sample(d, Math.max(1, d >> 1)));
          const a = dncAggregate(vectors, f, { subsets });
          const b = dncAggregate(perm.map((i) => vectors[i]), f, { subsets });
          expect((b.diagnostics.selected as number[]).map((k) => perm[k]).sort((x, y) => x - y)).toEqual(a.diagnostics.selected);
          const scale = Math.max(1, ...vectors.flatMap((x) => Array.from(x, Math.abs)));
          b.aggregate.forEach((t, j) => expect(Math.abs(t - a.aggregate[j])).toBeLessThanOrEqual(4 * U32 * scale));
        },
      ),
      { seed: 13, numRuns: 300 },
    );
  });

  it('draws niters subsets of b coordinates from ctx.rng, and nothing when b ≥ d', () => {
    const xs = Array.from({ length: 7 }, (_, i) => Float32Array.from({ length: 20 }, (_, j) => Math.sin(i * 7 + j) + (i === 6 ? 5 : 0)));
    const draw = createRng(3, 'server');
    const subsets = Array.from({ length: 4 }, () => draw.sample(20, 6));
    const r = dnc.create({ b: 6, niters: 4 }).aggregate(xs, { f: 2, rng: createRng(3, 'server') });
    expect(r).toEqual(dncAggregate(xs, 2, { subsets }));
    expect(() => dnc.create({ b: 6 }).aggregate(xs, { f: 2 })).toThrow(/needs ctx\.rng/);
    const rng = createRng(3, 'server');
    expect(dnc.create({ b: 20 }).aggregate(xs, { f: 2, rng })).toEqual(dncAggregate(xs, 2, { subsets: all(20) }));
    expect(rng.next()).toBe(createRng(3, 'server').next());
  });

  it('validates its inputs, parameters and (n, f)', () => {
    expect(() => dncAggregate([], 0, { subsets: all(1) })).toThrow(/no input vectors/);
    expect(() => dncAggregate([v(1), v(1, 2), v(3)], 1, { subsets: all(1) })).toThrow(/ragged/);
    expect(() => dncAggregate([v(1), v(2), v(3), v(4)], 2, { subsets: all(1) })).toThrow('dnc requires n ≥ 2f + 1 (got n=4, f=2)');
    expect(() => dncAggregate([v(1), v(2), v(3)], 1, { subsets: [[1]] })).toThrow(/coordinates in \[0, 1\)/);
    expect(() => dncAggregate([v(1), v(2), v(3)], 1, { subsets: [] })).toThrow(/no coordinate subsets/);
    expect(() => dnc.create({ niters: 0 })).toThrow(/parameter 'niters' of dnc/);
    const wide = dnc.create({ c: 3 });
    expect(wide.requirement.text).toBe('n ≥ 2f + 1 and ⌊c·f⌋ < n (c=3)');
    expect(wide.requirement.check(5, 2)).toBe(false);
    expect(dnc.create().spec).toBe('dnc(b=10000, niters=5, c=1)');
    expect(dnc.create().randomized).toBe(true);
  });

  it('satisfies the invariants it claims (src/invariants/properties.ts), permutation with the same stream too', () => {
    for (const params of [{}, { b: 3, niters: 3 }] as Record<string, number>[]) {
      const sample = dnc.create(params);
      const rule: RuleUnderTest = { label: sample.spec, make: () => dnc.create(params), requirement: sample.requirement, randomized: true, approximate: false };
      const claimed: InvariantName[] = ['permutation-invariance', 'identity', 'translation-equivariance', 'scale-equivariance', 'finite-output'];
      for (const name of claimed) fc.assert(invariants[name].property(rule, { maxN: 30, maxD: 16 }), { seed: 20230425, numRuns: 150 });
    }
  });

  it('matches Blades’ and FLPoison’s DnC (test/fixtures/peers/blades_flpoison_rules.py) on their recorded draws', () => {
    const { dnc: cases } = JSON.parse(readFileSync(new URL('../fixtures/peers/blades-flpoison-rules.json', import.meta.url), 'utf8')) as {
      dnc: { peer: string; f: number; c: number; inputs: number[][]; subsets: number[][]; selected: number[]; output: number[] }[];
    };
    expect(cases.map((c) => c.peer)).toEqual(['blades', 'blades', 'blades', 'blades', 'flpoison', 'flpoison']);
    for (const c of cases) {
      const r = dncAggregate(c.inputs.map((x) => Float32Array.from(x)), c.f, { c: c.c, subsets: c.subsets });
      expect(r.diagnostics.selected).toEqual(c.selected);
      // The same float32 inputs averaged in float64 (the transcription; the peers average in float32):
      // byzsim's output differs by its float32 rounding, half an ulp, on the scale of the output.
      const scale = Math.max(...c.output.map(Math.abs));
      r.aggregate.forEach((t, j) => expect(Math.abs(t - c.output[j])).toBeLessThanOrEqual(U32 * scale));
    }
  });
});
