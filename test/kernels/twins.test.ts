/**
 * Every scalar twin gives the bits of its SIMD kernel, for every input: this
 * is what makes a trace hash independent of whether the runtime has
 * WebAssembly SIMD. (Without SIMD there is nothing to compare against; the
 * golden hashes then check the scalar path.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BLOCK,
  simdAvailable,
  simdClipStep,
  simdClosestMean,
  simdColumnSelect,
  simdGram,
  simdSignVote,
  simdSquaredDistancesTo,
  simdSquaredDistancesTo64,
  simdWeightedSum,
} from '../../src/kernels/simd.ts';
import {
  scalarClipStep,
  scalarClosestMean,
  scalarColumnSelect,
  scalarGram,
  scalarSignVote,
  scalarSquaredDistancesTo,
  scalarSquaredDistancesTo64,
  scalarWeightedSum,
} from '../../src/kernels/scalar.ts';
import { MAX_NETWORK_N, type Centre } from '../../src/kernels/networks.ts';
import { bitDifference } from './paths.ts';
import { float64s, rowsCase, rowsOf, SPECIAL } from './inputs.ts';

const RUNS = 150;

/** Weights as rules pass them: all ones, or a mix of zeros, ones, ordinary and special values. */
const weightsArb = (n: number) =>
  fc.oneof(
    fc.constant(Array<number>(n).fill(1)),
    fc.array(fc.oneof(fc.constantFrom(0, -0, 1, 0.5, 3, 1e-300, 1e300), fc.double(), fc.constantFrom(...SPECIAL)), {
      minLength: n,
      maxLength: n,
    }),
  );

/** An output buffer holding garbage, so a twin that skips an element is caught. */
const garbage32 = (d: number) => new Float32Array(d).fill(-12345.678);
const garbage64 = (d: number) => new Float64Array(d).fill(-12345.678);

