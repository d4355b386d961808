/**
 * WebAssembly SIMD kernels for the O(nd) passes of the aggregation rules and
 * pre-aggregators.
 *
 * WebAssembly reads only its own memory, so each kernel stages the inputs a
 * block of BLOCK coordinates at a time: row i of the block is copied (memcpy,
 * TypedArray.set) to byte i·STRIDE, the kernel runs on the cache-resident
 * block, and results are accumulated in or copied out of the same memory.
 * Main memory is read once per pass; the arithmetic runs four float32 lanes
 * at a time, with float64 accumulation in two f64x2 halves.
 *
 * Tail lanes of the last block are zeroed, so sums see exact zeros there.
 *
 * scalar.ts holds a plain-JavaScript twin of every kernel, with the same
 * operations in the same order, so results do not depend on whether the
 * runtime has WebAssembly SIMD; a change to a kernel's arithmetic (its order
 * of additions, its blocking, its comparators) must be made to its twin too.
 * The functions exported here require SIMD (simdAvailable()); path.ts
 * chooses between them and their twins.
 */
import { assemble, Body, F64, I32, V128 } from './wasm.ts';
import { checkNetworkSize, closestNetwork, partitionNetwork, type Centre } from './networks.ts';

export const BLOCK = 16384;
/**
 * Bytes between staged rows: 256 more than a block, so that the n rows do not
 * all fall in one cache set (a 64 KiB stride maps every row to the same L1
 * and L2 set, and 17 rows exceed the ways: cwmed at d = 1e5 went from 1.5 to
 * 1.0 ms with the skew).
 */
const STRIDE = BLOCK * 4 + 256;
/**
 * The Gram kernel widens each staged block to float64 a sub-block of WIDE
 * columns at a time (so the n(n+1)/2 dot products do not each convert their
 * operands again, and the widened rows stay in L2); WIDE_STRIDE bytes per row.
 */
export const WIDE = 2048;
const WIDE_STRIDE = WIDE * 8;
const PAGE = 65536;

const ZERO = new Array<number>(16).fill(0);

/**
 * wsum(src, stride, rows, bytes, w, out, total): out = Σᵣ w[r]·row r / total,
 * rows summed in order (as the plain loop does, so results are bit-identical).
 * Sixteen columns per step give eight independent float64 chains, so the
 * loop is not bound by the latency of one addition; `unit` omits the products
 * when every weight is 1.
 */
function wsumBody(unit: boolean): Body {
  const b = new Body([I32, I32, I32, I32, I32, I32, F64]);
  const [src, stride, rows, bytes, w, out, total] = [0, 1, 2, 3, 4, 5, 6];
  return weightedSumLoop(b, unit, { rows, bytes, w, out, total }, {
    begin: (c, p) => b.get(src).get(c).add().set(p),
    row: () => {},
    end: (p) => b.get(p).get(stride).add().set(p),
  });
}

/**
 * mix(table, rows, bytes, w, out, total): wsum over the staged rows whose
 * byte addresses table[0], …, table[rows − 1] lists (i32s, each read as lane 0
 * of a v128 load, so the table needs 12 bytes after its end). The arithmetic
 * is wsum's, so a list of rows gives wsum's bits for those rows.
 */
function mixBody(unit: boolean): Body {
  const b = new Body([I32, I32, I32, I32, I32, F64]);
  const [table, rows, bytes, w, out, total] = [0, 1, 2, 3, 4, 5];
  const tp = b.local(I32);
  return weightedSumLoop(b, unit, { rows, bytes, w, out, total }, {
    begin: () => b.get(table).set(tp),
    row: (c, p) => b.get(tp).load().iextractLane(0).get(c).add().set(p),
    end: () => b.inc(tp, 4),
  });
}

interface RowPointer {
  /** Before the rows of column byte c. */
  begin(c: number, p: number): void;
  /** At the start of each row: p must then address the row at column byte c. */
  row(c: number, p: number): void;
  /** After each row. */
  end(p: number): void;
}

/** The loops of wsum and mix, given the locals holding their common parameters and how to find each row. */
function weightedSumLoop(
  b: Body,
  unit: boolean,
  { rows, bytes, w, out, total }: { rows: number; bytes: number; w: number; out: number; total: number },
  rowPointer: RowPointer,
): Body {
  const c = b.local(I32);
  const r = b.local(I32);
  const p = b.local(I32);
  const wp = b.local(I32);
  const lanes = [0, 1, 2, 3];
  const lo = lanes.map(() => b.local(V128));
  const hi = lanes.map(() => b.local(V128));
  const wv = b.local(V128);
  const tot = b.local(V128);
  b.get(total).f64x2Splat().set(tot);
  b.loop(c, bytes, 64, () => {
    for (const k of lanes) b.v128const(ZERO).set(lo[k]).v128const(ZERO).set(hi[k]);
    rowPointer.begin(c, p);
    b.get(w).set(wp);
    b.loop(r, rows, 1, () => {
      rowPointer.row(c, p);
      if (!unit) b.get(wp).load64Splat().set(wv);
      for (const k of lanes) {
        b.get(lo[k]).get(p).load64Zero(16 * k).promoteLow();
        if (!unit) b.get(wv).dmul();
        b.dadd().set(lo[k]);
        b.get(hi[k]).get(p).load64Zero(16 * k + 8).promoteLow();
        if (!unit) b.get(wv).dmul();
        b.dadd().set(hi[k]);
      }
      rowPointer.end(p);
      b.inc(wp, 8);
    });
    for (const k of lanes) {
      b.get(out).get(c).add();
      b.get(lo[k]).get(tot).ddiv().demote().get(hi[k]).get(tot).ddiv().demote().lowLow();
      b.store(16 * k);
    }
  });
  return b;
}

/** widen(src, dst, rows, bytes): float32 rows STRIDE apart → float64 rows WIDE_STRIDE apart. */
function widenBody(): Body {
  const b = new Body([I32, I32, I32, I32]);
  const [src, dst, rows, bytes] = [0, 1, 2, 3];
  const r = b.local(I32);
  const c = b.local(I32);
  const p = b.local(I32);
  const q = b.local(I32);
  b.loop(r, rows, 1, () => {
    b.loop(c, bytes, 16, () => {
      b.get(src).get(c).add().set(p);
      b.get(dst).get(c).add().get(c).add().set(q);
      b.get(q).get(p).load64Zero().promoteLow().store();
      b.get(q).get(p).load64Zero(8).promoteLow().store(16);
    });
    b.inc(src, STRIDE).inc(dst, WIDE_STRIDE);
  });
  return b;
}

