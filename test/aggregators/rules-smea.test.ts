import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { smea, smeaAggregate, topEigenpair } from '../../src/aggregators/smea.ts';
import { mdaAggregate } from '../../src/aggregators/mda.ts';
import { byzantineValue, inputs, intVector, permutation, realVector } from './arbitraries.ts';

const v = (...x: number[]) => Float32Array.from(x);

/** λ_max of the d×d covariance (1/|S|) Σ (xᵢ − μ)(xᵢ − μ)ᵀ, the formula as the paper writes it. */
function covarianceLambda(points: readonly Float32Array[]): number {
  const d = points[0].length;
  const mean = Array.from({ length: d }, (_, j) => points.reduce((s, x) => s + x[j], 0) / points.length);
  const cov = new Float64Array(d * d);
  for (const x of points) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += ((x[a] - mean[a]) * (x[b] - mean[b])) / points.length;
  return topEigenpair(cov, d).value;
}

function* subsets(n: number, k: number, start = 0): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) yield [i, ...rest];
}

interface PeerCase {
  f: number;
  honest: number[];
  inputs: number[][];
  selected: number[];
  eigenvalue: number;
  output: number[];
}

describe('smea', () => {
  it("matches ByzFL's own example", () => {
    // SMEA(1) on the 3×3 example gives [2.5, 3.5, 4.5]: the docstring of SMEA in byzfl/aggregators/aggregators.py
    // (read in the fork EA-Robust-AI-X2023/byzfl@13de16e0; ByzFL's tests have no SMEA case). {x₁, x₂} and {x₂, x₃}
    // tie at λ_max = 6.75; the first in the vectors' order is kept (ByzFL's pick there is random).
    const r = smeaAggregate([v(1, 2, 3), v(4, 5, 6), v(7, 8, 9)], 1);
    expect(r.aggregate).toEqual(v(2.5, 3.5, 4.5));
    expect(r.diagnostics.eigenvalue).toBe(6.75);
    expect(smeaAggregate([v(7, 8, 9), v(4, 5, 6), v(1, 2, 3)], 1).aggregate).toEqual(v(2.5, 3.5, 4.5));
  });

  it('keeps the subset of smallest top eigenvalue, which need not be the one of smallest diameter', () => {
    expect(smeaAggregate([v(0), v(1), v(2), v(100)], 1).aggregate).toEqual(v(1));
    // {x₀, x₁, x₂} is spread along one line (λ_max 4.37, diameter 5.10); {x₀, x₁, x₃} is rounder
    // (λ_max 4.78) but narrower (diameter 5): SMEA and MDA part ways.
    const x = [v(-4, 4), v(-2, 3), v(1, 3), v(-4, -1)];
    const r = smeaAggregate(x, 1);
    expect(r.diagnostics.selected).toEqual([0, 1, 2]);
    expect(r.diagnostics.eigenvalue).toBeCloseTo(4.368134212869773, 12);
    expect(r.aggregate).toEqual(v(-5 / 3, 10 / 3));
    expect(mdaAggregate(x, 1).diagnostics.selected).toEqual([0, 1, 3]);
  });

  it('finds the minimum of λ_max over all subsets of size n − f (checked against the d×d covariance)', () => {
    const small = fc
      .record({ f: fc.integer({ min: 0, max: 3 }), extra: fc.integer({ min: 0, max: 3 }), d: fc.integer({ min: 1, max: 6 }) })
      .chain(({ f, extra, d }) => fc.record({ f: fc.constant(f), vectors: fc.array(realVector(d), { minLength: 2 * f + 1 + extra, maxLength: 2 * f + 1 + extra }) }));
    fc.assert(
      fc.property(small, ({ f, vectors }) => {
        const n = vectors.length;
        const r = smeaAggregate(vectors, f);
        const selected = r.diagnostics.selected as number[];
        let least = Infinity;
        for (const s of subsets(n, n - f)) least = Math.min(least, covarianceLambda(s.map((i) => vectors[i])));
        const scale = covarianceLambda(vectors) + 1e-300;
        expect(Math.abs((r.diagnostics.eigenvalue as number) - least)).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(covarianceLambda(selected.map((i) => vectors[i])) - least)).toBeLessThanOrEqual(1e-12 * scale);
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the order inputs arrive in, and chooses the same subset in a translated or scaled frame', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1).chain((x) =>
          fc.tuple(fc.constant(x), permutation(x.vectors.length), intVector(x.vectors[0].length), fc.integer({ min: -4, max: 4 })),
        ),
        ([{ f, vectors }, perm, shift, k]) => {
          const a = smeaAggregate(vectors, f);
          const b = smeaAggregate(perm.map((i) => vectors[i]), f);
          expect(b.aggregate).toEqual(a.aggregate);
          // Equal inputs are interchangeable: which copy is kept may follow the order, the values kept may not.
          const lex = (u: number[], v: number[]) => {
            const j = u.findIndex((t, k) => t !== v[k]);
            return j < 0 ? 0 : u[j] - v[j];
          };
          const kept = (sel: number[], xs: readonly Float32Array[]) => sel.map((i) => [...xs[i]]).sort(lex);
          expect(kept(b.diagnostics.selected as number[], perm.map((i) => vectors[i]))).toEqual(kept(a.diagnostics.selected as number[], vectors));
          // Integer inputs and shifts: every squared distance, hence every decision, is the same.
          expect(smeaAggregate(vectors.map((x) => x.map((t, j) => t + shift[j])), f).diagnostics.selected).toEqual(a.diagnostics.selected);
          expect(smeaAggregate(vectors.map((x) => x.map((t) => t * 2 ** k)), f).aggregate).toEqual(a.aggregate.map((t) => t * 2 ** k));
        },
      ),
    );
  });

  it('keeps exactly the honest inputs when the Byzantine ones are far or non-finite', () => {
    fc.assert(
      fc.property(
        inputs((f) => 2 * f + 1, (d) => intVector(d)),
        fc.array(byzantineValue, { minLength: 16, maxLength: 16 }),
        ({ f, vectors }, byz) => {
          const d = vectors[0].length;
          // Honest coordinates are in [−100, 100]; a Byzantine input is ≥ 1e4 away from all of them.
          const bad = (i: number) => Float32Array.from(byz.slice(0, d), (t, j) => (j === 0 ? (i % 2 ? 1e4 * (i + 1) : NaN) : t));
          const all = vectors.map((x, i) => (i < f ? bad(i) : x));
          const r = smeaAggregate(all, f);
          expect(r.diagnostics.selected).toEqual(all.map((_, i) => i).filter((i) => i >= f));
          expect(r.aggregate.every(Number.isFinite)).toBe(true);
        },
      ),
    );
  });

  it('is the mean at f = 0 and the input itself when all inputs are equal', () => {
    expect(smeaAggregate([v(1, 2), v(3, 6), v(5, 1)], 0).aggregate).toEqual(v(3, 3));
    const same = smeaAggregate([v(0.1, -7), v(0.1, -7), v(0.1, -7), v(0.1, -7), v(0.1, -7)], 2);
    expect(same.aggregate).toEqual(v(0.1, -7));
    expect(same.diagnostics.eigenvalue).toBe(0);
  });

  it("agrees with the transcription of ByzFL's SMEA, power method converged (test/fixtures/peers/byzfl_rules.py)", () => {
    const { smea: cases } = JSON.parse(readFileSync(new URL('../fixtures/peers/byzfl-rules.json', import.meta.url), 'utf8')) as { smea: PeerCase[] };
    expect(cases.length).toBeGreaterThanOrEqual(6);
    for (const c of cases) {
      const r = smeaAggregate(c.inputs.map((x) => Float32Array.from(x)), c.f);
      // The fixture keeps a 1e-6 relative margin between the best and the second-best subset, so both
      // sides average the same float32 inputs: float64 sums in different orders, then byzsim's float32
      // rounding, ≤ 2⁻²⁴·M. Hence 2⁻²³·M, M the honest magnitude; λ_max agrees to float64 rounding.
      expect(r.diagnostics.selected).toEqual(c.selected);
      expect(Math.abs((r.diagnostics.eigenvalue as number) - c.eigenvalue)).toBeLessThanOrEqual(1e-9 * c.eigenvalue);
      const M = Math.max(...c.honest.flatMap((i) => c.inputs[i].map(Math.abs)), ...c.output.map(Math.abs));
      c.output.forEach((want, j) => expect(Math.abs(r.aggregate[j] - want)).toBeLessThanOrEqual(2 ** -23 * M));
    }
  });

  it('accepts (n, f) only up to maxSubsets subsets, and says how many there would be', () => {
    const x = [0, 1, 2, 3, 4, 50, 60].map((t) => v(t, -t));
    expect(() => smeaAggregate(x, 2, { maxSubsets: 20 })).toThrow(
      'smea requires n ≥ 2f + 1 and C(n, f) ≤ 20 (got n=7, f=2: C(7, 2) = 21 subsets; raise maxSubsets or lower f)',
    );
    expect(smeaAggregate(x, 2, { maxSubsets: 21 }).diagnostics.selected).toEqual([0, 1, 2, 3, 4]);
    expect(smea.requirement({ maxSubsets: 20 }).check(7, 2)).toBe(false);
    expect(smea.requirement({ maxSubsets: 20 }).check(7, 1)).toBe(true);
    expect(smea.requirement().text).toBe('n ≥ 2f + 1 and C(n, f) ≤ 100000');
    expect(smea.requirement().check(30, 4)).toBe(true);
    expect(smea.requirement().check(30, 5)).toBe(false);
    expect(() => smea.create({ maxSubsets: 0 })).toThrow(/parameter 'maxSubsets' of smea/);
  });

  it('prunes: far inputs cost a small part of the C(n, n − f) subsets', () => {
    // A deterministic work bound (search nodes); 20 honest inputs in [−1, 1]⁸ and 5 at distance ≥ 100.
    let seed = 1;
    const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const x = Array.from({ length: 25 }, (_, i) => Float32Array.from({ length: 8 }, () => next() + (i >= 20 ? 100 * (i - 19) : 0)));
    const r = smeaAggregate(x, 5);
    expect(r.diagnostics.selected).toEqual([...Array(20).keys()]);
    expect(r.diagnostics.searched).toBeLessThan(53130 / 10);
  });

  it('validates its inputs and is a rule', () => {
    expect(() => smeaAggregate([], 0)).toThrow(/no input vectors/);
    expect(() => smeaAggregate([v(1), v(1, 2), v(3)], 1)).toThrow(/ragged/);
    expect(() => smeaAggregate([v(1), v(2), v(3), v(4)], 2)).toThrow('smea requires n ≥ 2f + 1 and C(n, f) ≤ 100000 (got n=4, f=2)');
    expect(smea.create().spec).toBe('smea(maxSubsets=100000)');
    expect(smea.create().aggregate([v(0), v(1), v(2), v(100)], { f: 1 }).aggregate).toEqual(v(1));
  });
});
