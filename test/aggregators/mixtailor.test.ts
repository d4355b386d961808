/**
 * MixTailor. Draw frequencies are tested with Pearson's χ² at a fixed seed
 * (server stream of seed 20220601), against the critical value of the χ²
 * distribution for the test's degrees of freedom at α = 0.001, computed here
 * from the regularized incomplete gamma function rather than copied from a table.
 */
import { describe, expect, it } from 'vitest';
import { createAggregator, paperPool } from '../../src/aggregators/index.ts';
import { SpecError } from '../../src/spec.ts';
import { createRng } from '../../src/sim/rng.ts';

const SEED = 20220601;
const ALPHA = 0.001;

function logGamma(z: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(a, x), the regularized lower incomplete gamma function, by its power series. */
function lowerGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  let term = 1 / a;
  let sum = term;
  for (let k = 1; k < 1000 && term > sum * 1e-16; k++) {
    term *= x / (a + k);
    sum += term;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * sum;
}

/** The χ² critical value c with P(χ²_df > c) = alpha, by bisection on the CDF. */
function chiSquareCritical(df: number, alpha: number): number {
  let lo = 0;
  let hi = 10 * df + 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (lowerGammaP(df / 2, mid / 2) < 1 - alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((s, o, i) => s + (o - expected[i]) ** 2 / expected[i], 0);
}

const xs = [Float32Array.of(0, 0), Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1), Float32Array.of(5, 5)];

function draws(spec: string, count: number, seed = SEED, inputs = xs): string[] {
  const rule = createAggregator(spec);
  const rng = createRng(seed, 'server');
  return Array.from({ length: count }, () => rule.aggregate(inputs, { f: 1, rng }).diagnostics.rule as string);
}

describe('chi-square helpers', () => {
  it('reproduce the tabulated critical values', () => {
    expect(chiSquareCritical(3, 0.05)).toBeCloseTo(7.8147, 3);
    expect(chiSquareCritical(3, 0.001)).toBeCloseTo(16.2662, 3);
    expect(chiSquareCritical(1, 0.001)).toBeCloseTo(10.8276, 3);
  });
});

describe('mixtailor', () => {
  const POOL = 'mixtailor(pool=[krum, cwmed, cwtm, geomed(T=2)])';

  it('replays the same draws from the same seed, and differs across seeds', () => {
    expect(draws(POOL, 50)).toEqual(draws(POOL, 50));
    expect(draws(POOL, 50)).not.toEqual(draws(POOL, 50, SEED + 1));
  });

  it('draws uniformly by default (χ², 4000 draws, 4 rules, df = 3)', () => {
    const d = draws(POOL, 4000);
    const specs = createAggregator(POOL).spec.match(/pool=\[(.*)\], weights/)![1].split(/, (?![^(]*\))/);
    const observed = specs.map((s) => d.filter((x) => x === s).length);
    expect(observed.reduce((a, b) => a + b, 0)).toBe(4000);
    expect(chiSquare(observed, [1000, 1000, 1000, 1000])).toBeLessThan(chiSquareCritical(3, ALPHA));
  });

  it('respects weights, never drawing a zero-weight rule (χ², df = 1)', () => {
    const d = draws('mixtailor(pool=[cwmed, cwtm, krum], weights=[3, 1, 0])', 4000);
    const observed = ['cwmed', 'cwtm'].map((s) => d.filter((x) => x === s).length);
    expect(d.filter((x) => x.startsWith('krum'))).toEqual([]);
    expect(observed[0] + observed[1]).toBe(4000);
    expect(chiSquare(observed, [3000, 1000])).toBeLessThan(chiSquareCritical(1, ALPHA));
  });

  it('requires what every drawable rule requires and names the binding one', () => {
    const rule = createAggregator('mixtailor(pool=[cwtm, krum])');
    expect(rule.requirement.check(4, 1)).toBe(false);
    expect(rule.requirement.check(5, 1)).toBe(true);
    expect(rule.requirement.text).toMatch(/^n ≥ 2f \+ 3 for krum\(m=1\), the binding rule/);
    // A zero-weight rule can never be drawn, so it does not constrain (n, f).
    expect(createAggregator('mixtailor(pool=[cwtm, krum], weights=[1, 0])').requirement.check(3, 1)).toBe(true);
  });

  it('reports the drawn rule and its diagnostics; selected still names inputs', () => {
    const rule = createAggregator('mixtailor(pool=[krum])');
    const { aggregate, diagnostics } = rule.aggregate(xs, { f: 1, rng: createRng(1, 'server') });
    expect(diagnostics.rule).toBe('krum(m=1)');
    expect(diagnostics.draw).toBe(0);
    expect(diagnostics.selected).toHaveLength(1);
    expect(Array.from(aggregate)).toEqual(Array.from(xs[diagnostics.selected![0]]));
    expect(rule.randomized).toBe(true);
  });

  it('accepts compositions in the pool and has a canonical spec', () => {
    const rule = createAggregator('mixtailor(pool=[nnm > krum, cwmed], weights=[1,2])');
    expect(rule.spec).toBe('mixtailor(pool=[nnm > krum(m=1), cwmed], weights=[1, 2])');
    expect(createAggregator(rule.spec).spec).toBe(rule.spec);
    expect(createAggregator('mixtailor').spec).toBe('mixtailor(pool=paper, weights=uniform)');
  });

  it('rejects malformed pools and weights, stateful rules, and a missing ctx.rng', () => {
    expect(() => createAggregator('mixtailor(pool=krum)')).toThrow(/write \[krum\]/);
    expect(() => createAggregator('mixtailor(pool=[krum, cwmed], weights=[1])')).toThrow(/list of 2 numbers/);
    expect(() => createAggregator('mixtailor(pool=[krum], weights=[0])')).toThrow(SpecError);
    expect(() => createAggregator('mixtailor(pool=[krum, nope])')).toThrow(/pool entry 'nope'/);
    expect(() => createAggregator('mixtailor(pool=[cc, cwmed])')).toThrow(/stateful/);
    expect(() => createAggregator('mixtailor(pool=[krum])').aggregate(xs, { f: 1 })).toThrow(/ctx\.rng/);
  });
});

describe('mixtailor pool=paper', () => {
  it('has 64 entries, 16 per class, p = 1…16 in every class but comed', () => {
    const pool = paperPool();
    const j = Array.from({ length: 16 }, (_, i) => i + 1);
    expect(pool).toHaveLength(64);
    expect(pool.slice(0, 16)).toEqual(j.map((p) => `krum(p=${p})`));
    expect(pool.slice(16, 32)).toEqual(Array(16).fill('cwmed'));
    expect(pool.slice(32, 48)).toEqual(j.map((p) => `geomed(p=${p})`));
    const inner = (p: number) => [`krum(p=${p})`, 'mean', `geomed(p=${p})`, 'cwmed'][(p - 1) % 4];
    expect(pool.slice(48)).toEqual(j.map((p) => `bulyan(p=${p}, inner=${inner(p)})`));
  });

  it('builds: 49 distinct rules (comed has no norm, so its 16 entries are one rule)', () => {
    const rule = createAggregator('mixtailor');
    const specs = paperPool().map((s) => createAggregator(s).spec);
    const classes = ['krum', 'cwmed', 'geomed', 'bulyan'].map((name) => specs.filter((s) => s.startsWith(name)));
    expect(classes.map((c) => c.length)).toEqual([16, 16, 16, 16]);
    expect(classes.map((c) => new Set(c).size)).toEqual([16, 1, 16, 16]);
    expect(new Set(specs).size).toBe(49);
    // p = 2 prints without p, as the rules' canonical specs do.
    expect(specs).toContain('geomed(T=8, nu=0.000001, tol=1e-8)');
    expect(specs).toContain('bulyan(inner=mean)');
    // Bulyan needs n ≥ 4f + 3 = 7.
    const seven = [...xs, Float32Array.of(0.5, 0.5), Float32Array.of(0.2, 0.7)];
    const d = new Set(draws('mixtailor', 3000, SEED, seven));
    expect(d.size).toBe(49);
    expect(rule.requirement.text).toMatch(/^n ≥ 4f \+ 3 for bulyan/);
    expect(rule.requirement.check(6, 1)).toBe(false);
    expect(rule.requirement.check(7, 1)).toBe(true);
  });
});