/** Row slots of a Gram tile: rows a and a + 1 (one WIDE_STRIDE apart), and b and b + 1. */
const A0 = 0;
const A1 = 1;
const B0 = 2;
const B1 = 3;
type Pairs = readonly (readonly [number, number])[];

/**
 * A Gram tile kernel (a, b, bytes, out) over float64 rows: out[k] += the dot
 * product of pairs[k]. Row offsets are folded into the loads. Each step adds
 * the products of two column pairs before touching the accumulator, which
 * halves the loop-carried chain of additions (1.2× faster) without more
 * registers: at most four accumulators, four partial sums and four operands
 * (eight accumulators measured 1.6× slower: V8 spills them).
 */
function dotTileBody(pairs: Pairs): Body {
  const b = new Body([I32, I32, I32, I32]);
  const [a0, b0, bytes, out] = [0, 1, 2, 3];
  const c = b.local(I32);
  const pa = b.local(I32);
  const pb = b.local(I32);
  const slots = [...new Set(pairs.flat())];
  const x = [0, 1, 2, 3].map(() => b.local(V128));
  const acc = pairs.map(() => b.local(V128));
  for (const a of acc) b.v128const(ZERO).set(a);
  const t = pairs.map(() => b.local(V128));
  b.loop(c, bytes, 32, () => {
    b.get(a0).get(c).add().set(pa);
    if (slots.includes(B0)) b.get(b0).get(c).add().set(pb);
    for (const half of [0, 16]) {
      for (const slot of slots) b.get(slot < B0 ? pa : pb).load((slot % 2 ? WIDE_STRIDE : 0) + half).set(x[slot]);
      pairs.forEach(([u, v], k) => {
        if (half) b.get(t[k]);
        b.get(x[u]).get(x[v]).dmul();
        if (half) b.dadd();
        b.set(t[k]);
      });
    }
    pairs.forEach((_, k) => b.get(acc[k]).get(t[k]).dadd().set(acc[k]));
  });
  pairs.forEach((_, k) => {
    const s = acc[k];
    b.get(out).get(out).f64load(8 * k).get(s).extractLane(0).get(s).extractLane(1).f64add().f64add().f64store(8 * k);
  });
  return b;
}

/** The tile shapes that cover the upper triangle of an n×n Gram matrix with no product computed twice. */
const TILES = {
  full: [[A0, B0], [A0, B1], [A1, B0], [A1, B1]],
  diagonal: [[A0, A0], [A0, A1], [A1, A1]],
  column: [[A0, B0], [A1, B0]],
  single: [[A0, A0]],
} as const satisfies Record<string, Pairs>;
type TileKind = keyof typeof TILES;

/** sqdist(src, stride, rows, z, bytes, out): out[r] += Σⱼ (row r[j] − z[j])², differences taken in float64. */
function sqdistBody(): Body {
  const b = new Body([I32, I32, I32, I32, I32, I32]);
  const [src, stride, rows, z, bytes, out] = [0, 1, 2, 3, 4, 5];
  const r = b.local(I32);
  const c = b.local(I32);
  const p = b.local(I32);
  const x = b.local(I32);
  const zp = b.local(I32);
  const t = b.local(V128);
  const accLo = b.local(V128);
  const accHi = b.local(V128);
  b.loop(r, rows, 1, () => {
    b.v128const(ZERO).set(accLo).v128const(ZERO).set(accHi);
    b.get(src).get(r).get(stride).mul().add().set(p);
    b.loop(c, bytes, 16, () => {
      b.get(p).get(c).add().set(x).get(z).get(c).add().set(zp);
      b.get(x).load64Zero().promoteLow().get(zp).load64Zero().promoteLow().dsub().set(t);
      b.get(accLo).get(t).get(t).dmul().dadd().set(accLo);
      b.get(x).load64Zero(8).promoteLow().get(zp).load64Zero(8).promoteLow().dsub().set(t);
      b.get(accHi).get(t).get(t).dmul().dadd().set(accHi);
    });
    b.get(accLo).get(accHi).dadd().set(t);
    b.get(out).get(r).i32(8).mul().add().set(p);
    b.get(p).get(p).f64load().get(t).extractLane(0).get(t).extractLane(1).f64add().f64add().f64store();
  });
  return b;
}

type Tile = (a: number, b: number, bytes: number, out: number) => void;
type Mix = (table: number, rows: number, bytes: number, w: number, out: number, total: number) => void;
type WeightedSum = (src: number, stride: number, rows: number, bytes: number, w: number, out: number, total: number) => void;

interface Core {
  memory: WebAssembly.Memory;
  sum: WeightedSum;
  wsum: WeightedSum;
  full: Tile;
  diagonal: Tile;
  column: Tile;
  single: Tile;
  widen(src: number, dst: number, rows: number, bytes: number): void;
  sqdist(src: number, stride: number, rows: number, z: number, bytes: number, out: number): void;
  vote(src: number, stride: number, rows: number, bytes: number, out: number): number;
  sqdist64(src: number, stride: number, rows: number, v: number, bytes: number, out: number): void;
  clip(src: number, stride: number, rows: number, v: number, bytes: number, scales: number, n: number): void;
  mix: Mix;
  mixSum: Mix;
  norms(src: number, groups: number, bytes: number, acc: number): void;
  scale(src: number, rows: number, bytes: number, factors: number, dst: number): void;
  nonfinite(src: number, rows: number, bytes: number, flags: number): void;
}

let core: Core | null | undefined;
let f32 = new Float32Array(0);
let f64 = new Float64Array(0);

function getCore(): Core | null {
  if (core !== undefined) return core;
  try {
    const kernels = {
      sum: wsumBody(true),
      wsum: wsumBody(false),
      full: dotTileBody(TILES.full),
      diagonal: dotTileBody(TILES.diagonal),
      column: dotTileBody(TILES.column),
      single: dotTileBody(TILES.single),
      widen: widenBody(),
      sqdist: sqdistBody(),
    };
    const main = new WebAssembly.Instance(assemble(kernels, { import: false, pages: 1 })).exports;
    const memory = main.memory as WebAssembly.Memory;
    const aggregation = assemble(
      {
        vote: voteBody(),
        sqdist64: sqdist64Body(),
        clip: clipBody(),
        mix: mixBody(false),
        mixSum: mixBody(true),
        norms: normsBody(),
        scale: scaleBody(),
        nonfinite: nonfiniteBody(),
      },
      { import: true, pages: 1 },
    );
    const extra = new WebAssembly.Instance(aggregation, { env: { memory } }).exports;
    core = { ...main, ...extra } as unknown as Core;
  } catch {
    core = null; // no WebAssembly SIMD: path.ts runs the scalar twins
  }
  return core;
}

