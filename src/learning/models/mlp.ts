/**
 * A one-hidden-layer perceptron with ReLU, in plain TypeScript:
 *
 *   a = relu(W1ᵀx + b1),   z = W2ᵀa + b2,   p = softmax(z)
 *   ℓ = −log p_y (cross-entropy, default) or the softmax mse of loss.ts
 *
 * With features 784, hidden 100, classes 10 it is ByzFL's `fc_mnist`
 * (Linear(784, 100) → ReLU → Linear(100, 10) → log_softmax, trained with
 * NLLLoss, i.e. cross-entropy): 79,510 parameters.
 *
 * Parameter layout (one flat vector, length (features + 1)·hidden + (hidden + 1)·classes):
 *
 *   W1  features × hidden, row-major: W1[j, h] at j·hidden + h
 *   b1  hidden, at features·hidden
 *   W2  hidden × classes, row-major: W2[h, c] at w2 + h·classes + c, w2 = (features + 1)·hidden
 *   b2  classes, at w2 + hidden·classes
 *
 * i.e. each layer's weights input-major (the transpose of PyTorch's [out × in]
 * weight), so that the forward pass adds one contiguous row of W1 per non-zero
 * pixel and the W1 gradient is one contiguous axpy per non-zero pixel; MNIST's
 * ≈80 % zero pixels are skipped in both. logreg.ts is the same model without
 * the hidden layer, in the same layout. mlp-tfjs.ts uses this layout too.
 *
 * θ_0 is PyTorch's nn.Linear default (kaiming-uniform with a = √5, which for
 * weights and biases alike is U(−1/√fan_in, 1/√fan_in)), drawn from the
 * constant stream createRng(0, 'model/mlp') in layout order (W1, b1, W2, b2):
 * the same θ_0 on every run and machine, whatever the run's seed — as the
 * other models' θ_0 = 0 is. (Not PyTorch's values: a different generator.)
 *
 * Sums run in float64, in a fixed order, and the result is rounded to float32
 * once. The first layer's two inner loops (x·W1 and x ⊗ δ₁, ≈95 % of the
 * work) run in kernels/axpy.ts: WebAssembly SIMD, or its scalar twin, with
 * bit-identical results, so θ's trajectory does not depend on the kernel path.
 * Per-example gradients are written directly (only the W1 rows of non-zero
 * features), not accumulated and copied.
 */
import { axpyKernels, createArena, scalarAxpy, type Arena, type ArenaViews, type AxpyKernels } from '../../kernels/axpy.ts';
import { kernelPath } from '../../kernels/path.ts';
import { createRng } from '../../sim/rng.ts';
import type { Evaluation } from '../task.ts';
import { argmaxEvaluation, lossOf, softmaxDelta, softmaxLoss } from './loss.ts';
import { perClassAccuracy } from './logreg.ts';
import { defineModel, type Labels, type LossName } from './types.ts';

export interface MlpShape {
  features: number;
  hidden: number;
  classes: number;
}

export function mlpDim({ features, hidden, classes }: MlpShape): number {
  return (features + 1) * hidden + (hidden + 1) * classes;
}

/** Where each block starts in θ. */
export function mlpOffsets({ features, hidden, classes }: MlpShape): { W1: number; b1: number; W2: number; b2: number } {
  const b1 = features * hidden;
  const W2 = b1 + hidden;
  const b2 = W2 + hidden * classes;
  return { W1: 0, b1, W2, b2 };
}

/** PyTorch's nn.Linear initialisation from the fixed stream `model/mlp` (see the header). */
export function mlpInit(shape: MlpShape): Float32Array {
  const { features, hidden, classes } = shape;
  const rng = createRng(0, 'model/mlp');
  const theta = new Float32Array(mlpDim(shape));
  const o = mlpOffsets(shape);
  const fill = (from: number, to: number, fanIn: number): void => {
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = from; i < to; i++) theta[i] = rng.uniform(-bound, bound);
  };
  fill(o.W1, o.b1, features);
  fill(o.b1, o.W2, features);
  fill(o.W2, o.b2, hidden);
  fill(o.b2, o.b2 + classes, hidden);
  return theta;
}

