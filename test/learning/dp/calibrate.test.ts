/**
 * The DP paper's Gaussian calibration (Guerraoui et al., PODC 2021, §2.3 and
 * eq. 8): its numbers by hand, the identities between s, d·s² and the noise
 * multiplier, and the validation.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classicalRegime, gaussianEpsilon, gaussianSigma, noiseMultiplier, noiseVariance } from '../../../src/learning/dp/calibrate.ts';

const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

// The paper's §5.1 setting: G_max = 1e-2, δ = 1e-6, b = 50, the phishing model's d = 69; ε = 0.5, a per-step
// budget in the (0, 1) range the paper assumes.
const paper = { clip: 1e-2, batchSize: 50, epsilon: 0.5, delta: 1e-6 };

describe('gaussianSigma', () => {
  it("gives the paper's s = 2·G_max·√(2 ln(1.25/δ))/(b·ε) for its numbers", () => {
    const s = gaussianSigma(paper);
    // By hand: ln(1.25/1e-6) = ln(1.25e6); s = 0.02·√(2·ln 1.25e6)/25.
    expect(relErr(s, (0.02 * Math.sqrt(2 * Math.log(1.25e6))) / 25)).toBeLessThan(1e-12);
    // mpmath 1.3.0 at 60 digits: 2·0.01·sqrt(2·log(1.25/1e-6))/(50·0.5) = 0.004239042021480379161050108…
    expect(relErr(s, 0.004239042021480379161050108)).toBeLessThan(1e-12);
  });

  it("makes d·s² the noise term 8·d·G_max²·ln(1.25/δ)/(ε²b²) of the paper's eq. 8", () => {
    const s = gaussianSigma(paper);
    // mpmath, 60 digits: 8·69·1e-4·ln(1.25e6)/(0.25·2500) = 0.0012398939309314757…
    expect(relErr(noiseVariance(69, s), 0.0012398939309314757)).toBeLessThan(1e-12);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 4096 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 1e-12, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 1e7 }),
        (clip, batchSize, epsilon, delta, dim) => {
          const s = gaussianSigma({ clip, batchSize, epsilon, delta });
          const eq8 = (8 * dim * clip * clip * Math.log(1.25 / delta)) / (epsilon * epsilon * batchSize * batchSize);
          expect(relErr(noiseVariance(dim, s), eq8)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it('scales as 1/ε, 1/b and G_max, and does not refuse ε ≥ 1', () => {
    const s1 = gaussianSigma({ ...paper, epsilon: 1 });
    expect(relErr(gaussianSigma({ ...paper, epsilon: 2 }), s1 / 2)).toBeLessThan(1e-15);
    expect(relErr(gaussianSigma({ ...paper, batchSize: 100 }), gaussianSigma(paper) / 2)).toBeLessThan(1e-15);
    expect(relErr(gaussianSigma({ ...paper, clip: 3e-2 }), 3 * gaussianSigma(paper))).toBeLessThan(1e-15);
  });

  it('names the offending field', () => {
    expect(() => gaussianSigma({ ...paper, epsilon: -1 })).toThrow(new RangeError('dp.epsilon: must be > 0 (got -1)'));
    expect(() => gaussianSigma({ ...paper, epsilon: 0 })).toThrow(/^dp\.epsilon: /);
    expect(() => gaussianSigma({ ...paper, clip: 0 })).toThrow(/^dp\.clip: must be > 0 \(got 0\)/);
    expect(() => gaussianSigma({ ...paper, clip: Number.NaN })).toThrow(/^dp\.clip: /);
    expect(() => gaussianSigma({ ...paper, batchSize: 2.5 })).toThrow(/^dp\.batchSize: must be a positive integer \(got 2\.5\)/);
    expect(() => gaussianSigma({ ...paper, batchSize: 0 })).toThrow(/^dp\.batchSize: /);
    expect(() => gaussianSigma({ ...paper, delta: 0 })).toThrow(/^dp\.delta: must be in \(0, 1\) \(got 0\)/);
    expect(() => gaussianSigma({ ...paper, delta: 1 })).toThrow(/^dp\.delta: /);
  });
});

describe('gaussianEpsilon', () => {
  it('inverts gaussianSigma', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 20, noNaN: true }), fc.double({ min: 1e-12, max: 0.5, noNaN: true }), (epsilon, delta) => {
        const sigma = gaussianSigma({ ...paper, epsilon, delta });
        expect(relErr(gaussianEpsilon({ clip: paper.clip, batchSize: paper.batchSize, sigma, delta }), epsilon)).toBeLessThan(1e-13);
      }),
    );
  });
});

describe('classicalRegime', () => {
  it('is ε ∈ (0, 1), where Dwork & Roth Thm A.1 holds', () => {
    expect(classicalRegime(0.5)).toBe(true);
    expect(classicalRegime(0.999)).toBe(true);
    expect(classicalRegime(1)).toBe(false);
    expect(classicalRegime(4)).toBe(false);
    expect(classicalRegime(0)).toBe(false);
  });
});

describe('noiseMultiplier', () => {
  it('is s·b/G_max, and 2·√(2 ln(1.25/δ))/ε under the calibration', () => {
    const s = gaussianSigma(paper);
    expect(relErr(noiseMultiplier({ sigma: s, clip: paper.clip, batchSize: paper.batchSize }), (s * 50) / 1e-2)).toBeLessThan(1e-15);
    // mpmath, 60 digits: 2·sqrt(2·ln(1.25e6))/0.5 = 21.195210107401895…
    expect(relErr(noiseMultiplier({ sigma: s, clip: paper.clip, batchSize: paper.batchSize }), 21.195210107401895)).toBeLessThan(1e-12);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 4096 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 1e-12, max: 0.5, noNaN: true }),
        (clip, batchSize, epsilon, delta) => {
          const sigma = gaussianSigma({ clip, batchSize, epsilon, delta });
          expect(relErr(noiseMultiplier({ sigma, clip, batchSize }), (2 * Math.sqrt(2 * Math.log(1.25 / delta))) / epsilon)).toBeLessThan(1e-12);
        },
      ),
    );
  });

  it('validates its inputs', () => {
    expect(() => noiseMultiplier({ sigma: -1, clip: 1, batchSize: 1 })).toThrow(/^dp\.sigma: must be ≥ 0 \(got -1\)/);
    expect(() => noiseMultiplier({ sigma: 1, clip: 0, batchSize: 1 })).toThrow(/^dp\.clip: /);
    expect(() => noiseVariance(0, 1)).toThrow(/^dp\.dim: /);
    expect(() => noiseVariance(3, Number.POSITIVE_INFINITY)).toThrow(/^dp\.sigma: /);
  });
});