/** Whether the SIMD kernels are available in this runtime. */
export function simdAvailable(): boolean {
  return getCore() !== null;
}

function requireCore(): Core {
  const c = getCore();
  if (!c) throw new Error('the WebAssembly SIMD kernels are unavailable in this runtime (use the scalar kernel path)');
  return c;
}

/** Grows the memory to at least `bytes` and refreshes the views. */
function reserve(c: Core, bytes: number): void {
  const have = c.memory.buffer.byteLength;
  if (have < bytes) c.memory.grow(Math.ceil((bytes - have) / PAGE));
  if (f32.buffer !== c.memory.buffer) {
    f32 = new Float32Array(c.memory.buffer);
    f64 = new Float64Array(c.memory.buffer);
  }
}

/**
 * Copies coordinates [j0, j0 + len) of each row to consecutive strides,
 * zeroing the tail up to a multiple of 16 columns; returns the bytes per row a
 * kernel should cover. Large blocks matter: each copy costs ~0.3 µs besides
 * its bytes (a subarray view and the call), about the time to copy 16 KiB.
 */
function stage(rows: readonly Float32Array[], j0: number, len: number): number {
  const padded = (len + 15) & ~15;
  for (let r = 0; r < rows.length; r++) {
    const at = (r * STRIDE) / 4;
    f32.set(len === rows[r].length ? rows[r] : rows[r].subarray(j0, j0 + len), at);
    if (padded > len) f32.fill(0, at + len, at + padded);
  }
  return padded * 4;
}

/**
 * Σ wᵢxᵢ / total over the rows with non-zero weight, written to `out`.
 *
 * Why mean stays above NumPy (measured at n = 17 on this 2-core machine):
 * NumPy's `x.mean(axis=0)` reads each float32 input once and accumulates in
 * float32 (0.24–0.33 ms at d = 1e5, 3.7–4.8 ms at d = 1e6). The float64
 * accumulation required here needs the inputs in WebAssembly memory, and the
 * staging copy alone (TypedArray.set of the 17 rows, no arithmetic) costs
 * 0.44 ms at d = 1e5 and 6.0 ms at d = 1e6, more than NumPy's whole mean; the
 * kernel itself (promote + add, 8 independent chains) adds ~0.3 ms per 1e5.
 * A plain JS float64 loop reads the inputs in place but is scalar (slower
 * still). So ≤ 1.0× is out of reach without float32 accumulation or inputs
 * that already live in WebAssembly memory.
 */
export function simdWeightedSum(
  vectors: readonly Float32Array[],
  weights: ArrayLike<number>,
  total: number,
  out: Float32Array,
): void {
  const c = requireCore();
  const rows: Float32Array[] = [];
  const w: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    if (weights[i] === 0) continue;
    rows.push(vectors[i]);
    w.push(weights[i]);
  }
  const d = out.length;
  if (rows.length === 0) {
    out.fill(0 / total);
    return;
  }
  const outAt = rows.length * STRIDE;
  const wAt = outAt + STRIDE;
  reserve(c, wAt + 8 * rows.length);
  f64.set(w, wAt / 8);
  const kernel = w.every((x) => x === 1) ? c.sum : c.wsum;
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(rows, j0, len);
    kernel(0, STRIDE, rows.length, bytes, wAt, outAt, total);
    out.set(f32.subarray(outAt / 4, outAt / 4 + len), j0);
  }
}

/** One output of a mix: Σ_k weights[k]·x_{rows[k]} / total, a row listed twice counting twice. */
export interface MixGroup {
  readonly rows: readonly number[];
  readonly weights: ArrayLike<number>;
  readonly total: number;
}

/**
 * Most rows one mix pass stages (16 MiB of staging): groups beyond it go to
 * further passes, and a single group with more rows is staged whole, as
 * simdWeightedSum stages it.
 */
const MIX_ROWS = 256;

interface MixPlan {
  rows: number[];
  w: number[];
  total: number;
  out: Float32Array;
}

/**
 * For each group g, outs[g] = simdWeightedSum(its rows, its weights, its
 * total), bit for bit, from one staging pass: each block of the inputs is
 * staged once and every group's sum is taken from the staged rows (one
 * weighted sum per output would stage the inputs once per output). When
 * given, finite[i] is set to 1 if xᵢ is finite, else 0.
 */
export function simdMix(vectors: readonly Float32Array[], groups: readonly MixGroup[], outs: readonly Float32Array[], finite?: Uint8Array): void {
  const c = requireCore();
  const n = vectors.length;
  const plans: MixPlan[] = [];
  groups.forEach(({ rows, weights, total }, g) => {
    // As simdWeightedSum: only rows of non-zero weight take part.
    const r: number[] = [];
    const w: number[] = [];
    rows.forEach((i, k) => {
      if (weights[k] === 0) return;
      r.push(i);
      w.push(weights[k]);
    });
    if (r.length === 0) outs[g].fill(0 / total);
    else plans.push({ rows: r, w, total, out: outs[g] });
  });
  // Batches of groups whose rows together fit MIX_ROWS; the finiteness check
  // rides along when one batch can stage every row.
  const batches: { plans: MixPlan[]; rows: Set<number> }[] = [];
  for (const p of plans) {
    const last = batches[batches.length - 1];
    const union = last ? new Set([...last.rows, ...p.rows]) : undefined;
    if (last && union && union.size <= MIX_ROWS) {
      last.plans.push(p);
      last.rows = union;
    } else batches.push({ plans: [p], rows: new Set(p.rows) });
  }
  const fused = finite !== undefined && n <= MIX_ROWS && batches.length <= 1;
  if (fused && batches.length === 0) batches.push({ plans: [], rows: new Set() });
  for (const [b, batch] of batches.entries()) {
    const all = fused && b === 0;
    const rows = all ? vectors.map((_, i) => i) : [...batch.rows].sort((x, y) => x - y);
    mixPass(c, vectors, rows, batch.plans, all ? finite : undefined);
  }
  if (finite && !fused) {
    for (let i0 = 0; i0 < n; i0 += MIX_ROWS) {
      const part = finite.subarray(i0, Math.min(n, i0 + MIX_ROWS));
      mixPass(c, vectors, Array.from(part, (_, k) => i0 + k), [], part);
    }
  }
}