/**
 * A shape's working memory. The first layer's inner loops run in the sparse
 * row kernels of kernels/axpy.ts (WebAssembly SIMD or their bit-identical
 * scalar twins, as the kernel path says), whose operands live in one arena:
 * W1 (copied from θ on each call), its gradient accumulator G, the hidden
 * activations a and deltas d, and an example's non-zero features (offsets
 * j·hidden of their W1 rows, and values). The rest is small and stays here:
 * the logits (then ∂ℓ/∂z) and the accumulator of the b1, W2, b2 gradient.
 */
interface Workspace {
  arena: Arena<ReturnType<typeof arenaSpec>>;
  v: ArenaViews<ReturnType<typeof arenaSpec>>;
  simd?: AxpyKernels;
  z: Float64Array;
  rest: Float64Array;
  nnz: number;
}

function arenaSpec({ features: F, hidden: H }: MlpShape) {
  return { W1: ['f32', F * H], G: ['f64', F * H], a: ['f64', H], d: ['f64', H], at: ['i32', F], x: ['f64', F] } as const;
}

const workspaces = new Map<string, Workspace>();
/** Workspaces kept (one per shape; a sweep over many synthetic shapes must not hold them all). */
const KEEP = 4;

function workspace(shape: MlpShape): Workspace {
  const key = `${shape.features}/${shape.hidden}/${shape.classes}`;
  let ws = workspaces.get(key);
  if (ws) {
    workspaces.delete(key);
  } else {
    const arena = createArena(arenaSpec(shape));
    ws = { arena, v: arena.views, z: new Float64Array(shape.classes), rest: new Float64Array(shape.hidden * (shape.classes + 1) + shape.classes), nnz: 0 };
    if (workspaces.size >= KEEP) workspaces.delete(workspaces.keys().next().value as string);
  }
  workspaces.set(key, ws);
  return ws;
}

function kernelsOf(ws: Workspace): AxpyKernels {
  if (kernelPath() === 'scalar') return scalarAxpy;
  ws.simd ??= axpyKernels(ws.arena.memory, 'simd');
  return ws.simd;
}

/** Forward pass of row r: ws.v.a = relu(…), ws.z = p; returns the loss. */
function forward(theta: Float32Array, X: Float32Array, r: number, y: number, shape: MlpShape, ws: Workspace, k: AxpyKernels, loss: LossName): number {
  const { features: F, hidden: H, classes: C } = shape;
  const { a, at, x: xs, W1 } = ws.v;
  const z = ws.z;
  const b1 = F * H;
  const W2 = b1 + H;
  const b2 = W2 + H * C;
  const o = r * F;
  let nnz = 0;
  for (let j = 0; j < F; j++) {
    const x = X[o + j];
    if (x === 0) continue;
    at[nnz] = j * H;
    xs[nnz++] = x;
  }
  ws.nnz = nnz;
  for (let h = 0; h < H; h++) a[h] = theta[b1 + h];
  k.gatherAxpy(a, W1, at, xs, nnz, H);
  for (let c = 0; c < C; c++) z[c] = theta[b2 + c];
  for (let h = 0; h < H; h++) {
    if (!(a[h] > 0)) {
      a[h] = 0;
      continue;
    }
    const ah = a[h];
    const w = W2 + h * C;
    for (let c = 0; c < C; c++) z[c] += ah * theta[w + c];
  }
  return softmaxLoss(z, y, C, loss);
}

