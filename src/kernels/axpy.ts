/**
 * Sparse row axpys, the inner loops of a dense layer on sparse inputs (the
 * MLP's first layer on MNIST, whose pixels are ≈80 % zero):
 *
 *   gatherAxpy   out[h] += Σ_q val[q] · M[at[q] + h]        (x·W over the non-zero x)
 *   scatterAxpy  G[at[q] + h] += val[q] · v[h]              (the W gradient x ⊗ δ)
 *
 * for h < n, q < nnz, in float64; M is float32 (the parameters), widened
 * exactly. In gatherAxpy each out[h] receives its nnz terms in the order of q,
 * one rounded product and one rounded addition each; scatterAxpy's rows
 * at[q] … at[q] + n must not overlap, so every element gets one product and
 * one addition. Vectorising across h changes neither, so the WebAssembly SIMD
 * version (two f64 lanes, eight columns per step) and its scalar twin here
 * give bit-identical results; kernelPath() (path.ts) chooses between them.
 *
 * WebAssembly reads only its own memory, so the operands live in an Arena: a
 * fixed-size memory carved into typed-array views once, which the caller
 * fills and reads directly, whichever path runs.
 */
import { assemble, Body, F64, I32, V128 } from './wasm.ts';
import { kernelPath } from './path.ts';

type Kind = 'f32' | 'f64' | 'i32';
type ViewOf<K extends Kind> = K extends 'f32' ? Float32Array : K extends 'f64' ? Float64Array : Int32Array;
export type ArenaSpec = Record<string, readonly [Kind, number]>;
export type ArenaViews<S extends ArenaSpec> = { [N in keyof S]: ViewOf<S[N][0]> };

export interface Arena<S extends ArenaSpec> {
  readonly memory: WebAssembly.Memory;
  readonly views: ArenaViews<S>;
}

const PAGE = 65536;
const BYTES: Record<Kind, number> = { f32: 4, f64: 8, i32: 4 };

/** One memory holding a view of each requested kind and length, 16-byte aligned. */
export function createArena<S extends ArenaSpec>(spec: S): Arena<S> {
  const at: Record<string, number> = {};
  let bytes = 0;
  for (const [name, [kind, n]] of Object.entries(spec)) {
    at[name] = bytes;
    bytes += Math.ceil((n * BYTES[kind]) / 16) * 16;
  }
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const views: Record<string, Float32Array | Float64Array | Int32Array> = {};
  for (const [name, [kind, n]] of Object.entries(spec)) {
    const Ctor = kind === 'f32' ? Float32Array : kind === 'f64' ? Float64Array : Int32Array;
    views[name] = new Ctor(memory.buffer, at[name], n);
  }
  return { memory, views: views as ArenaViews<S> };
}

export interface AxpyKernels {
  /** out[h] += Σ_q val[q]·M[at[q] + h] for h < n, the q in order. */
  gatherAxpy(out: Float64Array, M: Float32Array, at: Int32Array, val: Float64Array, nnz: number, n: number): void;
  /** G[at[q] + h] += val[q]·v[h] for h < n, q < nnz; the rows must not overlap. */
  scatterAxpy(G: Float64Array, at: Int32Array, val: Float64Array, nnz: number, v: Float64Array, n: number): void;
}

/** The scalar twins: the same operations, one lane at a time. */
export const scalarAxpy: AxpyKernels = {
  gatherAxpy(out, M, at, val, nnz, n) {
    for (let q = 0; q < nnz; q++) {
      const x = val[q];
      const w = at[q];
      for (let h = 0; h < n; h++) out[h] += x * M[w + h];
    }
  },
  scatterAxpy(G, at, val, nnz, v, n) {
    for (let q = 0; q < nnz; q++) {
      const x = val[q];
      const w = at[q];
      for (let h = 0; h < n; h++) G[w + h] += x * v[h];
    }
  },
};