/**
 * One staging pass over vectors[rows] for the plans (whose rows are all among
 * `rows`), and the rows' finiteness into `finite`. Each plan's block is summed
 * into one output region and copied out while it is in cache. (Widening each
 * staged chunk to float64 once, as the Gram kernel does, measured no faster:
 * the sums are bound by their additions, not the promotions.)
 */
function mixPass(c: Core, vectors: readonly Float32Array[], rows: readonly number[], plans: readonly MixPlan[], finite?: Uint8Array): void {
  const m = rows.length;
  if (m === 0) return;
  const staged = rows.map((i) => vectors[i]);
  const slot = new Map(rows.map((i, s) => [i, s]));
  const d = staged[0].length;
  const outAt = m * STRIDE;
  const flagsAt = outAt + STRIDE;
  let at = flagsAt + 16 * m;
  const placed = plans.map((p) => {
    const wAt = at;
    const table = wAt + 8 * p.rows.length;
    at = (table + 4 * p.rows.length + 12 + 7) & ~7;
    return { ...p, wAt, table, kernel: p.w.every((x) => x === 1) ? c.mixSum : c.mix };
  });
  reserve(c, at);
  const i32 = new Int32Array(c.memory.buffer);
  for (const p of placed) {
    f64.set(p.w, p.wAt / 8);
    p.rows.forEach((i, k) => (i32[p.table / 4 + k] = slot.get(i)! * STRIDE));
  }
  i32.fill(0, flagsAt / 4, flagsAt / 4 + 4 * m);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(staged, j0, len);
    if (finite) c.nonfinite(0, m, bytes, flagsAt);
    for (const p of placed) {
      p.kernel(p.table, p.rows.length, bytes, p.wAt, outAt, p.total);
      p.out.set(f32.subarray(outAt / 4, outAt / 4 + len), j0);
    }
  }
  if (finite) {
    for (let s = 0; s < m; s++) {
      const f = flagsAt / 4 + 4 * s;
      finite[s] = i32[f] | i32[f + 1] | i32[f + 2] | i32[f + 3] ? 0 : 1;
    }
  }
}

/** Rows per group of the norms kernel. */
const NORM_GROUP = 8;

/** Zeroes the staging slots from row n up to a whole number of norm groups, over the first `padded` columns. */
function zeroSpareRows(at: number, n: number, slots: number, padded: number): void {
  for (let r = n; r < slots; r++) f32.fill(0, (at + r * STRIDE) / 4, (at + r * STRIDE) / 4 + padded);
}

/** out[i] = Σⱼ xᵢ[j]², added in column order from a float64 0 (squaredNorm's bits). */
export function simdSquaredNorms(vectors: readonly Float32Array[], out: Float64Array): void {
  const c = requireCore();
  const n = vectors.length;
  out.fill(0, 0, n);
  if (n === 0) return;
  const d = vectors[0].length;
  const groups = Math.ceil(n / NORM_GROUP);
  const slots = groups * NORM_GROUP;
  const accAt = slots * STRIDE;
  reserve(c, accAt + 8 * slots);
  zeroSpareRows(0, n, slots, (Math.min(BLOCK, d) + 15) & ~15);
  f64.fill(0, accAt / 8, accAt / 8 + slots);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const bytes = stage(vectors, j0, Math.min(BLOCK, d - j0));
    c.norms(0, groups, bytes, accAt);
  }
  out.set(f64.subarray(accAt / 8, accAt / 8 + n));
}

/**
 * outs[i] = float32(factors[i]·xᵢ) (the product in float64, rounded once),
 * and sq[i] = Σⱼ outs[i][j]² as simdSquaredNorms gives it, from one pass.
 */
export function simdScaleRows(vectors: readonly Float32Array[], factors: ArrayLike<number>, outs: readonly Float32Array[], sq: Float64Array): void {
  const c = requireCore();
  const n = vectors.length;
  sq.fill(0, 0, n);
  if (n === 0) return;
  const d = vectors[0].length;
  const groups = Math.ceil(n / NORM_GROUP);
  const slots = groups * NORM_GROUP;
  const dstAt = n * STRIDE;
  const fAt = dstAt + slots * STRIDE;
  const accAt = fAt + 8 * n;
  reserve(c, accAt + 8 * slots);
  zeroSpareRows(dstAt, n, slots, (Math.min(BLOCK, d) + 15) & ~15);
  for (let i = 0; i < n; i++) f64[fAt / 8 + i] = factors[i];
  f64.fill(0, accAt / 8, accAt / 8 + slots);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(vectors, j0, len);
    c.scale(0, n, bytes, fAt, dstAt);
    // A non-finite factor turns the zero padding into NaN: back to zeros.
    if (bytes / 4 > len) for (let r = 0; r < n; r++) f32.fill(0, (dstAt + r * STRIDE) / 4 + len, (dstAt + r * STRIDE + bytes) / 4);
    c.norms(dstAt, groups, bytes, accAt);
    for (let r = 0; r < n; r++) outs[r].set(f32.subarray((dstAt + r * STRIDE) / 4, (dstAt + r * STRIDE) / 4 + len), j0);
  }
  sq.set(f64.subarray(accAt / 8, accAt / 8 + n));
}

