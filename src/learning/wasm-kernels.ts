/**
 * Kernels for the `wasm` backend (@tensorflow/tfjs-backend-wasm 4.x) that
 * byzsim's CNNs need, put in place on import: one the package lacks, three it
 * has but slow on a CNN's backward pass. Each is tested against the cpu
 * backend's kernel (test/learning/cnn-wasm.test.ts). Importing this module
 * loads the package (its backend and kernels are registered) but does not
 * initialise or select it; selectBackend does.
 *
 * - Conv2DBackpropFilter, missing (the gradient of a convolution with respect
 *   to its kernel, what every CNN's weight gradient is). With stride 1 and no
 *   dilation (all of byzsim's CNNs), channels last, it is itself a valid
 *   convolution, computed with the backend's own Conv2D (XNNPACK):
 *
 *     dW[i, j, c, o] = Σ_{n, y, x} X[n, y + i − top, x + j − left, c] · dY[n, y, x, o]
 *                    = conv2d(Xᵀ, dYᵀ)[c, i, j, o],
 *
 *   with Xᵀ = X transposed to [C, H, W, N] (the examples become the input
 *   channels, the channels the batch), dYᵀ = dY as a [OH, OW, N, O] kernel,
 *   and X zero-padded by the forward convolution's padding. Other strides and
 *   layouts take a plain loop over the im2col rows (correct, slower).
 * - Conv2DBackpropInput and BatchMatMul with a transposed operand, replaced
 *   by compositions of the package's fast kernels, and MaxPoolGrad of
 *   non-overlapping windows, by a plain loop (see each below); other cases
 *   go to the package's own kernels.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

type Info = tf.TensorInfo;

interface WasmBackend {
  typedArrayFromHeap(info: Info): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  disposeData(dataId: object): boolean;
}

interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Another wasm kernel, called directly (kernels are not ops: no engine, no tape). */
function call(name: string, backend: WasmBackend, inputs: Record<string, Info>, attrs: Record<string, unknown>): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm-kernels: the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function viaConv2D(backend: WasmBackend, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { padInfo, inHeight, inWidth } = info;
  const temporaries: Info[] = [];
  try {
    let padded = x;
    const bottom = Math.max(0, (info.outHeight - 1) + info.filterHeight - (inHeight + padInfo.top));
    const right = Math.max(0, (info.outWidth - 1) + info.filterWidth - (inWidth + padInfo.left));
    if (padInfo.top > 0 || padInfo.left > 0 || bottom > 0 || right > 0) {
      padded = call('PadV2', backend, { x }, { paddings: [[0, 0], [padInfo.top, bottom], [padInfo.left, right], [0, 0]], constantValue: 0 });
      temporaries.push(padded);
    }
    const xT = call('Transpose', backend, { x: padded }, { perm: [3, 1, 2, 0] });
    temporaries.push(xT);
    const dyT = call('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temporaries.push(dyT);
    const conv = call('Conv2D', backend, { x: xT, filter: dyT }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });
    temporaries.push(conv);
    // conv is [C, FH', FW', O] with FH' ≥ FH when the padding overhangs (same padding); keep the first FH × FW.
    let dW = conv;
    if (conv.shape[1] !== info.filterHeight || conv.shape[2] !== info.filterWidth) {
      dW = call('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [conv.shape[0], info.filterHeight, info.filterWidth, conv.shape[3]] });
      temporaries.push(dW);
    }
    return call('Transpose', backend, { x: dW }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temporaries) if (t !== x) backend.disposeData(t.dataId);
  }
}

/** The loop version: any stride, either layout. */
function viaLoop(backend: WasmBackend, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const X = backend.typedArrayFromHeap(x);
  const dY = backend.typedArrayFromHeap(dy);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: O } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const last = info.dataFormat === 'channelsLast';
  const acc = new Float64Array(FH * FW * C * O);
  const dyRow = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let o = 0; o < O; o++) dyRow[o] = last ? dY[((n * OH + oy) * OW + ox) * O + o] : dY[((n * O + o) * OH + oy) * OW + ox];
        for (let i = 0; i < FH; i++) {
          const iy = oy * SH + i - top;
          if (iy < 0 || iy >= H) continue;
          for (let j = 0; j < FW; j++) {
            const ix = ox * SW + j - left;
            if (ix < 0 || ix >= W) continue;
            for (let c = 0; c < C; c++) {
              const v = last ? X[((n * H + iy) * W + ix) * C + c] : X[((n * C + c) * H + iy) * W + ix];
              if (v === 0) continue;
              const k = ((i * FW + j) * C + c) * O;
              for (let o = 0; o < O; o++) acc[k + o] += v * dyRow[o];
            }
          }
        }
      }
    }
  }
  const out = backend.makeOutput([FH, FW, C, O], 'float32');
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as BackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, format);
  const b = backend as WasmBackend;
  if (info.strideHeight === 1 && info.strideWidth === 1 && info.dataFormat === 'channelsLast') return viaConv2D(b, x, dy, info);
  return viaLoop(b, x, dy, info);
}

