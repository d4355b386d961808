/**
 * The invariants of aggregation rules, each a named fast-check property
 * builder over a rule under test. Which invariants apply to which rule is
 * declared per rule (catalog.ts, or `properties` in defineAggregator); a
 * builder never decides that a rule is exempt.
 *
 * Every property builds a fresh rule instance for each aggregation (stateful
 * rules such as centered clipping would otherwise carry state between runs and
 * between the two sides of a metamorphic check), and hands randomized rules a
 * stream seeded from the case, so a failure replays from fast-check's seed and
 * path alone.
 */
import fc from 'fast-check';
import type { Aggregator, Requirement } from '../aggregators/types.ts';
import type { KappaEntry } from './kappa.ts';
import {
  formatCase,
  formatVector,
  honestOf,
  magnitude,
  meanOf64,
  run,
  squaredDistance64,
  varianceOf,
  byzantineOf,
  type Case,
} from './case.ts';
import { attackedCase, exactCase, permutation, sizes, type Shape } from './arbitraries/index.ts';

import { INVARIANT_NAMES, type InvariantName } from './names.ts';

export { isInvariantName, type InvariantName } from './names.ts';

/** A rule as the invariants see it. */
export interface RuleUnderTest {
  /** Spec or module name, for messages. */
  label: string;
  /** A fresh instance; called once per aggregation. */
  make: () => Aggregator;
  requirement: Requirement;
  randomized: boolean;
  /** Iterative solvers (geomed): metamorphic checks allow a relative 1e-4 instead of float32 rounding. */
  approximate: boolean;
  /** The published κ, when there is one. */
  kappa?: KappaEntry;
}

/** Thrown by a property on a counterexample; the message says what broke and where. */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

export interface Invariant {
  name: InvariantName;
  summary: string;
  property(rule: RuleUnderTest, shape?: Shape): fc.IProperty<[Case]>;
}

/** Float32 unit roundoff. */
const U32 = 2 ** -24;

/**
 * Per-coordinate agreement of two outputs, measured on the scale M of the
 * honest inputs and of the outputs compared (`honestScale`), never on the
 * Byzantine inputs: an adversary's 2²⁰ (or 1e30) must not buy slack for a rule
 * whose output sits in the honest range — on their scale a 2⁻²¹ relative
 * tolerance is 0.5, wider than the honest values themselves.
 *
 * Exact rules: the metamorphic cases (exactCase) are integers whose float64
 * sums are exact, so the only roundings left are float32 roundings of values
 * of magnitude at most M — the output in each of the two frames compared, and
 * at most one float32 intermediate on the way (NNM's mixed vectors, the
 * averages Multi-Krum and Bulyan take): 2⁻²⁴·M apiece, 4·2⁻²⁴·M in all. The
 * factor 8 is that bound with a margin of two (the worst seen for the
 * registered exact rules, 1000 cases each, is 1.1·2⁻²⁴·M). A rule whose
 * output carries the Byzantine magnitude (the mean) has it in M through its
 * output.
 *
 * Approximate rules (iterative solvers): 1e-4·M, room for a solver that stops
 * short of its fixed point at its relative tolerance (before geomed stopped on
 * its step, the worst seen was 4.5e-5·M, geomed(p=1.5)).
 *
 * 2⁻¹⁴⁹, one float32 subnormal step, keeps two zero outputs comparable.
 */
function expectClose(rule: RuleUnderTest, what: string, got: Float32Array, want: ArrayLike<number>, scale: number, c: Case): void {
  const tol = (rule.approximate ? 1e-4 : 8 * U32) * scale + 2 ** -149;
  for (let j = 0; j < want.length; j++) {
    if (!(Math.abs(got[j] - want[j]) <= tol)) {
      throw new InvariantViolation(
        `${rule.label}: ${what}: coordinate ${j} is ${got[j]}, expected ${want[j]} ` +
          `(tolerance ${tol.toExponential(2)} on the honest scale ${scale})\n` +
          `    got      ${formatVector(got)}\n    expected ${formatVector(want)}\n${formatCase(c)}`,
      );
    }
  }
}