/** The Gram matrix xᵢ·xⱼ (row-major n×n, float64 sums of exact products). */
export function simdGram(vectors: readonly Float32Array[]): Float64Array {
  const c = requireCore();
  const n = vectors.length;
  const d = n ? vectors[0].length : 0;
  // Pairs of rows (a, a + 1) on the diagonal, 2×2 tiles above it, a 2×1
  // column for an odd last row, and that row's own square.
  const tiles: { kind: TileKind; a: number; b: number; at: number }[] = [];
  let slots = 0;
  const tile = (kind: TileKind, a: number, b: number): void => {
    tiles.push({ kind, a, b, at: slots });
    slots += TILES[kind].length;
  };
  for (let a = 0; a + 1 < n; a += 2) {
    tile('diagonal', a, a);
    for (let b = a + 2; b < n; b += 2) tile(b + 1 < n ? 'full' : 'column', a, b);
  }
  if (n & 1) tile('single', n - 1, n - 1);
  const wideAt = n * STRIDE;
  const accAt = wideAt + n * WIDE_STRIDE;
  reserve(c, accAt + 8 * slots);
  f64.fill(0, accAt / 8, accAt / 8 + slots);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const bytes = stage(vectors, j0, Math.min(BLOCK, d - j0));
    for (let k = 0; k < bytes; k += 4 * WIDE) {
      const part = Math.min(4 * WIDE, bytes - k);
      c.widen(k, wideAt, n, part);
      for (const { kind, a, b, at } of tiles) c[kind](wideAt + a * WIDE_STRIDE, wideAt + b * WIDE_STRIDE, 2 * part, accAt + 8 * at);
    }
  }
  const G = new Float64Array(n * n);
  for (const { kind, a, b, at } of tiles) {
    TILES[kind].forEach(([u, v], k) => {
      const i = (u < B0 ? a : b) + (u % 2);
      const j = (v < B0 ? a : b) + (v % 2);
      G[i * n + j] = G[j * n + i] = f64[accAt / 8 + at + k];
    });
  }
  return G;
}

/** ‖xᵢ − z‖² for every input, into `out`. */
export function simdSquaredDistancesTo(z: Float32Array, vectors: readonly Float32Array[], out: Float64Array): void {
  const c = requireCore();
  const n = vectors.length;
  const d = z.length;
  if (n === 0) return;
  const zAt = n * STRIDE;
  const outAt = zAt + STRIDE;
  reserve(c, outAt + 8 * n);
  f64.fill(0, outAt / 8, outAt / 8 + n);
  const withZ = [...vectors, z];
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(withZ, j0, len);
    c.sqdist(0, STRIDE, n, zAt, bytes, outAt);
  }
  out.set(f64.subarray(outAt / 8, outAt / 8 + n));
}

type Select = (src: number, bytes: number, out: number) => void;
const selectors = new Map<string, Select>();

/**
 * A kernel writing, for four coordinates at a time, the mean of the values
 * ranked [low, low + mid) among n (NaN ranked as +Infinity): a partition
 * network on n SIMD locals, then a float64 sum of the middle wires.
 */
function selector(c: Core, n: number, low: number, mid: number): Select {
  const key = `${n}/${low}/${mid}`;
  let fn = selectors.get(key);
  if (fn) return fn;
  const b = new Body([I32, I32, I32]);
  const [src, bytes, out] = [0, 1, 2];
  const col = b.local(I32);
  const v = Array.from({ length: n }, () => b.local(V128));
  const t = b.local(V128);
  const inf = b.local(V128);
  const lo = b.local(V128);
  const hi = b.local(V128);
  const infBytes = [...new Uint8Array(new Float32Array(4).fill(Infinity).buffer)];
  b.v128const(infBytes).set(inf);
  b.loop(col, bytes, 16, () => {
    for (let i = 0; i < n; i++) {
      // x where x = x, +Infinity where x is NaN.
      b.get(src).get(col).add().load(i * STRIDE).tee(t).get(inf).get(t).get(t).f32x4Eq().bitselect().set(v[i]);
    }
    for (const [i, j] of partitionNetwork(n, low, mid)) {
      // Equal values keep their wires, so ±0 survive as given.
      b.get(v[i]).get(v[j]).pmin().set(t);
      b.get(v[j]).get(v[i]).pmax().set(v[j]);
      b.get(t).set(v[i]);
    }
    b.get(out).get(col).add();
    if (mid === 1) {
      b.get(v[low]);
    } else {
      b.get(v[low]).promoteLow().set(lo).get(v[low]).get(v[low]).highToLow().promoteLow().set(hi);
      for (let k = low + 1; k < low + mid; k++) {
        b.get(lo).get(v[k]).promoteLow().dadd().set(lo);
        b.get(hi).get(v[k]).get(v[k]).highToLow().promoteLow().dadd().set(hi);
      }
      b.f64(mid).f64x2Splat().set(t);
      b.get(lo).get(t).ddiv().demote().get(hi).get(t).ddiv().demote().lowLow();
    }
    b.store();
  });
  const module = assemble({ select: b }, { import: true, pages: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory: c.memory } });
  fn = instance.exports.select as Select;
  selectors.set(key, fn);
  return fn;
}

/**
 * out[j] = mean of the values ranked [low, low + mid) among x₁[j], …, xₙ[j]
 * (NaN ranked as +Infinity), for 1 ≤ n ≤ MAX_NETWORK_N.
 */
export function simdColumnSelect(vectors: readonly Float32Array[], low: number, mid: number, out: Float32Array): void {
  const n = vectors.length;
  checkNetworkSize(n, 'simdColumnSelect');
  const c = requireCore();
  const select = selector(c, n, low, mid);
  const d = out.length;
  const outAt = n * STRIDE;
  reserve(c, outAt + STRIDE);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(vectors, j0, len);
    select(0, bytes, outAt);
    out.set(f32.subarray(outAt / 4, outAt / 4 + len), j0);
  }
}

const f64Splat = (x: number): number[] => {
  const bytes = [...new Uint8Array(new Float64Array([x, x]).buffer)];
  return bytes;
};
const F32_INF = [...new Uint8Array(new Float32Array(4).fill(Infinity).buffer)];

type Closest = (src: number, bytes: number, out: number) => number;
const closestKernels = new Map<string, Closest>();

/**
 * A kernel writing, four coordinates at a time, the mean of the k = n − f
 * values closest to the centre (meamed, phocas). After a rank network the
 * column is sorted where it matters (wires 0..f, k − 1..n − 1 and the median's),
 * and the k closest values form a window [s, s + k) of it. Window s + 1 beats
 * window s iff v[s + k] − c < c − v[s], which is monotone in s: so window
 * s* = #{t < f : v[t + k] − c < c − v[t]}, and its sum is the core v[f..k) plus,
 * for each t < f, v[t + k] if t < s* else v[t]: a branch-free select per t.
 * A tie at t = s* (equal distances on either side) is the contested last slot:
 * 0.5·v[t] + 0.5·v[t + k], as sortedClosestMean does, provided the other k − 1
 * values are strictly closer. Where that fails (several values at the tied
 * distance, an infinite one, or a non-finite centre) the lane gets NaN and
 * the kernel returns non-zero, and the caller recomputes those coordinates
 * with the plain loop. The window is summed in pairs symmetric under
 * negation, so the rule stays exactly odd.
 */
