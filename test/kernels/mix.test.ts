/**
 * The batched kernels of the pre-aggregators — mix (many weighted means from
 * one pass), squaredNorms and scaleRows — against what they replace, bit for
 * bit on every kernel path this runtime has: per-output weightedMeanOf,
 * squaredNorm per row, and scale followed by squaredNorm. Also the scalar
 * twins against the SIMD kernels, with arbitrary totals and factors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simdAvailable, simdMix, simdScaleRows, simdSquaredNorms, type MixGroup } from '../../src/kernels/simd.ts';
import { scalarMix, scalarScaleRows, scalarSquaredNorms } from '../../src/kernels/scalar.ts';
import { isFiniteVector, scale, scaleRows, squaredNorm, squaredNorms, weightedMeanOf, weightedMeansOf } from '../../src/kernels/vector.ts';
import { bitDifference, onPath, PATHS } from './paths.ts';
import { float64s, rowsCase, rowsOf, SPECIAL } from './inputs.ts';

const RUNS = 100;

/** A weight as the stages pass them (counts), or anything a caller could. */
const weight = fc.oneof(
  { weight: 4, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 0.5, 1e-300, 1e300, ...SPECIAL) },
  { weight: 1, arbitrary: fc.double() },
);

/** Groups of rows of n inputs, rows repeated and in any order, some groups equal. */
const groupsArb = (n: number) =>
  fc
    .array(
      fc.array(fc.tuple(fc.nat({ max: n - 1 }), weight), { minLength: 1, maxLength: n + 3 }).map((pairs) => ({
        rows: pairs.map(([i]) => i),
        weights: pairs.map(([, w]) => w),
      })),
      { maxLength: 24 },
    )
    .chain((gs) => fc.array(fc.nat({ max: Math.max(0, gs.length - 1) }), { maxLength: gs.length ? 3 : 0 }).map((dups) => [...gs, ...dups.map((k) => gs[k])]));

const garbage32 = (d: number) => new Float32Array(d).fill(-12345.678);