/** Largest |coordinate| among honest inputs (in every frame compared) and outputs: what the tolerances scale with. */
const honestScale = (honest: readonly ArrayLike<number>[], ...outputs: ArrayLike<number>[]) => magnitude([...honest, ...outputs]);

const admitsRule = (rule: RuleUnderTest) => (n: number, f: number) => rule.requirement.check(n, f);

/** The empirical κ of one case: ‖F(x) − x̄_S‖² / ((1/|S|) Σ ‖xᵢ − x̄_S‖²), with the pieces. */
export function empiricalKappa(rule: RuleUnderTest, c: Case) {
  const honest = honestOf(c);
  const mean = meanOf64(honest);
  const variance = varianceOf(honest, mean);
  const output = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
  const error = squaredDistance64(output, mean);
  return { output, mean, variance, error, ratio: error === 0 ? 0 : error / variance };
}

/**
 * Numerical slack of the κ check, which is not a loosening of κ: the inputs and
 * the output are float32, so even an exact rule (cwtm with all honest inputs
 * equal, σ² = 0) lands up to a few float32 roundings of the honest magnitude M
 * away from x̄_S: up to d · (8·2⁻²⁴·M + 2⁻¹⁴⁶)² in squared norm, about
 * 2e-13·d·M² (2⁻¹⁴⁶ is 8 float32 subnormal steps, for inputs near 1e-45). The
 * relative 1e-6 on κσ² covers float64 accumulation in x̄_S and σ² (n ≤ 30 terms).
 */
export function kappaAllowance(kappa: number, variance: number, d: number, honestMagnitude: number): number {
  return kappa * variance * (1 + 1e-6) + d * (8 * U32 * honestMagnitude + 2 ** -146) ** 2;
}

const kappaRobustness: Invariant = {
  name: 'kappa-robustness',
  summary: '‖F(x) − x̄_S‖² ≤ κ · (1/|S|) Σ_{i∈S} ‖xᵢ − x̄_S‖² for the honest set S (published κ)',
  property(rule, shape) {
    const kappa = rule.kappa;
    if (!kappa) throw new Error(`${rule.label}: kappa-robustness declared but no κ is published or given`);
    const admits = (n: number, f: number) => rule.requirement.check(n, f) && kappa.condition.check(n, f);
    return fc.property(attackedCase(admits, shape), (c) => {
      const { output, error, variance } = empiricalKappa(rule, c);
      const k = kappa.value(c.n, c.f);
      const allowed = kappaAllowance(k, variance, c.d, magnitude(honestOf(c)));
      if (!(error <= allowed)) {
        throw new InvariantViolation(
          `${rule.label}: ‖F − x̄_S‖² = ${error.toPrecision(6)} > κ·σ² = ${k.toPrecision(6)} × ${variance.toPrecision(6)} ` +
            `(empirical κ ${(error / variance).toPrecision(6)}; κ = ${kappa.formula}, ${kappa.citation})\n` +
            `    output ${formatVector(output)}\n${formatCase(c)}`,
        );
      }
    });
  },
};

const finiteOutput: Invariant = {
  name: 'finite-output',
  summary: 'the output is finite whenever at most f inputs hold NaN or ±Infinity',
  property(rule, shape) {
    return fc.property(attackedCase(admitsRule(rule), shape, { nonFinite: true }), (c) => {
      const out = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
      const j = out.findIndex((v) => !Number.isFinite(v));
      if (j >= 0) {
        throw new InvariantViolation(`${rule.label}: output coordinate ${j} is ${out[j]}\n    output ${formatVector(out)}\n${formatCase(c)}`);
      }
    });
  },
};