function closestKernel(c: Core, n: number, f: number, centre: Centre): Closest {
  const key = `${n}/${f}/${centre}`;
  let fn = closestKernels.get(key);
  if (fn) return fn;
  const k = n - f;
  const m = (n - 1) >> 1;
  const b = new Body([I32, I32, I32], [I32]);
  const [src, bytes, out] = [0, 1, 2];
  const col = b.local(I32);
  const v = Array.from({ length: n }, () => b.local(V128));
  const p = Array.from({ length: n }, () => b.local(V128));
  const dl = Array.from({ length: f + 1 }, () => b.local(V128));
  const dr = Array.from({ length: f + 1 }, () => b.local(V128)); // dr[t + 1] = v[k + t] − c, t = −1..f − 1
  const val = Array.from({ length: f }, () => b.local(V128));
  const t = b.local(V128);
  const cv = b.local(V128);
  const acc = b.local(V128);
  const flag = b.local(V128);
  const any = b.local(V128);
  const res0 = b.local(V128);
  const inf = b.local(V128);
  const half = b.local(V128);
  const nan = b.local(V128);
  const infD = b.local(V128);
  b.v128const(F32_INF).set(inf).v128const(f64Splat(0.5)).set(half).v128const(f64Splat(NaN)).set(nan);
  b.v128const(f64Splat(Infinity)).set(infD).v128const(ZERO).set(any);
  b.loop(col, bytes, 16, () => {
    for (let i = 0; i < n; i++) {
      b.get(src).get(col).add().load(i * STRIDE).tee(t).get(inf).get(t).get(t).f32x4Eq().bitselect().set(v[i]);
    }
    for (const [i, j] of closestNetwork(n, f, centre)) {
      b.get(v[i]).get(v[j]).pmin().set(t);
      b.get(v[j]).get(v[i]).pmax().set(v[j]);
      b.get(t).set(v[i]);
    }
    for (const h of [0, 1]) {
      // Only the wires whose distances are compared live in float64 locals;
      // the core is widened where it is summed (fewer live registers, fewer spills).
      const ends = (i: number): boolean => i <= f || i >= k - 1;
      const pr = (i: number): void => {
        if (ends(i)) b.get(p[i]);
        else if (h === 0) b.get(v[i]).promoteLow();
        else b.get(v[i]).get(v[i]).highToLow().promoteLow();
      };
      for (let i = 0; i < n; i++) {
        if (!ends(i)) continue;
        if (h === 0) b.get(v[i]).promoteLow().set(p[i]);
        else b.get(v[i]).get(v[i]).highToLow().promoteLow().set(p[i]);
      }
      // The centre, computed as sortedMedian / sortedTrimmedMean do.
      if (centre === 'median') {
        if (n & 1) {
          pr(m);
          b.set(cv);
        } else {
          pr(m);
          b.get(half).dmul();
          pr(m + 1);
          b.get(half).dmul().dadd().set(cv);
        }
      } else {
        b.v128const(ZERO);
        for (let i = f; i < k; i++) {
          pr(i);
          b.dadd();
        }
        b.v128const(f64Splat(n - 2 * f)).ddiv().set(cv);
      }
      // NaN centre or ±Infinity centre: c − c is NaN.
      b.get(cv).get(cv).dsub().tee(t).get(t).dne().set(flag);
      for (let i = 0; i <= f; i++) b.get(cv).get(p[i]).dsub().set(dl[i]);
      for (let i = 0; i <= f; i++) b.get(p[k - 1 + i]).get(cv).dsub().set(dr[i]);
      for (let i = 0; i < f; i++) {
        // val = v[k+i] if dr < dl; else the half-half if dr == dl; else v[i].
        b.get(p[k + i]);
        b.get(p[i]).get(half).dmul().get(p[k + i]).get(half).dmul().dadd();
        b.get(p[i]);
        b.get(dr[i + 1]).get(dl[i]).deq().tee(t);
        b.bitselect();
        b.get(dr[i + 1]).get(dl[i]).dlt();
        b.bitselect().set(val[i]);
        // Tie with a positive distance that is not the plain contested slot.
        b.get(flag);
        b.get(t).get(dl[i]).v128const(ZERO).dgt().vand();
        b.get(dl[i + 1]).get(dl[i]).dlt().get(dr[i]).get(dl[i]).dlt().vand().get(dl[i]).get(infD).dlt().vand();
        b.vandnot().vor().set(flag);
      }
      b.v128const(ZERO);
      for (let i = 0; f + i < k - 1 - i; i++) {
        pr(f + i);
        pr(k - 1 - i);
        b.dadd().dadd();
      }
      if ((k - f) & 1) {
        pr((f + k - 1) >> 1);
        b.dadd();
      }
      for (let i = 0; i < f - 1 - i; i++) b.get(val[i]).get(val[f - 1 - i]).dadd().dadd();
      if (f & 1) b.get(val[(f - 1) >> 1]).dadd();
      b.v128const(f64Splat(k)).ddiv().set(acc);
      b.get(nan).get(acc).get(flag).bitselect().demote();
      if (h === 0) b.set(res0);
      else b.set(acc);
      b.get(any).get(flag).vor().set(any);
    }
    b.get(out).get(col).add().get(res0).get(acc).lowLow().store();
  });
  b.get(any).iextractLane(0).get(any).iextractLane(1).add().get(any).iextractLane(2).add().get(any).iextractLane(3).add();
  const module = assemble({ closest: b }, { import: true, pages: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory: c.memory } });
  fn = instance.exports.closest as Closest;
  closestKernels.set(key, fn);
  return fn;
}

/**
 * out[j] = mean of the n − f values of x₁[j], …, xₙ[j] closest to their
 * median or trimmed mean (trim f), NaN ordered as +Infinity, the contested last
 * slot split in halves — sortedClosestMean's result. Each block of BLOCK
 * coordinates with a lane the kernel cannot settle branch-free is passed to
 * `fallback(j0, j1)`, which rewrites the NaN entries of out[j0, j1). For
 * 1 ≤ n ≤ MAX_NETWORK_N and 0 ≤ f < n.
 */
