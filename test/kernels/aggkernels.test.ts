/**
 * The aggregation kernels (closest values, sign vote, cc's passes) against
 * plain references, on every kernel path this runtime has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oddEvenMergeSort, rankNetwork } from '../../src/kernels/networks.ts';
import { BLOCK } from '../../src/kernels/simd.ts';
import { kernelPath, kernels, setKernelPath } from '../../src/kernels/path.ts';
import {
  closestMeanColumnwise,
  sortedClosestMean,
  sortedColumnwise,
  sortedMedian,
  sortedTrimmedMean,
} from '../../src/kernels/subsets.ts';
import { createRng } from '../../src/sim/rng.ts';
import { PATHS } from './paths.ts';

type Gen = (rng: ReturnType<typeof createRng>) => number;
function inputs(seed: string, n: number, d: number, gen: Gen): Float32Array[] {
  const rng = createRng(seed, 'aggkernels-test');
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => gen(rng)));
}
const gaussian: Gen = (r) => r.normal();
/** Small integers: many ties, equal values and equally distant pairs. */
const ints: Gen = (r) => Math.round(3 * r.normal());
/** Mostly small integers with NaN, ±Infinity, ±0 and huge values mixed in. */
const nasty: Gen = (r) => {
  const u = r.next();
  if (u < 0.05) return NaN;
  if (u < 0.1) return Infinity;
  if (u < 0.15) return -Infinity;
  if (u < 0.2) return -0;
  return Math.round(2 * r.normal());
};
/** Small integers and values near ±float32 max, whose float64 sums depend on their order. */
const huge: Gen = (r) => {
  const u = r.next();
  if (u < 0.1) return (u < 0.05 ? -1 : 1) * 3e38;
  return Math.round(2 * r.normal());
};

function reference(xs: Float32Array[], f: number, centre: 'median' | 'trimmed'): Float32Array {
  return sortedColumnwise(xs, 'ref', (s, lo, m) =>
    sortedClosestMean(s, lo, m, m - f, centre === 'median' ? sortedMedian(s, lo, m) : sortedTrimmedMean(s, lo, m, f)),
  );
}

describe('rankNetwork', () => {
  it('puts the value of each requested rank on its wire, for every 0-1 input (and random inputs)', () => {
    for (const [n, positions] of [[5, [0, 1, 3, 4]], [9, [0, 1, 2, 4, 6, 7, 8]], [17, [0, 1, 2, 3, 4, 8, 12, 13, 14, 15, 16]], [12, [0, 1, 5, 6, 10, 11]]] as const) {
      const net = rankNetwork(n, positions);
      expect(net.length).toBeLessThanOrEqual(oddEvenMergeSort(n).length);
      const rng = createRng('rank', String(n));
      for (let trial = 0; trial < 2000; trial++) {
        const x = Array.from({ length: n }, () => Math.round(4 * rng.normal()));
        const sorted = x.slice().sort((a, b) => a - b);
        for (const [a, b] of net) if (x[a] > x[b]) [x[a], x[b]] = [x[b], x[a]];
        for (const p of positions) expect(x[p] + 0).toBe(sorted[p] + 0);
      }
    }
  });
});