/** After forward: ws.z ← ∂ℓ/∂z, ws.v.d ← ∂ℓ/∂(W1ᵀx + b1) (0 where the ReLU is off). */
function backward(theta: Float32Array, y: number, shape: MlpShape, ws: Workspace, loss: LossName): void {
  const { features: F, hidden: H, classes: C } = shape;
  const { a, d } = ws.v;
  const z = ws.z;
  softmaxDelta(z, y, C, loss);
  const W2 = F * H + H;
  for (let h = 0; h < H; h++) {
    // relu′ = 0 at exactly 0 too (PyTorch's convention).
    if (a[h] === 0) {
      d[h] = 0;
      continue;
    }
    const w = W2 + h * C;
    let back = 0;
    for (let c = 0; c < C; c++) back += theta[w + c] * z[c];
    d[h] = back;
  }
}

/** Adds row r's gradient: W1's into ws.v.G, the rest into ws.rest (b1, W2, b2 as in θ, from offset 0). */
function accumulate(theta: Float32Array, X: Float32Array, r: number, y: number, shape: MlpShape, ws: Workspace, k: AxpyKernels, loss: LossName): void {
  const { hidden: H, classes: C } = shape;
  forward(theta, X, r, y, shape, ws, k, loss);
  backward(theta, y, shape, ws, loss);
  const { a, d, G, at, x } = ws.v;
  const { z, rest } = ws;
  for (let h = 0; h < H; h++) rest[h] += d[h];
  for (let h = 0; h < H; h++) {
    const ah = a[h];
    if (ah === 0) continue;
    const w = H + h * C;
    for (let c = 0; c < C; c++) rest[w + c] += ah * z[c];
  }
  const b2 = H + H * C;
  for (let c = 0; c < C; c++) rest[b2 + c] += z[c];
  k.scatterAxpy(G, at, x, ws.nnz, d, H);
}

/** Writes row r's gradient into out[o …], which holds zeros: only the non-zero rows of W1's gradient are written. */
function write(theta: Float32Array, X: Float32Array, r: number, y: number, shape: MlpShape, ws: Workspace, k: AxpyKernels, loss: LossName, out: Float32Array, o: number): void {
  const { features: F, hidden: H, classes: C } = shape;
  forward(theta, X, r, y, shape, ws, k, loss);
  backward(theta, y, shape, ws, loss);
  const { a, d, at, x } = ws.v;
  const z = ws.z;
  for (let q = 0; q < ws.nnz; q++) {
    const xq = x[q];
    const w = o + at[q];
    for (let h = 0; h < H; h++) out[w + h] = xq * d[h];
  }
  const b1 = o + F * H;
  for (let h = 0; h < H; h++) out[b1 + h] = d[h];
  const W2 = b1 + H;
  for (let h = 0; h < H; h++) {
    const ah = a[h];
    if (ah === 0) continue;
    const w = W2 + h * C;
    for (let c = 0; c < C; c++) out[w + c] = ah * z[c];
  }
  const b2 = W2 + H * C;
  for (let c = 0; c < C; c++) out[b2 + c] = z[c];
}

function check(theta: Float32Array, rows: ArrayLike<number>, shape: MlpShape): number {
  const dim = mlpDim(shape);
  if (theta.length !== dim) throw new RangeError(`mlp: expected ${dim} parameters, got ${theta.length}`);
  if (rows.length === 0) throw new RangeError('mlp: empty minibatch');
  return dim;
}

/** Starts a call: W1 into the arena, accumulators zeroed. */
function begin(theta: Float32Array, shape: MlpShape): Workspace {
  const ws = workspace(shape);
  ws.v.W1.set(theta.subarray(0, shape.features * shape.hidden));
  ws.v.G.fill(0);
  ws.rest.fill(0);
  return ws;
}

/** out[at …] = scale × the accumulated gradient. */
function emit(ws: Workspace, scale: number, out: Float32Array, at: number): void {
  const { G } = ws.v;
  const { rest } = ws;
  for (let i = 0; i < G.length; i++) out[at + i] = G[i] * scale;
  const o = at + G.length;
  for (let i = 0; i < rest.length; i++) out[o + i] = rest[i] * scale;
}