const permutationInvariance: Invariant = {
  name: 'permutation-invariance',
  summary: 'F(x_π(1), …, x_π(n)) = F(x₁, …, xₙ)',
  property(rule, shape) {
    const arb = exactCase(admitsRule(rule), shape).chain((c) => fc.tuple(fc.constant(c), permutation(c.n)));
    return fc.property(arb.map(([c, perm]) => Object.assign({}, c, { perm })), (c) => {
      const a = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
      const b = run(rule.make, c.perm.map((i) => c.vectors[i]), c.f, c.rngSeed).aggregate;
      expectClose(rule, `inputs permuted by [${c.perm.join(', ')}]`, b, a, honestScale(honestOf(c), a, b), c);
    });
  },
};

const identity: Invariant = {
  name: 'identity',
  summary: 'F(x, x, …, x) = x',
  property(rule, shape) {
    const arb = sizes(admitsRule(rule), shape).chain(({ n, f, d }) =>
      fc
        .tuple(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: d, maxLength: d }), fc.nat())
        .map(([x, rngSeed]): Case => {
          const v = Float32Array.from(x);
          return { n, f, d, vectors: Array.from({ length: n }, () => v.slice()), honestIndex: [...Array(n - f).keys()], rngSeed };
        }),
    );
    return fc.property(arb, (c) => {
      const out = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
      expectClose(rule, 'n equal inputs', out, c.vectors[0], honestScale([c.vectors[0]], out), c);
    });
  },
};

const translation: Invariant = {
  name: 'translation-equivariance',
  summary: 'F(x₁ + c, …, xₙ + c) = F(x₁, …, xₙ) + c',
  property(rule, shape) {
    return fc.property(exactCase(admitsRule(rule), shape), (c) => {
      const moved = c.vectors.map((x) => x.map((v, j) => v + c.shift[j]));
      const want = Float64Array.from(run(rule.make, c.vectors, c.f, c.rngSeed).aggregate, (v, j) => v + c.shift[j]);
      const got = run(rule.make, moved, c.f, c.rngSeed).aggregate;
      const honestMoved = c.honestIndex.map((i) => moved[i]);
      expectClose(rule, `translated by ${formatVector(c.shift)}`, got, want, honestScale([...honestOf(c), ...honestMoved], want, got), c);
    });
  },
};

const scaleEquivariance: Invariant = {
  name: 'scale-equivariance',
  summary: 'F(a·x₁, …, a·xₙ) = a·F(x₁, …, xₙ) for a > 0 (a a power of two, so a·x is exact)',
  property(rule, shape) {
    return fc.property(exactCase(admitsRule(rule), shape), (c) => {
      const scaled = c.vectors.map((x) => x.map((v) => v * c.scale));
      const want = Float64Array.from(run(rule.make, c.vectors, c.f, c.rngSeed).aggregate, (v) => v * c.scale);
      const got = run(rule.make, scaled, c.f, c.rngSeed).aggregate;
      const honestScaled = c.honestIndex.map((i) => scaled[i]);
      expectClose(rule, `scaled by ${c.scale}`, got, want, honestScale([...honestOf(c), ...honestScaled], want, got), c);
    });
  },
};

const honestRange: Invariant = {
  name: 'honest-range',
  summary: 'every output coordinate lies within the honest [min, max] of that coordinate',
  property(rule, shape) {
    return fc.property(attackedCase(admitsRule(rule), shape, { nonFinite: true }), (c) => {
      const out = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
      const honest = honestOf(c);
      for (let j = 0; j < c.d; j++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const h of honest) {
          lo = Math.min(lo, h[j]);
          hi = Math.max(hi, h[j]);
        }
        // Averaging float32 values in float64 and rounding back can only cross an end by an ulp of it.
        const tol = 2 * U32 * Math.max(Math.abs(lo), Math.abs(hi));
        if (!(out[j] >= lo - tol && out[j] <= hi + tol)) {
          throw new InvariantViolation(
            `${rule.label}: output coordinate ${j} = ${out[j]} outside the honest range [${lo}, ${hi}]\n` +
              `    output ${formatVector(out)}\n${formatCase(c)}`,
          );
        }
      }
    });
  },
};

