/**
 * The vector kernels against plain references, on every kernel path this
 * runtime has (SIMD and scalar, or scalar alone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  coordinateMedian,
  coordinateTrimmedMean,
  meanOf,
  pairwiseSquaredDistances,
  squaredDistance,
  squaredDistancesTo,
  weightedMeanOf,
} from '../../src/kernels/vector.ts';
import { BLOCK } from '../../src/kernels/simd.ts';
import { MAX_NETWORK_N } from '../../src/kernels/networks.ts';
import { kernelPath, kernels, setKernelPath } from '../../src/kernels/path.ts';
import { createRng } from '../../src/sim/rng.ts';
import { PATHS } from './paths.ts';

function gaussian(seed: string, n: number, d: number, centre = 0, scale = 1): Float32Array[] {
  const rng = createRng(seed, 'simd-test');
  return Array.from({ length: n }, () => Float32Array.from({ length: d }, () => centre + scale * rng.normal()));
}

/** Plain reference: sort each column (NaN as +Infinity), average ranks [low, low + mid). */
function columnMeanOfRanks(xs: readonly Float32Array[], low: number, mid: number): Float32Array {
  const d = xs[0].length;
  const out = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const col = xs.map((x) => (Number.isNaN(x[j]) ? Infinity : x[j])).sort((a, b) => a - b);
    let s = 0;
    for (let k = low; k < low + mid; k++) s += col[k];
    out[j] = s / mid;
  }
  return out;
}

/** The distance matrix from differences (float64 sums of squared float32 differences): the reference for the Gram version. */
function distancesByDifferences(xs: readonly Float32Array[]): Float64Array {
  const n = xs.length;
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) out[a * n + b] = squaredDistance(xs[a], xs[b]);
  return out;
}

// Dimensions around the block and the 16-column padding, so tails are exercised.
const dims = [1, 3, 16, 17, BLOCK - 1, BLOCK + 5, 2 * BLOCK + 13];

