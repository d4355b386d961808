/** Shared arbitraries for the rule tests: small n and d, values exact in float32. */
import fc from 'fast-check';

export const intVector = (d: number): fc.Arbitrary<Float32Array> =>
  fc.array(fc.integer({ min: -100, max: 100 }), { minLength: d, maxLength: d }).map((a) => Float32Array.from(a));

export const realVector = (d: number, bound = 10): fc.Arbitrary<Float32Array> =>
  fc
    .array(fc.float({ min: -bound, max: bound, noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d })
    .map((a) => Float32Array.from(a));

/** f and n with n ≥ minN(f), plus n integer vectors of a common dimension d ≤ 16. */
export const inputs = (minN: (f: number) => number, element = intVector) =>
  fc
    .record({ f: fc.integer({ min: 0, max: 5 }), d: fc.integer({ min: 1, max: 16 }), extra: fc.integer({ min: 0, max: 4 }) })
    .chain(({ f, d, extra }) => {
      const n = Math.min(15, minN(f) + extra);
      return fc.record({
        f: fc.constant(f),
        vectors: fc.array(element(d), { minLength: n, maxLength: n }),
      });
    })
    .filter(({ f, vectors }) => vectors.length >= minN(f));

/** A Byzantine coordinate: non-finite, huge or ordinary. */
export const byzantineValue = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 3e38, -3e38),
  fc.float({ noNaN: true, noDefaultInfinity: true }),
);

/** A permutation of [0, n) as a list of indices. */
export const permutation = (n: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((keys) =>
    keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i),
  );