describe.skipIf(!simdAvailable())('scalar twins are bit-identical to the SIMD kernels', () => {
  it('weightedSum (sum, wsum)', () => {
    fc.assert(
      fc.property(
        rowsCase({ minN: 0 }).chain((c) => fc.tuple(fc.constant(c), weightsArb(c.n), fc.boolean(), fc.double())),
        ([c, w, ownTotal, total]) => {
          const xs = rowsOf(c);
          const t = ownTotal ? total : w.reduce((s, x) => s + x, 0);
          const a = garbage32(c.d);
          const b = garbage32(c.d);
          simdWeightedSum(xs, w, t, a);
          scalarWeightedSum(xs, w, t, b);
          expect(bitDifference(a, b)).toBeNull();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gram (the dot tiles over WIDE-column chunks)', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0 }), (c) => {
        const xs = rowsOf(c);
        expect(bitDifference(simdGram(xs), scalarGram(xs))).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('squaredDistancesTo (sqdist), to an input or to another point', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0 }), fc.nat(), (c, pick) => {
        const xs = rowsOf(c);
        const z = c.n > 0 && pick % 3 ? xs[pick % c.n] : rowsOf({ ...c, n: 1, seed: c.seed + 1, copies: [] })[0];
        const a = garbage64(c.n);
        const b = garbage64(c.n);
        simdSquaredDistancesTo(z, xs, a);
        scalarSquaredDistancesTo(z, xs, b);
        expect(bitDifference(a, b)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('squaredDistancesTo64 (sqdist64), to a float64 point', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0 }), fc.nat(), (c, seed) => {
        const xs = rowsOf(c);
        const v = float64s(seed, c.d);
        const a = garbage64(c.n);
        const b = garbage64(c.n);
        simdSquaredDistancesTo64(v, xs, a);
        scalarSquaredDistancesTo64(v, xs, b);
        expect(bitDifference(a, b)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('columnSelect (the partition networks), for the median, every trim and arbitrary rank ranges', () => {
    fc.assert(
      fc.property(
        rowsCase({ maxN: MAX_NETWORK_N }).chain((c) =>
          fc.tuple(
            fc.constant(c),
            fc.oneof(
              fc.constant([(c.n - 1) >> 1, c.n & 1 ? 1 : 2]),
              fc.nat({ max: (c.n - 1) >> 1 }).map((t) => [t, c.n - 2 * t]),
              fc.nat({ max: c.n - 1 }).chain((low) => fc.integer({ min: 1, max: c.n - low }).map((mid) => [low, mid])),
            ),
          ),
        ),
        ([c, [low, mid]]) => {
          const xs = rowsOf(c);
          const a = garbage32(c.d);
          const b = garbage32(c.d);
          simdColumnSelect(xs, low, mid, a);
          scalarColumnSelect(xs, low, mid, b);
          expect(bitDifference(a, b)).toBeNull();
        },
      ),
      { numRuns: RUNS },
    );
  });

  /** Both kernels with a fallback that records its blocks and fills NaN lanes with a value of the coordinate. */
  function closest(xs: Float32Array[], f: number, centre: Centre, d: number) {
    const run = (kernel: typeof simdClosestMean) => {
      const out = garbage32(d);
      const calls: [number, number][] = [];
      kernel(xs, f, centre, out, (j0, j1) => {
        calls.push([j0, j1]);
        for (let j = j0; j < j1; j++) if (out[j] !== out[j]) out[j] = j + 0.25;
      });
      return { out, calls };
    };
    return { simd: run(simdClosestMean), scalar: run(scalarClosestMean) };
  }

  it('closestMean (meamed, phocas), flags and fallback blocks included', () => {
    fc.assert(
      fc.property(
        rowsCase({ maxN: MAX_NETWORK_N }).chain((c) =>
          fc.tuple(fc.constant(c), fc.oneof(fc.nat({ max: (c.n - 1) >> 1 }), fc.nat({ max: c.n - 1 })), fc.constantFrom<Centre>('median', 'trimmed')),
        ),
        ([c, f, centre]) => {
          const { simd, scalar } = closest(rowsOf(c), f, centre, c.d);
          expect(bitDifference(simd.out, scalar.out)).toBeNull();
          expect(scalar.calls).toEqual(simd.calls);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('signVote (vote): signs, ties and their count', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0 }), (c) => {
        const xs = rowsOf(c);
        const a = garbage32(c.d);
        const b = garbage32(c.d);
        expect(scalarSignVote(xs, b)).toBe(simdSignVote(xs, a));
        expect(bitDifference(a, b)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it('clipStep (clip), with any scales and divisor', () => {
    fc.assert(
      fc.property(rowsCase({ minN: 0 }), fc.nat(), fc.oneof(fc.integer({ min: 1, max: 80 }), fc.double()), (c, seed, n) => {
        const xs = rowsOf(c);
        const scales = float64s(seed + 1, c.n).map(Math.abs);
        const a = float64s(seed, c.d);
        const b = a.slice();
        simdClipStep(xs, scales, n, a);
        scalarClipStep(xs, scales, n, b);
        expect(bitDifference(a, b)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  describe('examples at the edges', () => {
    const col = (...x: number[]) => x.map((t) => Float32Array.of(t));

    it('signed zeros: sums that are −0, medians and means of ±0, selections among equal zeros', () => {
      const zeros = col(-0, 0, -0, -0, 0);
      const allNeg = col(-0, -0, -0, -0);
      for (const xs of [zeros, allNeg]) {
        for (const [low, mid] of [[0, 1], [1, 2], [0, xs.length], [2, 1]]) {
          const a = new Float32Array(1);
          const b = new Float32Array(1);
          simdColumnSelect(xs, low, mid, a);
          scalarColumnSelect(xs, low, mid, b);
          expect(bitDifference(a, b)).toBeNull();
        }
        const a = new Float32Array(1);
        const b = new Float32Array(1);
        simdWeightedSum(xs, xs.map(() => 1), xs.length, a);
        scalarWeightedSum(xs, xs.map(() => 1), xs.length, b);
        expect(bitDifference(a, b)).toBeNull();
        expect(bitDifference(simdGram(xs), scalarGram(xs))).toBeNull();
      }
      // A dot product of −0 coordinates across the padded tail of a Gram chunk.
      const xs = [Float32Array.of(-0, 1, 0), Float32Array.of(1, -0, 0), Float32Array.of(-0, -0, -0)];
      expect(bitDifference(simdGram(xs), scalarGram(xs))).toBeNull();
    });

    it('closest values: contested slots, several values at the tied distance, infinite and NaN centres', () => {
      const cases = [
        col(0, 1, 2),
        col(-1, -1, 0, 0, 1, 5, 9),
        col(NaN, Infinity, -Infinity, 1, 2),
        col(-Infinity, -Infinity, -Infinity, 1, 2),
        col(3, 3, 3, 3, 3),
        col(-2, -1, 0, 1, 2, 2, -2),
        col(-0, 0, -0, 1, -1),
        col(Infinity, Infinity, Infinity, 1),
        col(NaN, NaN, NaN, NaN),
        col(3.4028234663852886e38, -3.4028234663852886e38, 3.4028234663852886e38, 1, 2),
      ];
      for (const xs of cases) {
        for (let f = 0; f < xs.length; f++) {
          for (const centre of ['median', 'trimmed'] as const) {
            const { simd, scalar } = closest(xs, f, centre, 1);
            expect(bitDifference(simd.out, scalar.out)).toBeNull();
            expect(scalar.calls).toEqual(simd.calls);
          }
        }
      }
    });

    it('a flagged lane sends its whole block to the fallback, NaN outputs of other lanes included', () => {
      const d = BLOCK + 40;
      const xs = Array.from({ length: 5 }, (_, i) => Float32Array.from({ length: d }, (_, j) => (j % 7) * (i + 1)));
      // Coordinate 3: +Infinity and −Infinity among the kept values, a NaN mean but a finite centre (no flag).
      xs[0][3] = Infinity;
      xs[1][3] = -Infinity;
      // Coordinate 10, in the first block only: an infinite median (a flag).
      for (let i = 0; i < 3; i++) xs[i][10] = Infinity;
      const { simd, scalar } = closest(xs, 0, 'median', d);
      expect(simd.calls).toEqual([[0, BLOCK]]);
      expect(simd.out[3]).toBe(3.25);
      expect(scalar.calls).toEqual(simd.calls);
      expect(bitDifference(simd.out, scalar.out)).toBeNull();
    });

    it('distances and Gram entries with huge, tiny and non-finite coordinates across a block boundary', () => {
      const d = BLOCK + 3;
      const base = Float32Array.from({ length: d }, (_, j) => [3e38, -3e38, 2 ** -149, 1, -0][j % 5]);
      const xs = [base, base.slice(), Float32Array.from(base, (x) => -x), new Float32Array(d)];
      xs[1][BLOCK + 1] = NaN;
      xs[2][BLOCK - 1] = Infinity;
      expect(bitDifference(simdGram(xs), scalarGram(xs))).toBeNull();
      const a = new Float64Array(4);
      const b = new Float64Array(4);
      simdSquaredDistancesTo(xs[0], xs, a);
      scalarSquaredDistancesTo(xs[0], xs, b);
      expect(bitDifference(a, b)).toBeNull();
    });
  });
});
