import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { caf, cafAggregate } from '../../src/aggregators/caf.ts';
import { byzantineValue, inputs, intVector, permutation, realVector } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);
const weightsOf = (r: ReturnType<typeof cafAggregate>) => r.diagnostics.weights as number[];

interface PeerCase {
  n: number;
  f: number;
  honest: number[];
  inputs: number[][];
  output: number[];
}

describe('caf', () => {
  it("matches ByzFL's own example", () => {
    // CAF(1) on the 3×3 example gives [4, 5, 6]: the docstring of CAF in LPD-EPFL/byzfl
    // byzfl/aggregators/aggregators.py@b0a46f72 (ByzFL's tests have no CAF case). Round 1 zeroes
    // [1, 2, 3] and [7, 8, 9] (equal τ = 27 along (1, 1, 1)), the weight left is 1 = n − 2f, and
    // round 1's mean is the only candidate.
    const r = cafAggregate([v(1, 2, 3), v(4, 5, 6), v(7, 8, 9)], 1);
    expect(r.aggregate).toEqual(v(4, 5, 6));
    expect(r.diagnostics).toMatchObject({ iterations: 1, eigenvalue: 18, weights: [1, 1, 1] });
  });

  it('ends in two rounds where ByzFL, taking τ_max over zeroed inputs too, would run about 10¹² rounds', () => {
    // Round 1 zeroes the input at 1e6 (μ = 2e5); the ±1 inputs keep c± = 1 − ((2e5 ∓ 1)/8e5)².
    // Round 2's mean, (c₊ − c₋)/(c₊ + c₋), has the smaller λ_max; it zeroes the −1 inputs and the
    // weight left, 2c₊·4μ/(1 + μ)², is below n − 2f = 1. In ByzFL the zeroed 1e6 keeps τ_max ≈ 6.4e11
    // and each round takes only ~(1/8e5)² of the others' weight.
    const r = cafAggregate([v(-1), v(1), v(-1), v(1), v(1e6)], 2);
    const cPlus = 1 - (199999 / 800000) ** 2;
    const cMinus = 1 - (200001 / 800000) ** 2;
    const mu = (cPlus - cMinus) / (cPlus + cMinus);
    expect(r.diagnostics.iterations).toBe(2);
    expect(weightsOf(r)[4]).toBe(0);
    expect(Math.abs(r.aggregate[0] - mu)).toBeLessThanOrEqual(2 ** -24);
    expect(r.diagnostics.eigenvalue).toBeCloseTo(1 - mu * mu, 12);
  });

  it('is the mean at f = 0, and the input itself when all inputs are equal', () => {
    const r = cafAggregate([v(1, 2), v(3, 6), v(5, 1)], 0);
    expect(r.aggregate).toEqual(v(3, 3));
    expect(r.diagnostics.iterations).toBe(0);
    // All equal: round 1 has λ_max = 0, nothing smaller exists, and the filter stops there (ByzFL divides by 0).
    const same = cafAggregate([v(0.1, -7), v(0.1, -7), v(0.1, -7), v(0.1, -7), v(0.1, -7)], 2);
    expect(same.aggregate).toEqual(v(0.1, -7));
    expect(same.diagnostics).toMatchObject({ iterations: 1, eigenvalue: 0 });
  });

  it('does not depend on the order inputs arrive in, even when the top eigenvalue is repeated', () => {
    // A square: every direction is a top eigenvector of round 1's covariance.
    const square = [v(1, 0), v(0, 1), v(-1, 0), v(0, -1), v(0.25, 0.5)];
    const first = cafAggregate(square, 2).aggregate;
    for (const perm of [[4, 3, 2, 1, 0], [2, 0, 4, 1, 3]]) expect(cafAggregate(perm.map((i) => square[i]), 2).aggregate).toEqual(first);
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1).chain((x) => fc.tuple(fc.constant(x), permutation(x.vectors.length))),
        ([{ f, vectors }, perm]) => {
          const a = cafAggregate(vectors, f);
          const b = cafAggregate(perm.map((i) => vectors[i]), f);
          expect(b.aggregate).toEqual(a.aggregate);
          expect(perm.map((i) => weightsOf(a)[i])).toEqual(weightsOf(b));
        },
      ),
    );
  });

  it('computes the same weights in a translated frame, and scales exactly with the inputs', () => {
    // Integer inputs and shifts: every squared distance is exact in float64, so the weights are bit for bit equal.
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1).chain((x) => fc.tuple(fc.constant(x), intVector(x.vectors[0].length), fc.integer({ min: -4, max: 4 }))),
        ([{ f, vectors }, shift, k]) => {
          const a = cafAggregate(vectors, f);
          const moved = cafAggregate(vectors.map((x) => x.map((t, j) => t + shift[j])), f);
          expect(weightsOf(moved)).toEqual(weightsOf(a));
          const M = Math.max(...vectors.flatMap((x) => Array.from(x, (t, j) => Math.max(Math.abs(t), Math.abs(t + shift[j])))));
          a.aggregate.forEach((t, j) => expect(Math.abs(moved.aggregate[j] - (t + shift[j]))).toBeLessThanOrEqual(2 ** -22 * M));
          expect(cafAggregate(vectors.map((x) => x.map((t) => t * 2 ** k)), f).aggregate).toEqual(a.aggregate.map((t) => t * 2 ** k));
        },
      ),
    );
  });

  it('ends within n rounds, with weights in [0, 1] and the returned round above n − 2f', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => realVector(d)),
        ({ f, vectors }) => {
          const n = vectors.length;
          const r = cafAggregate(vectors, f);
          const w = weightsOf(r);
          expect(r.diagnostics.iterations).toBeLessThanOrEqual(n);
          for (const c of w) expect(c >= 0 && c <= 1).toBe(true);
          if (f > 0) expect(w.reduce((s, c) => s + c, 0)).toBeGreaterThan(n - 2 * f);
          expect(r.diagnostics.selected).toEqual(w.flatMap((c, i) => (c > 0 ? [i] : [])));
        },
      ),
    );
  });

  it('gives far or non-finite Byzantine inputs weight 0, and stays within the honest range', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)),
        fc.array(byzantineValue, { minLength: 16, maxLength: 16 }),
        ({ f, vectors }, byz) => {
          const d = vectors[0].length;
          // Honest coordinates are in [−100, 100]; Byzantine ones are 1e6 away (or NaN), in different directions.
          const clamp = (t: number) => (Number.isFinite(t) ? Math.max(-1e6, Math.min(1e6, t)) : 0);
          const bad = (i: number) => Float32Array.from(byz.slice(0, d), (t, j) => (j === 0 ? (i % 3 === 2 ? NaN : 1e6 * (i + 1)) : clamp(t)));
          const all = vectors.map((x, i) => (i < f ? bad(i) : x));
          const r = cafAggregate(all, f);
          expect(weightsOf(r).slice(0, f).every((c) => c === 0)).toBe(true);
          for (let j = 0; j < d; j++) {
            const column = vectors.slice(f).map((x) => x[j]);
            // A weighted mean of float32 values in float64, rounded once: within an ulp of the ends.
            const tol = 2 ** -23 * Math.max(...column.map(Math.abs));
            expect(r.aggregate[j]).toBeGreaterThanOrEqual(Math.min(...column) - tol);
            expect(r.aggregate[j]).toBeLessThanOrEqual(Math.max(...column) + tol);
          }
        },
      ),
    );
  });

  it("agrees with the transcription of ByzFL's CAF, power method converged and τ_max over weighted inputs (test/fixtures/peers/byzfl_rules.py)", () => {
    const { caf: cases } = JSON.parse(readFileSync(new URL('../fixtures/peers/byzfl-rules.json', import.meta.url), 'utf8')) as { caf: PeerCase[] };
    expect(cases.length).toBeGreaterThanOrEqual(9);
    for (const c of cases) {
      const r = cafAggregate(c.inputs.map((x) => Float32Array.from(x)), c.f);
      // The fixture keeps only draws whose every choice (largest τ, smallest λ_max, weight above n − 2f)
      // has a 1e-6 relative margin, so both sides take the same path; their float64 weights then differ
      // by rounding only (the script checks its power method against eigh to 1e-9·max|x|), far below
      // byzsim's float32 rounding of the output, ≤ 2⁻²⁴·M. Hence 2⁻²³·M, M the honest magnitude.
      const M = Math.max(...c.honest.flatMap((i) => c.inputs[i].map(Math.abs)), ...c.output.map(Math.abs));
      c.output.forEach((want, j) => expect(Math.abs(r.aggregate[j] - want)).toBeLessThanOrEqual(2 ** -23 * M));
    }
  });

  it('validates its inputs and is a rule', () => {
    expect(() => cafAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => cafAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => cafAggregate([v(1), v(2), v(3), v(4)], 2)).toThrow('caf requires n ≥ 2f + 1 (got n=4, f=2)');
    expect(caf.create().spec).toBe('caf');
    expect(caf.create().aggregate([v(1, 2, 3), v(4, 5, 6), v(7, 8, 9)], { f: 1 }).aggregate).toEqual(v(4, 5, 6));
    expect(caf.requirement().text).toBe('n ≥ 2f + 1');
  });
});