/** The few operations the assembler lacks, and a loop that may run zero times. */
class AxpyBody extends Body {
  private raw(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  i32load(): this {
    return this.raw(0x28, 2, 0);
  }
  f32load(): this {
    return this.raw(0x2a, 2, 0);
  }
  promoteF32(): this {
    return this.raw(0xbb);
  }
  f64mul(): this {
    return this.raw(0xa2);
  }
  shl(): this {
    return this.raw(0x74);
  }
  /** `for (i = start; i < end; i += step) body()` (unsigned), zero times when start ≥ end. */
  range(i: number, start: () => void, end: number, step: number, body: () => void): this {
    start();
    this.set(i);
    this.raw(0x02, 0x40, 0x03, 0x40);
    this.get(i).get(end).raw(0x4f, 0x0d, 0x01);
    body();
    this.inc(i, step);
    return this.raw(0x0c, 0x00, 0x0b, 0x0b);
  }
  /** Pushes base + (index << shift). */
  address(base: number, index: number, shift: number): this {
    return this.get(base).get(index).i32(shift).shl().add();
  }
}

const LANES8 = [0, 1, 2, 3];

/** gather(out, M, at, val, nnz, n, n8, n2): n8 = n rounded down to a multiple of 8, n2 of 2. */
function gatherBody(): Body {
  const b = new AxpyBody([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [out, M, at, val, nnz, n, n8, n2] = [0, 1, 2, 3, 4, 5, 6, 7];
  const h = b.local(I32);
  const q = b.local(I32);
  const p = b.local(I32);
  const po = b.local(I32);
  const x = b.local(V128);
  const acc = LANES8.map(() => b.local(V128));
  const s = b.local(F64);
  // p = M + 4·(at[q] + h)
  const rowAddress = (): void => {
    b.get(M).address(at, q, 2).i32load().get(h).add().i32(2).shl().add().set(p);
  };
  const steps: [number, number, () => void, number][] = [
    [8, 4, () => b.i32(0), n8],
    [2, 1, () => b.get(n8), n2],
  ];
  for (const [step, vectors, start, end] of steps) {
    b.range(h, start, end, step, () => {
      b.address(out, h, 3).set(po);
      for (let k = 0; k < vectors; k++) b.get(po).load(16 * k).set(acc[k]);
      b.range(q, () => b.i32(0), nnz, 1, () => {
        rowAddress();
        b.address(val, q, 3).f64load().f64x2Splat().set(x);
        for (let k = 0; k < vectors; k++) b.get(acc[k]).get(p).load64Zero(8 * k).promoteLow().get(x).dmul().dadd().set(acc[k]);
      });
      for (let k = 0; k < vectors; k++) b.get(po).get(acc[k]).store(16 * k);
    });
  }
  b.range(h, () => b.get(n2), n, 1, () => {
    b.address(out, h, 3).set(po);
    b.get(po).f64load().set(s);
    b.range(q, () => b.i32(0), nnz, 1, () => {
      rowAddress();
      b.get(s).get(p).f32load().promoteF32().address(val, q, 3).f64load().f64mul().f64add().set(s);
    });
    b.get(po).get(s).f64store();
  });
  return b;
}

/** scatter(G, at, val, nnz, v, n, n8, n2). */
function scatterBody(): Body {
  const b = new AxpyBody([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [G, at, val, nnz, v, n, n8, n2] = [0, 1, 2, 3, 4, 5, 6, 7];
  const h = b.local(I32);
  const q = b.local(I32);
  const p = b.local(I32);
  const x = b.local(V128);
  const vk = LANES8.map(() => b.local(V128));
  const xs = b.local(F64);
  const vs = b.local(F64);
  // p = G + 8·(at[q] + h)
  const rowAddress = (): void => {
    b.get(G).address(at, q, 2).i32load().get(h).add().i32(3).shl().add().set(p);
  };
  const steps: [number, number, () => void, number][] = [
    [8, 4, () => b.i32(0), n8],
    [2, 1, () => b.get(n8), n2],
  ];
  for (const [step, vectors, start, end] of steps) {
    b.range(h, start, end, step, () => {
      for (let k = 0; k < vectors; k++) b.address(v, h, 3).load(16 * k).set(vk[k]);
      b.range(q, () => b.i32(0), nnz, 1, () => {
        rowAddress();
        b.address(val, q, 3).f64load().f64x2Splat().set(x);
        for (let k = 0; k < vectors; k++) b.get(p).get(p).load(16 * k).get(vk[k]).get(x).dmul().dadd().store(16 * k);
      });
    });
  }
  b.range(h, () => b.get(n2), n, 1, () => {
    b.address(v, h, 3).f64load().set(vs);
    b.range(q, () => b.i32(0), nnz, 1, () => {
      rowAddress();
      b.address(val, q, 3).f64load().set(xs);
      b.get(p).get(p).f64load().get(vs).get(xs).f64mul().f64add().f64store();
    });
  });
  return b;
}

let module: WebAssembly.Module | undefined;

function simdModule(): WebAssembly.Module {
  module ??= assemble({ gather: gatherBody(), scatter: scatterBody() }, { import: true, pages: 1 });
  return module;
}

type Entry = (...args: number[]) => void;

/** The SIMD kernels over one arena's memory; every array passed must be a view of it. */
function simdAxpy(memory: WebAssembly.Memory): AxpyKernels {
  const exports = new WebAssembly.Instance(simdModule(), { env: { memory } }).exports as { gather: Entry; scatter: Entry };
  const inside = (a: ArrayBufferView): number => {
    if (a.buffer !== memory.buffer) throw new Error('axpy: operand is not a view of the kernel arena');
    return a.byteOffset;
  };
  return {
    gatherAxpy(out, M, at, val, nnz, n) {
      if (nnz > 0 && n > 0) exports.gather(inside(out), inside(M), inside(at), inside(val), nnz, n, n & ~7, n & ~1);
    },
    scatterAxpy(G, at, val, nnz, v, n) {
      if (nnz > 0 && n > 0) exports.scatter(inside(G), inside(at), inside(val), nnz, inside(v), n, n & ~7, n & ~1);
    },
  };
}

/** The kernels of `path` (default: the process's kernel path) over an arena's memory. */
export function axpyKernels(memory: WebAssembly.Memory, path = kernelPath()): AxpyKernels {
  return path === 'simd' ? simdAxpy(memory) : scalarAxpy;
}