/**
 * Conv2DBackpropInput (the gradient with respect to a convolution's input),
 * stride 1, channels last: the "full" convolution of dY with the kernel
 * rotated by 180° and its in/out channels swapped,
 *
 *   dX[n, y, x, c] = Σ_{i, j, o} dY[n, y − i + top, x − j + left, o] · W[i, j, c, o]
 *                  = conv2d(pad(dY), W′)[n, y, x, c],  W′[i, j, o, c] = W[FH−1−i, FW−1−j, c, o],
 *
 * dY padded by FH−1−top above and H−OH+top below (likewise across). The
 * package's own kernel (a direct loop) is about 5× slower on cnn-lenet's
 * second convolution; it still serves the other cases.
 */
function conv2DBackpropInputVia(original: tf.KernelFunc) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const a = args.attrs as unknown as Omit<BackpropFilterAttrs, 'filterShape'> & { inputShape: [number, number, number, number] };
    const format = tf.backend_util.convertConv2DDataFormat(a.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, false, format);
    const top = info.filterHeight - 1 - info.padInfo.top;
    const bottom = info.inHeight - info.outHeight + info.padInfo.top;
    const left = info.filterWidth - 1 - info.padInfo.left;
    const right = info.inWidth - info.outWidth + info.padInfo.left;
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dataFormat !== 'channelsLast' || Math.min(top, bottom, left, right) < 0) {
      return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const backend = args.backend as WasmBackend;
    const temporaries: Info[] = [];
    try {
      const padded = call('PadV2', backend, { x: dy }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
      temporaries.push(padded);
      const rotated = call('Reverse', backend, { x: filter }, { dims: [0, 1] });
      temporaries.push(rotated);
      const swapped = call('Transpose', backend, { x: rotated }, { perm: [0, 1, 3, 2] });
      temporaries.push(swapped);
      return call('Conv2D', backend, { x: padded, filter: swapped }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/**
 * BatchMatMul with a transposed operand: the package's kernel takes XNNPACK's
 * fast path only when neither operand is transposed, and a transposed one
 * (what every dense layer's backward pass multiplies by) is ≈ 10× slower than
 * transposing explicitly first. So: transpose, then the package's kernel,
 * choosing between op(A)·op(B) and (op(B)ᵀ·op(A)ᵀ)ᵀ whichever transposes
 * fewer values (dY·Wᵀ with a large W: the second, W itself is never moved).
 */
function batchMatMulVia(original: tf.KernelFunc) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    const { transposeA: tA, transposeB: tB } = attrs;
    if (!tA && !tB) return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    const backend = args.backend as WasmBackend;
    const temporaries: Info[] = [];
    const swapLast = (t: Info): Info => {
      const r = t.shape.length;
      const perm = Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
      const out = call('Transpose', backend, { x: t }, { perm });
      temporaries.push(out);
      return out;
    };
    const multiply = (x: Info, y: Info): Info => original({ ...args, inputs: { a: x, b: y }, attrs: { ...args.attrs, transposeA: false, transposeB: false } } as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    const size = (t: Info): number => t.shape.reduce((p, q) => p * q, 1);
    const rows = (t: Info, transposed: boolean): number => t.shape[t.shape.length - (transposed ? 1 : 2)];
    const cols = (t: Info, transposed: boolean): number => t.shape[t.shape.length - (transposed ? 2 : 1)];
    const outer = Math.max(size(a) / (a.shape[a.shape.length - 1] * a.shape[a.shape.length - 2]), size(b) / (b.shape[b.shape.length - 1] * b.shape[b.shape.length - 2]));
    const direct = (tA ? size(a) : 0) + (tB ? size(b) : 0);
    const flipped = (tA ? 0 : size(a)) + (tB ? 0 : size(b)) + outer * rows(a, tA) * cols(b, tB);
    try {
      if (direct <= flipped) return multiply(tA ? swapLast(a) : a, tB ? swapLast(b) : b);
      const product = multiply(tB ? b : swapLast(b), tA ? a : swapLast(a));
      temporaries.push(product);
      const out = call('Transpose', backend, { x: product }, { perm: product.shape.map((_, i, all) => (i === all.length - 2 ? all.length - 1 : i === all.length - 1 ? all.length - 2 : i)) });
      return out;
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/**
 * MaxPoolGrad for non-overlapping windows (stride = window, no padding, the
 * pooling of all of byzsim's CNNs): each input cell belongs to at most one
 * window, and receives dY of its window when it is the window's first maximum
 * in row-major order (the cpu backend's choice), 0 otherwise. A plain pass
 * over the input, ≈ 5× faster than the package's kernel on cnn-lenet's first
 * pooling; other poolings go to the package's kernel.
 */
function maxPoolGradVia(original: tf.KernelFunc) {
  return (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): Info => {
    const { dy, input } = args.inputs as { dy: Info; input: Info };
    const a = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
    if (sh !== fh || sw !== fw || info.padInfo.top !== 0 || info.padInfo.left !== 0 || input.dtype !== 'float32' || info.dataFormat !== 'channelsLast') {
      return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    const backend = args.backend as WasmBackend;
    const X = backend.typedArrayFromHeap(input);
    const dY = backend.typedArrayFromHeap(dy);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
    const dX = new Float32Array(N * H * W * C);
    const best = new Float32Array(C);
    const at = new Int32Array(C);
    for (let n = 0; n < N; n++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          best.fill(-Infinity);
          at.fill(-1);
          for (let i = 0; i < fh; i++) {
            const y = oy * sh + i;
            if (y >= H) break;
            for (let j = 0; j < fw; j++) {
              const x = ox * sw + j;
              if (x >= W) break;
              const o = ((n * H + y) * W + x) * C;
              for (let c = 0; c < C; c++) {
                if (X[o + c] > best[c]) {
                  best[c] = X[o + c];
                  at[c] = o + c;
                }
              }
            }
          }
          const g = ((n * OH + oy) * OW + ox) * C;
          for (let c = 0; c < C; c++) if (at[c] >= 0) dX[at[c]] += dY[g + c];
        }
      }
    }
    const out = backend.makeOutput(input.shape, 'float32');
    backend.typedArrayFromHeap(out).set(dX);
    return out;
  };
}

/** Marks the kernels this module put in place, so a second registration leaves them alone. */
const OURS = Symbol.for('byzsim/wasm-kernel');

function replace(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (!current || (current.kernelFunc as { [OURS]?: boolean })[OURS]) return;
  const kernelFunc = Object.assign(wrap(current.kernelFunc), { [OURS]: true });
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...current, kernelFunc });
}

/**
 * Registers the missing kernel and replaces the slow ones; idempotent.
 * The replacements need the package's kernels registered first, which the
 * static import below guarantees (it does not initialise the backend).
 */
export function registerWasmKernels(): void {
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc });
  }
  replace('Conv2DBackpropInput', conv2DBackpropInputVia as unknown as (k: tf.KernelFunc) => tf.KernelFunc);
  replace('BatchMatMul', batchMatMulVia as unknown as (k: tf.KernelFunc) => tf.KernelFunc);
  replace('MaxPoolGrad', maxPoolGradVia as unknown as (k: tf.KernelFunc) => tf.KernelFunc);
}

registerWasmKernels();