describe.each(PATHS)('aggregation kernels on the %s path', (path) => {
  const before = kernelPath();
  beforeAll(() => {
    setKernelPath(path);
  });
  afterAll(() => {
    setKernelPath(before);
  });

  describe('closest-values kernel (meamed, phocas)', () => {
    const cases: [string, Gen, number][] = [['gaussian', gaussian, 0], ['ints', ints, 0], ['nasty', nasty, 0], ['huge', huge, 0]];
    for (const [name, gen] of cases) {
      it(`equals sortedClosestMean on ${name} inputs, for several (n, f), across block tails`, () => {
        for (const [n, f] of [[1, 0], [3, 1], [4, 1], [5, 2], [6, 1], [9, 4], [10, 3], [17, 4], [17, 8], [20, 5]]) {
          for (const d of name === 'gaussian' ? [7, BLOCK + 5] : [1, 333]) {
            const xs = inputs(`${name}/${n}/${f}/${d}`, n, d, gen);
            for (const centre of ['median', 'trimmed'] as const) {
              const got = closestMeanColumnwise(xs, f, centre, 'test');
              const want = reference(xs, f, centre);
              for (let j = 0; j < d; j++) {
                if (name === 'gaussian') expect(Math.abs(got[j] - want[j])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[j])));
                // The window is summed in another order than nearest-first: equal up to float64 rounding of the sum.
                else if (name === 'huge') expect(Math.abs(got[j] - want[j])).toBeLessThanOrEqual(n * 3e38 * 2 ** -50);
                // Small integers sum exactly in float64, whatever the order.
                else expect(got[j]).toBe(want[j]);
              }
            }
          }
        }
      });
    }

    it('splits a contested last slot in halves, and defers multiple ties to the plain rule', () => {
      const v = (...x: number[]) => x.map((t) => Float32Array.of(t));
      expect(closestMeanColumnwise(v(0, 1, 2), 1, 'median', 't')[0]).toBe(1);
      // Two values at the tied distance below, one above, two slots left: the plain rule takes one of each.
      expect(closestMeanColumnwise(v(-1, -1, 0, 0, 1, 5, 9), 2, 'median', 't')).toEqual(reference(v(-1, -1, 0, 0, 1, 5, 9), 2, 'median'));
      expect(closestMeanColumnwise(v(NaN, Infinity, -Infinity, 1, 2), 2, 'median', 't')).toEqual(reference(v(NaN, Infinity, -Infinity, 1, 2), 2, 'median'));
      expect(closestMeanColumnwise(v(-Infinity, -Infinity, -Infinity, 1, 2), 1, 'trimmed', 't')).toEqual(reference(v(-Infinity, -Infinity, -Infinity, 1, 2), 1, 'trimmed'));
    });
  });

  describe('sign vote kernel', () => {
    it('counts signs (±Infinity vote, NaN and ±0 abstain), +0 on ties, and counts ties', () => {
      for (const [n, d] of [[1, 5], [3, 17], [4, 1000], [17, BLOCK + 3]]) {
        const xs = inputs(`vote/${n}/${d}`, n, d, nasty);
        const out = new Float32Array(d);
        const ties = kernels().signVote(xs, out);
        let want = 0;
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (const x of xs) s += x[j] > 0 ? 1 : x[j] < 0 ? -1 : 0;
          const e = s > 0 ? 1 : s < 0 ? -1 : 0;
          if (e === 0) want++;
          expect(Object.is(out[j], e)).toBe(true);
        }
        expect(ties).toBe(want);
      }
    });
  });

  describe('cc kernels', () => {
    it('squared distances to a float64 point match the plain sum', () => {
      for (const d of [1, 19, BLOCK + 9]) {
        const xs = inputs(`sq64/${d}`, 5, d, gaussian);
        xs[2][0] = NaN;
        xs[3][d - 1] = -Infinity;
        const rng = createRng('sq64', String(d));
        const v = Float64Array.from({ length: d }, () => rng.normal() / 3);
        const out = new Float64Array(5);
        kernels().squaredDistancesTo64(v, xs, out);
        for (let i = 0; i < 5; i++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += (xs[i][j] - v[j]) ** 2;
          if (Number.isFinite(s)) expect(Math.abs(out[i] - s)).toBeLessThanOrEqual(1e-12 * s);
          else expect(out[i]).toBe(s);
        }
      }
    });

    it('the clipped step is bit-identical to the ordered float64 loop (non-finite values propagate)', () => {
      for (const d of [1, 19, BLOCK + 9]) {
        const xs = inputs(`clip/${d}`, 4, d, gaussian);
        xs[1][d >> 1] = Infinity;
        const rng = createRng('clip', String(d));
        const v = Float64Array.from({ length: d }, () => rng.normal() / 3);
        const scales = [1, 0.25, 0.5, 1e-3];
        const want = v.slice();
        const step = new Float64Array(d);
        for (let i = 0; i < 4; i++) for (let j = 0; j < d; j++) step[j] += scales[i] * (xs[i][j] - v[j]);
        for (let j = 0; j < d; j++) want[j] += step[j] / 7;
        kernels().clipStep(xs, scales, 7, v);
        expect(Array.from(v)).toEqual(Array.from(want));
      }
    });
  });
});