export function simdClosestMean(
  vectors: readonly Float32Array[],
  f: number,
  centre: Centre,
  out: Float32Array,
  fallback: (j0: number, j1: number) => void,
): void {
  const n = vectors.length;
  checkNetworkSize(n, 'simdClosestMean');
  if (!(f >= 0 && f < n)) throw new RangeError(`simdClosestMean: f = ${f} outside 0..${n - 1}`);
  const c = requireCore();
  const kernel = closestKernel(c, n, f, centre);
  const d = out.length;
  const outAt = n * STRIDE;
  reserve(c, outAt + STRIDE);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(vectors, j0, len);
    const flagged = kernel(0, bytes, outAt);
    out.set(f32.subarray(outAt / 4, outAt / 4 + len), j0);
    if (flagged !== 0) fallback(j0, j0 + len);
  }
}

/**
 * vote(src, stride, rows, bytes, out) → ties: out[j] = sign(#{xᵢ[j] > 0} −
 * #{xᵢ[j] < 0}) as float32 (+0 for a tie); NaN and ±0 compare false both
 * ways, so they abstain. Returns the number of tied lanes, padding included.
 */
function voteBody(): Body {
  const b = new Body([I32, I32, I32, I32, I32], [I32]);
  const [src, stride, rows, bytes, out] = [0, 1, 2, 3, 4];
  const c = b.local(I32);
  const r = b.local(I32);
  const p = b.local(I32);
  const x = b.local(V128);
  const acc = b.local(V128);
  const ties = b.local(V128);
  b.v128const(ZERO).set(ties);
  b.loop(c, bytes, 16, () => {
    b.v128const(ZERO).set(acc).get(src).get(c).add().set(p);
    // acc = Σ ([x > 0] − [x < 0]) with masks of −1: the sum of (gt − lt) masks is −votes.
    b.loop(r, rows, 1, () => {
      b.get(acc).get(p).load().tee(x).v128const(ZERO).fgt().iadd().get(x).v128const(ZERO).flt().isub().set(acc);
      b.get(p).get(stride).add().set(p);
    });
    b.get(out).get(c).add();
    b.get(acc).v128const(ZERO).igtS().get(acc).v128const(ZERO).iltS().isub().convertI32();
    b.store();
    b.get(ties).get(acc).v128const(ZERO).ieq().isub().set(ties);
  });
  b.get(ties).iextractLane(0).get(ties).iextractLane(1).add().get(ties).iextractLane(2).add().get(ties).iextractLane(3).add();
  return b;
}

/**
 * sqdist64(src, stride, rows, v, bytes, out): out[r] += Σⱼ (row r[j] − v[j])²
 * for a float64 point v (one float64 per column, at v + 2·(byte offset)).
 */
function sqdist64Body(): Body {
  const b = new Body([I32, I32, I32, I32, I32, I32]);
  const [src, stride, rows, z, bytes, out] = [0, 1, 2, 3, 4, 5];
  const r = b.local(I32);
  const c = b.local(I32);
  const p = b.local(I32);
  const x = b.local(I32);
  const zp = b.local(I32);
  const t = b.local(V128);
  const accLo = b.local(V128);
  const accHi = b.local(V128);
  b.loop(r, rows, 1, () => {
    b.v128const(ZERO).set(accLo).v128const(ZERO).set(accHi);
    b.get(src).get(r).get(stride).mul().add().set(p);
    b.loop(c, bytes, 16, () => {
      b.get(p).get(c).add().set(x).get(z).get(c).add().get(c).add().set(zp);
      b.get(x).load64Zero().promoteLow().get(zp).load().dsub().set(t);
      b.get(accLo).get(t).get(t).dmul().dadd().set(accLo);
      b.get(x).load64Zero(8).promoteLow().get(zp).load(16).dsub().set(t);
      b.get(accHi).get(t).get(t).dmul().dadd().set(accHi);
    });
    b.get(accLo).get(accHi).dadd().set(t);
    b.get(out).get(r).i32(8).mul().add().set(p);
    b.get(p).get(p).f64load().get(t).extractLane(0).get(t).extractLane(1).f64add().f64add().f64store();
  });
  return b;
}

/**
 * clip(src, stride, rows, v, bytes, scales, n): v[j] += (Σᵣ sᵣ·(row r[j] − v[j])) / n
 * in float64, rows in order (cc's step; bit-identical to the plain loop).
 */
function clipBody(): Body {
  const b = new Body([I32, I32, I32, I32, I32, I32, F64]);
  const [src, stride, rows, z, bytes, scales, n] = [0, 1, 2, 3, 4, 5, 6];
  const c = b.local(I32);
  const r = b.local(I32);
  const p = b.local(I32);
  const sp = b.local(I32);
  const zp = b.local(I32);
  const s = b.local(V128);
  const vlo = b.local(V128);
  const vhi = b.local(V128);
  const lo = b.local(V128);
  const hi = b.local(V128);
  const nv = b.local(V128);
  b.get(n).f64x2Splat().set(nv);
  b.loop(c, bytes, 16, () => {
    b.get(z).get(c).add().get(c).add().set(zp);
    b.get(zp).load().set(vlo).get(zp).load(16).set(vhi);
    b.v128const(ZERO).set(lo).v128const(ZERO).set(hi);
    b.get(src).get(c).add().set(p).get(scales).set(sp);
    b.loop(r, rows, 1, () => {
      b.get(sp).load64Splat().set(s);
      b.get(lo).get(s).get(p).load64Zero().promoteLow().get(vlo).dsub().dmul().dadd().set(lo);
      b.get(hi).get(s).get(p).load64Zero(8).promoteLow().get(vhi).dsub().dmul().dadd().set(hi);
      b.get(p).get(stride).add().set(p).inc(sp, 8);
    });
    b.get(zp).get(vlo).get(lo).get(nv).ddiv().dadd().store();
    b.get(zp).get(vhi).get(hi).get(nv).ddiv().dadd().store(16);
  });
  return b;
}

/**
 * norms(src, groups, bytes, acc): acc[r] += Σⱼ row r[j]² for the rows of
 * `groups` groups of eight, STRIDE apart, each sum taken in column order
 * (squaredNorm's order, one float64 chain per row). The f64x2 lanes hold two
 * rows, so the chains of eight rows run side by side: a row's squares are
 * moved beside its partner's by a shuffle, promoted, squared (exactly) and
 * added to the pair's accumulator.
 */
