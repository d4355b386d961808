/**
 * `count` Byzantine vectors as recipes over the honest ones, so they shrink
 * independently of the honest inputs: huge values (±10³ to ±10³⁸, the last
 * near float32's largest, where a float32 sum or square overflows), a copy of
 * an honest input, an honest input nudged by a relative 1e-7…1e-3, free
 * values, a shift of the honest mean by z standard deviations per coordinate
 * (the ALIE direction), and — when `nonFinite` — vectors with NaN/±Infinity
 * coordinates. When `collude` is drawn, every Byzantine input follows the
 * first recipe.
 */
import fc from 'fast-check';

export type Recipe =
  | { kind: 'huge'; signs: number[]; exponent: number }
  | { kind: 'copy'; of: number }
  | { kind: 'nudge'; of: number; eps: number; signs: number[] }
  | { kind: 'free'; values: number[] }
  | { kind: 'shift'; z: number; signs: number[] }
  | { kind: 'nonfinite'; values: number[] };

const signs = (d: number) => fc.array(fc.constantFrom(1, -1, 0), { minLength: d, maxLength: d });

function recipe(d: number, nonFinite: boolean): fc.Arbitrary<Recipe> {
  const finite: fc.Arbitrary<Recipe>[] = [
    fc.record({ kind: fc.constant('huge' as const), signs: signs(d), exponent: fc.integer({ min: 3, max: 38 }) }),
    fc.record({ kind: fc.constant('copy' as const), of: fc.nat() }),
    fc.record({ kind: fc.constant('nudge' as const), of: fc.nat(), eps: fc.constantFrom(1e-7, 1e-5, 1e-3), signs: signs(d) }),
    fc.record({
      kind: fc.constant('free' as const),
      values: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: d, maxLength: d }),
    }),
    fc.record({ kind: fc.constant('shift' as const), z: fc.double({ min: -4, max: 4, noNaN: true }), signs: signs(d) }),
  ];
  if (!nonFinite) return fc.oneof(...finite);
  const nonFiniteRecipe = fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity), fc.double({ min: -10, max: 10, noNaN: true })), {
        minLength: d,
        maxLength: d,
      }),
      fc.nat({ max: d - 1 }),
      fc.constantFrom(NaN, Infinity, -Infinity),
    )
    .map(([values, j, bad]): Recipe => ({ kind: 'nonfinite', values: values.map((v, k) => (k === j ? bad : v)) }));
  return fc.oneof(nonFiniteRecipe, ...finite);
}

export function byzantineRecipes(count: number, d: number, nonFinite = false): fc.Arbitrary<Recipe[]> {
  return fc
    .tuple(fc.array(recipe(d, nonFinite), { minLength: count, maxLength: count }), fc.boolean())
    .map(([recipes, collude]) => (collude && count > 0 ? recipes.map(() => recipes[0]) : recipes));
}

/** The vector a recipe stands for, given the honest inputs. */
export function materialize(r: Recipe, honest: readonly Float32Array[]): Float32Array {
  const d = honest[0].length;
  switch (r.kind) {
    case 'huge':
      return Float32Array.from(r.signs, (s) => (s === 0 ? 1 : s) * 10 ** r.exponent);
    case 'copy':
      return honest[r.of % honest.length].slice();
    case 'nudge': {
      const x = honest[r.of % honest.length];
      return Float32Array.from(x, (v, j) => v + r.signs[j] * r.eps * Math.max(1, Math.abs(v)));
    }
    case 'free':
      return Float32Array.from(r.values);
    case 'nonfinite':
      return Float32Array.from(r.values);
    case 'shift': {
      const mean = new Float64Array(d);
      const sq = new Float64Array(d);
      for (const x of honest) for (let j = 0; j < d; j++) mean[j] += x[j] / honest.length;
      for (const x of honest) for (let j = 0; j < d; j++) sq[j] += (x[j] - mean[j]) ** 2 / honest.length;
      return Float32Array.from(mean, (m, j) => m + r.z * (r.signs[j] === 0 ? 1 : r.signs[j]) * Math.sqrt(sq[j]));
    }
  }
}