describe.each(PATHS)('the batched pre-aggregation kernels on the %s path', (path) => {
  it('weightedMeansOf gives each output the bits of weightedMeanOf over its rows', () => {
    fc.assert(
      fc.property(
        rowsCase({ maxN: 40 }).chain((c) => fc.tuple(fc.constant(c), groupsArb(c.n), fc.boolean())),
        ([c, groups, withFinite]) => {
          const xs = rowsOf(c);
          onPath(path, () => {
            const finite = withFinite ? new Uint8Array(c.n).fill(7) : undefined;
            const outs = weightedMeansOf(xs, groups, finite);
            expect(outs).toHaveLength(groups.length);
            groups.forEach((g, k) => {
              const ref = weightedMeanOf(
                g.rows.map((i) => xs[i]),
                g.weights,
              );
              expect(bitDifference(outs[k], ref), `group ${k}`).toBeNull();
            });
            if (finite) expect(Array.from(finite)).toEqual(xs.map((x) => (isFiniteVector(x) ? 1 : 0)));
            // Equal groups get equal values, never one shared array.
            expect(new Set(outs).size).toBe(outs.length);
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('squaredNorms gives squaredNorm of every row, and scaleRows scale and its squaredNorm', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0, maxN: 40 }), fc.nat(), (c, seed) => {
        const xs = rowsOf(c);
        const factors = float64s(seed, c.n);
        onPath(path, () => {
          const sq = squaredNorms(xs);
          expect(bitDifference(sq, Float64Array.from(xs, squaredNorm))).toBeNull();
          const { scaled, squaredNorms: sq2 } = scaleRows(xs, factors);
          xs.forEach((x, i) => {
            const y = scale(x, factors[i]);
            expect(bitDifference(scaled[i], y), `row ${i}`).toBeNull();
            expect(Object.is(sq2[i], squaredNorm(y)) || (Number.isNaN(sq2[i]) && Number.isNaN(squaredNorm(y))), `row ${i}`).toBe(true);
          });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('an input of NaN or ±Infinity reaches only the means that list it, and is flagged', () => {
    const d = 16384 * 2 + 21;
    const xs = [0, 1, 2, 3].map((i) => Float32Array.from({ length: d }, (_, j) => i + j / d));
    xs[1][d - 1] = NaN;
    xs[2][5] = -Infinity;
    onPath(path, () => {
      const finite = new Uint8Array(4);
      const [a, b, e] = weightedMeansOf(xs, [{ rows: [0, 3], weights: [1, 1] }, { rows: [1, 0], weights: [2, 1] }, { rows: [2], weights: [1] }], finite);
      expect(Array.from(finite)).toEqual([1, 0, 0, 1]);
      expect(isFiniteVector(a)).toBe(true);
      expect(Number.isNaN(b[d - 1])).toBe(true);
      expect(b[d - 2]).toBe(Math.fround((2 * xs[1][d - 2] + xs[0][d - 2]) / 3));
      expect(e[5]).toBe(-Infinity);
    });
  });

  it('rejects a group with no rows or a row out of range', () => {
    const xs = [Float32Array.of(1, 2)];
    onPath(path, () => {
      expect(() => weightedMeansOf(xs, [{ rows: [], weights: [] }])).toThrow(/group 0 has no rows/);
      expect(() => weightedMeansOf(xs, [{ rows: [1], weights: [1] }])).toThrow(/lists row 1 of 1/);
    });
  });
});

describe.skipIf(!simdAvailable())('the batched kernels’ scalar twins are bit-identical to the SIMD kernels', () => {
  it('mix, with any totals, and the finiteness flags', () => {
    fc.assert(
      fc.property(
        rowsCase({ maxN: 40 }).chain((c) => fc.tuple(fc.constant(c), groupsArb(c.n), fc.array(fc.double(), { maxLength: 30 }))),
        ([c, gs, totals]) => {
          const xs = rowsOf(c);
          const groups: MixGroup[] = gs.map((g, k) => ({ ...g, total: totals[k] ?? g.weights.reduce((s, w) => s + w, 0) }));
          const a = groups.map(() => garbage32(c.d));
          const b = groups.map(() => garbage32(c.d));
          const fa = new Uint8Array(c.n).fill(7);
          const fb = new Uint8Array(c.n).fill(9);
          simdMix(xs, groups, a, fa);
          scalarMix(xs, groups, b, fb);
          groups.forEach((_, k) => expect(bitDifference(a[k], b[k]), `group ${k}`).toBeNull());
          expect(Array.from(fa)).toEqual(Array.from(fb));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('squaredNorms and scaleRows, with any factors', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0, maxN: 40 }), fc.nat(), (c, seed) => {
        const xs = rowsOf(c);
        const factors = float64s(seed, c.n);
        const a = new Float64Array(c.n).fill(-1);
        const b = new Float64Array(c.n).fill(-2);
        simdSquaredNorms(xs, a);
        scalarSquaredNorms(xs, b);
        expect(bitDifference(a, b)).toBeNull();
        const ya = xs.map(() => garbage32(c.d));
        const yb = xs.map(() => garbage32(c.d));
        simdScaleRows(xs, factors, ya, a);
        scalarScaleRows(xs, factors, yb, b);
        expect(bitDifference(a, b)).toBeNull();
        xs.forEach((_, i) => expect(bitDifference(ya[i], yb[i]), `row ${i}`).toBeNull());
      }),
      { numRuns: RUNS },
    );
  });

  it('mix stages groups of more rows than one pass holds in further passes', () => {
    const n = 300;
    const xs = Array.from({ length: n }, (_, i) => Float32Array.from({ length: 37 }, (_, j) => Math.sin(i * 37 + j) * (i === 123 && j === 5 ? Infinity : 1)));
    const groups: MixGroup[] = [
      { rows: Array.from({ length: n }, (_, i) => n - 1 - i), weights: new Float64Array(n).fill(1), total: n },
      { rows: [0, 299, 5], weights: [1, 2, 3], total: 6 },
      { rows: [123], weights: [0], total: 0 },
    ];
    const a = groups.map(() => garbage32(37));
    const b = groups.map(() => garbage32(37));
    const fa = new Uint8Array(n);
    const fb = new Uint8Array(n);
    simdMix(xs, groups, a, fa);
    scalarMix(xs, groups, b, fb);
    groups.forEach((_, k) => expect(bitDifference(a[k], b[k]), `group ${k}`).toBeNull());
    expect(Array.from(fa)).toEqual(Array.from(fb));
    expect(fa.indexOf(0)).toBe(123);
  });
});