function normsBody(): Body {
  const b = new Body([I32, I32, I32, I32]);
  const [src, groups, bytes, acc] = [0, 1, 2, 3];
  const g = b.local(I32);
  const c = b.local(I32);
  const p = b.local(I32);
  const x = b.local(I32);
  const q = b.local(I32);
  const pairs = [0, 1, 2, 3];
  const s = pairs.map(() => b.local(V128));
  const ra = b.local(V128);
  const rb = b.local(V128);
  const t = b.local(V128);
  b.get(src).set(p).get(acc).set(q);
  b.loop(g, groups, 1, () => {
    for (const k of pairs) b.get(q).load(16 * k).set(s[k]);
    b.loop(c, bytes, 16, () => {
      b.get(p).get(c).add().set(x);
      for (const k of pairs) {
        b.get(x).load(2 * k * STRIDE).set(ra).get(x).load((2 * k + 1) * STRIDE).set(rb);
        for (let i = 0; i < 4; i++) {
          const lane = [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3];
          b.get(s[k]).get(ra).get(rb).shuffle([...lane, ...lane.map((l) => l + 16), ...lane, ...lane]);
          b.promoteLow().tee(t).get(t).dmul().dadd().set(s[k]);
        }
      }
    });
    for (const k of pairs) b.get(q).get(s[k]).store(16 * k);
    b.inc(p, 8 * STRIDE).inc(q, 64);
  });
  return b;
}

/** scale(src, rows, bytes, factors, dst): row r at dst = float32(factors[r] · row r at src), rows STRIDE apart. */
function scaleBody(): Body {
  const b = new Body([I32, I32, I32, I32, I32]);
  const [src, rows, bytes, factors, dst] = [0, 1, 2, 3, 4];
  const r = b.local(I32);
  const c = b.local(I32);
  const x = b.local(I32);
  const f = b.local(V128);
  b.loop(r, rows, 1, () => {
    b.get(factors).load64Splat().set(f);
    b.loop(c, bytes, 16, () => {
      b.get(src).get(c).add().set(x);
      b.get(dst).get(c).add();
      b.get(x).load64Zero().promoteLow().get(f).dmul().demote().get(x).load64Zero(8).promoteLow().get(f).dmul().demote().lowLow();
      b.store();
    });
    b.inc(src, STRIDE).inc(dst, STRIDE).inc(factors, 8);
  });
  return b;
}

const F32_EXPONENT = [...new Uint8Array(new Uint32Array(4).fill(0x7f800000).buffer)];

/**
 * nonfinite(src, rows, bytes, flags): flags[r] (16 bytes) |= a lane mask that
 * is non-zero iff row r holds a float32 whose exponent bits are all ones
 * (±Infinity, NaN).
 */
function nonfiniteBody(): Body {
  const b = new Body([I32, I32, I32, I32]);
  const [src, rows, bytes, flags] = [0, 1, 2, 3];
  const r = b.local(I32);
  const c = b.local(I32);
  const e = b.local(V128);
  const any = b.local(V128);
  b.v128const(F32_EXPONENT).set(e);
  b.loop(r, rows, 1, () => {
    b.v128const(ZERO).set(any);
    b.loop(c, bytes, 16, () => {
      b.get(any).get(src).get(c).add().load().get(e).vand().get(e).ieq().vor().set(any);
    });
    b.get(flags).get(flags).load().get(any).vor().store();
    b.inc(src, STRIDE).inc(flags, 16);
  });
  return b;
}

/** signmv's vote into `out` (±1, or +0 for a tie); returns the number of ties. */
export function simdSignVote(vectors: readonly Float32Array[], out: Float32Array): number {
  const c = requireCore();
  const n = vectors.length;
  const d = out.length;
  // The kernel's row loop runs at least once: with no voters every coordinate is a tie.
  if (n === 0) {
    out.fill(0);
    return d;
  }
  const outAt = n * STRIDE;
  reserve(c, outAt + STRIDE);
  let ties = 0;
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(vectors, j0, len);
    ties += c.vote(0, STRIDE, n, bytes, outAt) - (bytes / 4 - len);
    out.set(f32.subarray(outAt / 4, outAt / 4 + len), j0);
  }
  return ties;
}

/** Copies v[j0, j0 + len) to float64 slot `at` (bytes), zeroing the padding up to `bytes / 4` columns. */
function stageF64(v: Float64Array, j0: number, len: number, at: number, padded: number): void {
  f64.set(v.subarray(j0, j0 + len), at / 8);
  if (padded > len) f64.fill(0, at / 8 + len, at / 8 + padded);
}

/** ‖xᵢ − v‖² for a float64 point v, into `out`. */
export function simdSquaredDistancesTo64(v: Float64Array, vectors: readonly Float32Array[], out: Float64Array): void {
  const c = requireCore();
  const n = vectors.length;
  const d = v.length;
  if (n === 0) return;
  const vAt = n * STRIDE;
  const outAt = vAt + 2 * STRIDE;
  reserve(c, outAt + 8 * n);
  f64.fill(0, outAt / 8, outAt / 8 + n);
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(vectors, j0, len);
    stageF64(v, j0, len, vAt, bytes / 4);
    c.sqdist64(0, STRIDE, n, vAt, bytes, outAt);
  }
  out.set(f64.subarray(outAt / 8, outAt / 8 + n));
}

/**
 * cc's step in place: v ← v + (1/n) Σᵢ sᵢ·(xᵢ − v) over the given rows and
 * scales (float64, rows in order).
 */
export function simdClipStep(vectors: readonly Float32Array[], scales: ArrayLike<number>, n: number, v: Float64Array): void {
  const c = requireCore();
  const rows = vectors.length;
  const d = v.length;
  // The kernel's row loop runs at least once: with no rows the step is v + 0/n.
  if (rows === 0) {
    for (let j = 0; j < d; j++) v[j] += 0 / n;
    return;
  }
  const vAt = rows * STRIDE;
  const sAt = vAt + 2 * STRIDE;
  reserve(c, sAt + 8 * rows);
  for (let i = 0; i < rows; i++) f64[sAt / 8 + i] = scales[i];
  for (let j0 = 0; j0 < d; j0 += BLOCK) {
    const len = Math.min(BLOCK, d - j0);
    const bytes = stage(vectors, j0, len);
    stageF64(v, j0, len, vAt, bytes / 4);
    c.clip(0, STRIDE, rows, vAt, bytes, sAt, n);
    v.set(f64.subarray(vAt / 8, vAt / 8 + len), j0);
  }
}