const bitwiseEqual = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, j) => Object.is(v, b[j]));

const selectsInput: Invariant = {
  name: 'selects-input',
  summary: 'the output is one of the finite inputs, bit for bit (Krum with m = 1)',
  property(rule, shape) {
    return fc.property(attackedCase(admitsRule(rule), shape, { nonFinite: true }), (c) => {
      const out = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
      const i = c.vectors.findIndex((x) => bitwiseEqual(x, out));
      if (i < 0 || !c.vectors[i].every(Number.isFinite)) {
        throw new InvariantViolation(
          `${rule.label}: output ${formatVector(out)} is ${i < 0 ? 'not one of the inputs' : `input ${i}, which is not finite`}\n${formatCase(c)}`,
        );
      }
      const allByzantineNonFinite = byzantineOf(c).every((x) => !x.every(Number.isFinite));
      if (allByzantineNonFinite && !c.honestIndex.some((h) => bitwiseEqual(c.vectors[h], out))) {
        throw new InvariantViolation(`${rule.label}: every Byzantine input is non-finite, yet the output is not honest\n${formatCase(c)}`);
      }
    });
  },
};

/**
 * Radius within which an input counts as at z in the subgradient condition, on
 * the honest scale: 1e-5 of the largest distance from z to an honest input
 * (ten times geomed's own relative ν; Byzantine inputs, however far, do not
 * enter it), and at least 256 times the float32 resolution of z (2⁻²⁴·|z|∞ per
 * coordinate, or one subnormal step, over √d coordinates), so that rounding z
 * turns the unit vector toward an input outside the radius by under 1/256 and
 * moves the residual by under n/256, inside the 0.02·n slack.
 */
function atZRadius(z: Float32Array, honestDistances: readonly number[]): number {
  return Math.max(1e-5 * Math.max(...honestDistances), 256 * Math.sqrt(z.length) * (U32 * magnitude([z]) + 2 ** -149));
}

const geomedOptimality: Invariant = {
  name: 'geomed-optimality',
  summary: '‖Σ_{xᵢ ≠ z} (z − xᵢ)/‖z − xᵢ‖‖ ≤ #{xᵢ = z} + 0.02·n: z minimises Σ‖z − xᵢ‖ (subgradient condition)',
  property(rule, shape) {
    return fc.property(attackedCase(admitsRule(rule), shape), (c) => {
      const z = run(rule.make, c.vectors, c.f, c.rngSeed).aggregate;
      const distances = c.vectors.map((x) => Math.sqrt(squaredDistance64(z, x)));
      const near = atZRadius(z, c.honestIndex.map((i) => distances[i]));
      const sum = new Float64Array(c.d);
      let atZ = 0;
      c.vectors.forEach((x, i) => {
        if (distances[i] <= near) {
          atZ++;
          return;
        }
        for (let j = 0; j < c.d; j++) sum[j] += (z[j] - x[j]) / distances[i];
      });
      const residual = Math.sqrt(sum.reduce((s, v) => s + v * v, 0));
      if (!(residual <= atZ + 0.02 * c.n)) {
        throw new InvariantViolation(
          `${rule.label}: subgradient residual ${residual.toPrecision(4)} > ${atZ} inputs within ${near.toExponential(2)} of z + 0.02·n\n` +
            `    output ${formatVector(z)}\n${formatCase(c)}`,
        );
      }
    });
  },
};

export const invariants: Record<InvariantName, Invariant> = {
  'kappa-robustness': kappaRobustness,
  'finite-output': finiteOutput,
  'permutation-invariance': permutationInvariance,
  identity,
  'translation-equivariance': translation,
  'scale-equivariance': scaleEquivariance,
  'honest-range': honestRange,
  'selects-input': selectsInput,
  'geomed-optimality': geomedOptimality,
};

export const invariantNames: InvariantName[] = [...INVARIANT_NAMES];