describe.each(PATHS)('vector kernels on the %s path', (path) => {
  const before = kernelPath();
  beforeAll(() => {
    setKernelPath(path);
  });
  afterAll(() => {
    setKernelPath(before);
  });

  it('run on the path asked for', () => {
    expect(kernelPath()).toBe(path);
  });

  it('means are bit-identical to the ordered float64 loop, across block tails', () => {
    for (const d of dims) {
      const xs = gaussian(`mean/${d}`, 7, d, 3, 100);
      const w = [0.5, 0, 2, 1, 3, 0.25, 1];
      const expectMean = (weights: number[], got: Float32Array) => {
        const total = weights.reduce((a, b) => a + b, 0);
        for (let j = 0; j < d; j++) {
          let acc = 0;
          for (let i = 0; i < xs.length; i++) if (weights[i] !== 0) acc += weights[i] * xs[i][j];
          expect(got[j]).toBe(Math.fround(acc / total));
        }
      };
      expectMean(w, weightedMeanOf(xs, w));
      expectMean(xs.map(() => 1), meanOf(xs));
    }
  });

  it('the Gram matrix equals float64 dot products', () => {
    const xs = gaussian('gram', 9, BLOCK + 7);
    const G = kernels().gram(xs);
    for (let a = 0; a < 9; a++) {
      for (let b = 0; b < 9; b++) {
        let s = 0;
        for (let j = 0; j < xs[a].length; j++) s += xs[a][j] * xs[b][j];
        expect(G[a * 9 + b]).toBeCloseTo(s, 8);
        expect(G[a * 9 + b]).toBe(G[b * 9 + a]);
      }
    }
  });

  it('Gram distances equal difference-based distances, for odd and even n', () => {
    for (const [n, d] of [[1, 10], [2, 5], [17, 3000], [6, 2 * BLOCK + 1]]) {
      const xs = gaussian(`dist/${n}/${d}`, n, d, 0, 10);
      const G = pairwiseSquaredDistances(xs);
      const D = distancesByDifferences(xs);
      for (let k = 0; k < n * n; k++) expect(Math.abs(G[k] - D[k])).toBeLessThanOrEqual(1e-9 * D[k]);
    }
  });

  it('large norms: nearby vectors far from the origin keep their distances (cancellation guard)', () => {
    for (const centre of [1e3, 1e6, 3e8]) {
      const xs = gaussian(`far/${centre}`, 9, 5000, centre, 1e-3 * centre);
      // Two inputs equal, one a single ulp-sized step away.
      xs[1] = xs[0].slice();
      xs[2] = xs[0].slice();
      xs[2][17] = Math.fround(xs[2][17] * (1 + 2 ** -20));
      const norms = new Float64Array(9);
      const G = pairwiseSquaredDistances(xs, norms);
      const D = distancesByDifferences(xs);
      for (let k = 0; k < 81; k++) {
        expect(G[k]).toBeGreaterThanOrEqual(0);
        expect(Math.abs(G[k] - D[k])).toBeLessThanOrEqual(1e-6 * D[k]);
      }
      expect(G[0 * 9 + 1]).toBe(0);
      expect(G[0 * 9 + 2]).toBe(D[0 * 9 + 2]);
      expect(G[0 * 9 + 2]).toBeGreaterThan(0);
      for (let i = 0; i < 9; i++) expect(norms[i]).toBeCloseTo(squaredDistance(xs[i], new Float32Array(5000)), -Math.log10(norms[i]) + 6);
    }
  });

  it('non-finite inputs get difference-based distances and non-finite norms', () => {
    const xs = gaussian('nonfinite', 5, 100);
    xs[1][3] = NaN;
    xs[3][50] = Infinity;
    const norms = new Float64Array(5);
    const G = pairwiseSquaredDistances(xs, norms);
    const D = distancesByDifferences(xs);
    for (let k = 0; k < 25; k++) {
      if (!Number.isFinite(D[k])) expect(G[k]).toBe(D[k]);
      else expect(Math.abs(G[k] - D[k])).toBeLessThanOrEqual(1e-9 * D[k]);
    }
    expect(Array.from(norms, (x) => x < Infinity)).toEqual([true, false, true, false, true]);
  });

  it('squaredDistancesTo matches squaredDistance', () => {
    for (const d of dims) {
      const xs = gaussian(`to/${d}`, 5, d);
      const z = gaussian(`z/${d}`, 1, d)[0];
      const got = squaredDistancesTo(z, xs);
      for (let i = 0; i < 5; i++) expect(got[i]).toBeCloseTo(squaredDistance(z, xs[i]), 8);
    }
  });

  it('median and trimmed-mean networks agree with sorting for every n up to 19 and every trim', () => {
    const rng = createRng('networks', 'values');
    const pick = [NaN, Infinity, -Infinity, 0, 1, -1];
    for (let n = 1; n <= 19; n++) {
      const d = 37;
      const xs = Array.from({ length: n }, () =>
        Float32Array.from({ length: d }, () => (rng.next() < 0.1 ? pick[rng.int(pick.length)] : Math.round(rng.normal() * 8) + 0)),
      );
      const low = (n - 1) >> 1;
      const mid = n & 1 ? 1 : 2;
      expect(coordinateMedian(xs)).toEqual(columnMeanOfRanks(xs, low, mid));
      for (let trim = 0; 2 * trim < n; trim++) {
        expect(coordinateTrimmedMean(xs, trim)).toEqual(columnMeanOfRanks(xs, trim, n - 2 * trim));
      }
    }
  });

  it('coordinate-wise rules agree with sorting on Gaussian inputs across block tails and beyond the network size', () => {
    for (const [n, d] of [[17, BLOCK + 5], [MAX_NETWORK_N + 3, 9]]) {
      const xs = gaussian(`cw/${n}/${d}`, n, d);
      const f = 4;
      expect(coordinateMedian(xs)).toEqual(columnMeanOfRanks(xs, (n - 1) >> 1, n & 1 ? 1 : 2));
      const tm = coordinateTrimmedMean(xs, f);
      const ref = columnMeanOfRanks(xs, f, n - 2 * f);
      for (let j = 0; j < d; j++) expect(tm[j]).toBeCloseTo(ref[j], 6);
    }
  });

  it('property: trimmed mean and median match sorting for random reals', () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 13 }), d: fc.integer({ min: 1, max: 40 }) }).chain(({ n, d }) =>
          fc.tuple(
            fc.array(fc.array(fc.float({ noNaN: false }), { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
            fc.nat({ max: (n - 1) >> 1 }),
          ),
        ),
        ([rows, trim]) => {
          const xs = rows.map((r) => Float32Array.from(r));
          const n = xs.length;
          const med = coordinateMedian(xs);
          const refMed = columnMeanOfRanks(xs, (n - 1) >> 1, n & 1 ? 1 : 2);
          const tm = coordinateTrimmedMean(xs, trim);
          const refTm = columnMeanOfRanks(xs, trim, n - 2 * trim);
          for (let j = 0; j < xs[0].length; j++) {
            // ±0 may come out either way between equal values.
            expect(med[j] === refMed[j] || (Number.isNaN(med[j]) && Number.isNaN(refMed[j]))).toBe(true);
            // Summation order differs, so allow rounding relative to the magnitudes summed.
            const scale = xs.reduce((s, x) => s + (Number.isFinite(x[j]) ? Math.abs(x[j]) : 0), 0);
            const ok = tm[j] === refTm[j] || (Number.isNaN(tm[j]) && Number.isNaN(refTm[j])) ||
              Math.abs(tm[j] - refTm[j]) <= 1e-6 * scale + 1e-44;
            expect(ok).toBe(true);
          }
        },
      ),
    );
  });
});