/** Mean loss gradient over the rows `rows` of (X, Y). */
export function mlpGradient(
  theta: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  shape: MlpShape,
  loss: LossName = 'cross-entropy',
): Float32Array {
  const dim = check(theta, rows, shape);
  const ws = begin(theta, shape);
  const k = kernelsOf(ws);
  for (let q = 0; q < rows.length; q++) accumulate(theta, X, rows[q], Y[rows[q]], shape, ws, k, loss);
  const g = new Float32Array(dim);
  emit(ws, 1 / rows.length, g, 0);
  return g;
}

/** The per-example gradients of the rows `rows`: row k's at [k·dim, (k+1)·dim). */
export function mlpPerExample(
  theta: Float32Array,
  X: Float32Array,
  Y: Labels,
  rows: Int32Array | readonly number[],
  shape: MlpShape,
  loss: LossName = 'cross-entropy',
): Float32Array {
  const dim = check(theta, rows, shape);
  const ws = workspace(shape);
  ws.v.W1.set(theta.subarray(0, shape.features * shape.hidden));
  const k = kernelsOf(ws);
  const out = new Float32Array(rows.length * dim);
  for (let q = 0; q < rows.length; q++) write(theta, X, rows[q], Y[rows[q]], shape, ws, k, loss, out, q * dim);
  return out;
}

/** Accuracy (argmax, ties to the lowest class), mean loss and per-class accuracy over all rows of (X, Y). */
export function mlpEvaluate(theta: Float32Array, X: Float32Array, Y: Labels, shape: MlpShape, loss: LossName = 'cross-entropy'): Evaluation {
  const dim = mlpDim(shape);
  if (theta.length !== dim) throw new RangeError(`mlp: expected ${dim} parameters, got ${theta.length}`);
  const ws = workspace(shape);
  ws.v.W1.set(theta.subarray(0, shape.features * shape.hidden));
  const k = kernelsOf(ws);
  return argmaxEvaluation(Y, shape.classes, ws.z, (r) => forward(theta, X, r, Y[r], shape, ws, k, loss));
}

export const mlp = defineModel({
  name: 'mlp',
  aliases: ['fc_mnist'],
  aliasSources: { fc_mnist: 'ByzFL' },
  summary: 'Perceptron with one ReLU hidden layer (ByzFL fc_mnist at 784-100-10), cross-entropy or mse loss, PyTorch nn.Linear init.',
  reference: "ByzFL's fc_mnist (LPD-EPFL/byzfl, byzfl/fed_framework/models.py)",
  params: {
    hidden: { default: 100, min: 1, max: 4096, integer: true, description: 'hidden units' },
  },
  create: (p, modelShape) => {
    const shape: MlpShape = { features: modelShape.features, hidden: p.hidden, classes: modelShape.classes };
    const loss = lossOf(modelShape.loss, 'mlp');
    return {
      dim: mlpDim(shape),
      init: () => mlpInit(shape),
      ts: {
        gradient: (theta, X, Y, rows) => mlpGradient(theta, X, Y, rows, shape, loss),
        perExample: (theta, X, Y, rows) => mlpPerExample(theta, X, Y, rows, shape, loss),
        evaluator: (X, Y) => ({ evaluate: (theta) => mlpEvaluate(theta, X, Y, shape, loss), dispose: () => {} }),
      },
      async tfjs() {
        const { mlpGradientTfjs, mlpPerExampleTfjs, mlpEvaluatorTfjs } = await import('./mlp-tfjs.ts');
        return {
          gradient: (theta, X, Y, rows) => mlpGradientTfjs(theta, X, Y, rows, shape, loss),
          perExample: (theta, X, Y, rows) => mlpPerExampleTfjs(theta, X, Y, rows, shape, loss),
          evaluator: (X, Y) => mlpEvaluatorTfjs(X, Y, shape, loss),
        };
      },
    };
  },
});
