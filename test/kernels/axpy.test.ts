/**
 * The sparse row axpys' SIMD kernels give the bits of their scalar twins for
 * every width n (the 8-column blocks, the 2-column step and the last odd
 * column) and every number of rows, special values included.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { axpyKernels, createArena, scalarAxpy } from '../../src/kernels/axpy.ts';
import { simdAvailable } from '../../src/kernels/simd.ts';

const SPECIAL = [0, -0, 1e-310, -1e300, Infinity, -Infinity, NaN];

interface Case {
  n: number;
  rows: number;
  picks: number[];
  vals: number[];
  data: number[];
}

const caseArb = fc
  .record({ n: fc.integer({ min: 0, max: 41 }), rows: fc.integer({ min: 1, max: 9 }) })
  .chain(({ n, rows }) =>
    fc.record({
      n: fc.constant(n),
      rows: fc.constant(rows),
      picks: fc.uniqueArray(fc.integer({ min: 0, max: rows - 1 }), { maxLength: rows }),
      vals: fc.array(fc.oneof(fc.double(), fc.constantFrom(...SPECIAL)), { minLength: rows, maxLength: rows }),
      data: fc.array(fc.oneof(fc.double({ min: -10, max: 10 }), fc.constantFrom(...SPECIAL)), { minLength: rows * n + 2 * n, maxLength: rows * n + 2 * n }),
    }),
  );

/** Both paths on identical copies of the case; returns their outputs. */
function run(c: Case, path: 'simd' | 'scalar'): Float64Array[] {
  const { n, rows, picks } = c;
  const arena = createArena({ M: ['f32', rows * n], G: ['f64', rows * n], out: ['f64', n], v: ['f64', n], at: ['i32', rows], val: ['f64', rows] });
  const { M, G, out, v, at, val } = arena.views;
  for (let i = 0; i < rows * n; i++) M[i] = G[i] = c.data[i];
  for (let h = 0; h < n; h++) {
    out[h] = c.data[rows * n + h];
    v[h] = c.data[rows * n + n + h];
  }
  picks.forEach((r, q) => {
    at[q] = r * n;
    val[q] = c.vals[q];
  });
  const k = path === 'simd' ? axpyKernels(arena.memory, 'simd') : scalarAxpy;
  k.gatherAxpy(out, M, at, val, picks.length, n);
  k.scatterAxpy(G, at, val, picks.length, v, n);
  return [out.slice(), G.slice()];
}

describe.runIf(simdAvailable())('sparse row axpy: SIMD vs scalar twin', () => {
  it('bit-identical for every width, row set and value', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const [a, b] = [run(c, 'simd'), run(c, 'scalar')];
        for (let t = 0; t < 2; t++) {
          for (let i = 0; i < a[t].length; i++) if (!Object.is(a[t][i], b[t][i])) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('computes the sums the contract states (not a no-op on both paths)', () => {
    const [out, G] = run({ n: 3, rows: 2, picks: [1, 0], vals: [2, 10], data: [1, 2, 3, 4, 5, 6, 100, 200, 300, 1, 2, 3] }, 'simd');
    // out = (100, 200, 300) + 2·row 1 + 10·row 0
    expect(Array.from(out)).toEqual([100 + 8 + 10, 200 + 10 + 20, 300 + 12 + 30]);
    // G row 1 += 2·v, row 0 += 10·v
    expect(Array.from(G)).toEqual([1 + 10, 2 + 20, 3 + 30, 4 + 2, 5 + 4, 6 + 6]);
  });

  it('refuses operands outside its arena', () => {
    const arena = createArena({ out: ['f64', 2] });
    expect(() => axpyKernels(arena.memory, 'simd').gatherAxpy(new Float64Array(2), new Float32Array(2), new Int32Array(1), new Float64Array(1), 1, 2)).toThrow(/arena/);
  });
});
