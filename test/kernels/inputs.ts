/**
 * Input rows for the kernel-path tests: `rowsCase` draws a compact
 * description (what fast-check prints and shrinks), `rowsOf` builds the rows.
 * Small cases carry their values; large ones (the dimensions around the
 * kernels' 16-column groups, 2048-column Gram chunks and 16384-column blocks)
 * are drawn from a seed by a value kind, so a failure prints in a few lines.
 */
import fc from 'fast-check';
import { createRng, type Rng } from '../../src/sim/rng.ts';

/** Dimensions at and around the kernels' boundaries. */
export const BOUNDARY_DIMS = [0, 1, 3, 15, 16, 17, 2047, 2048, 2049, 16384, 16385];

const F32_MAX = 3.4028234663852886e38;
/** ±0, ±Infinity, NaN, the smallest subnormal and normal, the largest float32, ±1. */
export const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 2 ** -149, -(2 ** -149), 2 ** -126, F32_MAX, -F32_MAX, 1, -1];

const KINDS = ['gaussian', 'ints', 'special', 'huge', 'tiny', 'near'] as const;
export type Kind = (typeof KINDS)[number];

export interface RowsCase {
  n: number;
  d: number;
  /** Row-major values of small cases; large ones are drawn from `seed` by `kind`. */
  values?: number[];
  kind: Kind;
  seed: number;
  /** [from, to] pairs: row `to` becomes a copy of the earlier row `from` (ties between whole vectors). */
  copies: [number, number][];
}

/** One value of the given kind. `centre` and `scale` are per case, so rows share a location. */
function draw(rng: Rng, kind: Kind, centre: number, scale: number): number {
  const u = rng.next();
  switch (kind) {
    case 'gaussian':
      return centre + scale * rng.normal();
    case 'ints':
      // Math.round of a small negative value gives −0.
      return Math.round(2 * rng.normal());
    case 'special':
      return u < 0.3 ? SPECIAL[rng.int(SPECIAL.length)] : Math.round(2 * rng.normal());
    case 'huge':
      return u < 0.2 ? (u < 0.1 ? -1 : 1) * F32_MAX * (0.5 + rng.next() / 2) : 1e36 * rng.normal();
    case 'tiny':
      return u < 0.5 ? Math.round(8 * rng.normal()) * 2 ** -149 : rng.normal() * 2 ** -126;
    case 'near':
      // Nearby points far from the origin: the Gram identity cancels and pairs are recomputed.
      return centre + 1e-6 * Math.abs(centre) * rng.normal();
  }
}

export function rowsOf(c: RowsCase): Float32Array[] {
  const rng = createRng(c.seed, 'kernel-inputs');
  const scale = 10 ** (rng.int(7) - 3);
  const centre = c.kind === 'near' ? 10 ** (3 + rng.int(6)) : rng.next() < 0.5 ? 0 : 3 * scale;
  const rows = Array.from({ length: c.n }, (_, i) =>
    c.values ? Float32Array.from(c.values.slice(i * c.d, (i + 1) * c.d)) : Float32Array.from({ length: c.d }, () => draw(rng, c.kind, centre, scale)),
  );
  for (const [from, to] of c.n ? c.copies : []) {
    const a = from % c.n;
    const b = to % c.n;
    if (a < b) rows[b] = rows[a].slice();
  }
  return rows;
}

/** A float32 value, biased to the special ones and to small integers (ties). */
const value = fc.oneof(
  { weight: 3, arbitrary: fc.float() },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL) },
);

/**
 * Cases of n ∈ [minN, maxN] rows: small ones (d ≤ 40, values given) and, one
 * time in `bigShare`, large ones (a boundary dimension or up to 20000).
 */
export function rowsCase({ minN = 1, maxN = 70, bigShare = 4 }: { minN?: number; maxN?: number; bigShare?: number } = {}): fc.Arbitrary<RowsCase> {
  const copies = fc.array(fc.tuple(fc.nat({ max: maxN }), fc.nat({ max: maxN })), { maxLength: 4 });
  const kind = fc.constantFrom(...KINDS);
  const seed = fc.nat();
  const small = fc
    .record({ n: fc.integer({ min: minN, max: maxN }), d: fc.integer({ min: 0, max: 40 }) })
    .chain(({ n, d }) =>
      fc.record({
        n: fc.constant(n),
        d: fc.constant(d),
        values: fc.array(value, { minLength: n * d, maxLength: n * d }),
        kind,
        seed,
        copies,
      }),
    );
  const big = fc.record({
    n: fc.integer({ min: minN, max: maxN }),
    d: fc.oneof(fc.constantFrom(...BOUNDARY_DIMS), fc.integer({ min: 0, max: 20000 })),
    kind,
    seed,
    copies,
  });
  return fc.oneof({ weight: bigShare - 1, arbitrary: small }, { weight: 1, arbitrary: big });
}

/** Float64 values (a centre, weights, scales) from a seed: mostly not float32-representable, some special. */
export function float64s(seed: number, length: number): Float64Array {
  const rng = createRng(seed, 'kernel-float64s');
  return Float64Array.from({ length }, () => (rng.next() < 0.1 ? SPECIAL[rng.int(SPECIAL.length)] : rng.normal() / 3));
}
