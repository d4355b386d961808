/**
 * Convolutional networks on one flat parameter vector θ, shared by the CNN
 * models (cnn-lenet.ts, cnn-mixtailor.ts, cnn-small.ts). A network is data: a
 * list of layers (valid convolutions with stride 1, non-overlapping
 * max-pooling, dense layers, each with or without ReLU); this module derives
 * the shapes from the image, lays the parameters out in θ, initialises them,
 * and (cnn-tfjs.ts, loaded on first use) computes the loss, its gradient and
 * evaluations with tfjs ops on the active backend.
 *
 * Layout of θ: layer after layer, each weighted layer's weights then its
 * biases, in tfjs' layouts — a convolution's kernel as [kh, kw, in, out]
 * (HWIO), a dense layer's matrix as [in, out] row-major. Images are channels
 * last (NHWC) and a dense layer after a convolution reads the feature map
 * flattened in (h, w, c) order. PyTorch stores a kernel as [out, in, kh, kw]
 * and flattens (c, h, w): byzsim's θ is a fixed permutation of PyTorch's, so
 * the same network, and the same distribution at initialisation.
 *
 * Initialisation: PyTorch's default for Conv2d and Linear (kaiming-uniform
 * with a = √5, i.e. U(−1/√fan_in, 1/√fan_in) for the weights, and the same
 * bound for the biases), fan_in = in·kh·kw for a convolution and `in` for a
 * dense layer, drawn in θ's order from the stream createRng(0, `model/<name>`)
 * — θ_0 is a fixed vector, independent of the run's seed.
 *
 * Losses (ModelShape.loss), loss.ts's softmax head as for the other models:
 * `cross-entropy`, the batch mean of −log softmax(z)_y (PyTorch's log_softmax
 * + nll_loss, as ByzFL's cnn_mnist), or `mse`, of (1/C) Σ_c (softmax(z)_c − [c = y])².
 *
 * Dropout is not modelled: a gradient is a pure function of θ and the rows
 * (ModelKernels receives no random stream), so networks that use dropout in
 * their source (MixTailor's) run without it, as in evaluation mode.
 */
import { createRng } from '../../sim/rng.ts';
import type { ImageShape } from '../datasets/types.ts';
import { lossOf } from './loss.ts';
import type { LossName, Model, ModelShape } from './types.ts';

export type CnnLayer =
  | { kind: 'conv'; filters: number; kernel: number; relu: boolean }
  | { kind: 'pool'; size: number }
  /** `units: 'classes'` for the output layer. */
  | { kind: 'dense'; units: number | 'classes'; relu: boolean };

/** Where a weighted layer's parameters sit in θ and what they are. */
export interface LayerView {
  kind: 'conv' | 'dense';
  /** Offset and shape of the weights (HWIO or [in, out]). */
  offset: number;
  shape: number[];
  /** Offset and length of the biases (right after the weights). */
  biasOffset: number;
  units: number;
  fanIn: number;
  relu: boolean;
}

/** A step of the forward pass: a weighted layer (index into views), a pooling, or the flattening before the first dense layer. */
export type Step = { kind: 'weighted'; view: number } | { kind: 'pool'; size: number } | { kind: 'flatten'; features: number };

export interface CnnPlan {
  readonly name: string;
  readonly image: ImageShape;
  readonly classes: number;
  readonly loss: LossName;
  readonly dim: number;
  readonly views: readonly LayerView[];
  readonly steps: readonly Step[];
}

function describeImage(image: ImageShape | undefined): string {
  return image ? `${image.height}×${image.width}×${image.channels}` : 'no image shape';
}

/**
 * Derives the shapes and θ's layout of `layers` on images of `shape.image`.
 * Throws an Error naming the model and what it got when the data is not
 * images, not of the size `requires` fixes, or when a convolution or pooling
 * does not fit the feature map it gets.
 */
export function planCnn(name: string, layers: readonly CnnLayer[], shape: ModelShape, requires?: Partial<ImageShape>): CnnPlan {
  const { image, features, classes } = shape;
  if (!image) throw new Error(`model ${name} needs image data (height × width × channels); got ${features} features with ${describeImage(image)}`);
  if (image.height * image.width * image.channels !== features) {
    throw new Error(`model ${name}: image ${describeImage(image)} does not match ${features} features`);
  }
  if (requires) {
    const wrong = (['height', 'width', 'channels'] as const).filter((k) => requires[k] !== undefined && requires[k] !== image[k]);
    if (wrong.length > 0) {
      const want = `${requires.height ?? 'any'}×${requires.width ?? 'any'}×${requires.channels ?? 'any'}`;
      throw new Error(`model ${name} is built for ${want} images (height × width × channels); got ${describeImage(image)}`);
    }
  }
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`model ${name} needs at least 2 classes (got ${classes})`);
  let h = image.height;
  let w = image.width;
  let c = image.channels;
  let flat = 0; // features once flattened; 0 while still a feature map
  let offset = 0;
  const views: LayerView[] = [];
  const steps: Step[] = [];
  layers.forEach((layer, i) => {
    const where = `model ${name}, layer ${i + 1} (${layer.kind})`;
    if (layer.kind === 'conv') {
      if (flat > 0) throw new Error(`${where}: a convolution after a dense layer`);
      if (layer.kernel > h || layer.kernel > w) throw new Error(`${where}: ${layer.kernel}×${layer.kernel} kernel on a ${h}×${w} feature map (image ${describeImage(image)})`);
      const size = layer.kernel * layer.kernel * c * layer.filters;
      views.push({ kind: 'conv', offset, shape: [layer.kernel, layer.kernel, c, layer.filters], biasOffset: offset + size, units: layer.filters, fanIn: layer.kernel * layer.kernel * c, relu: layer.relu });
      offset += size + layer.filters;
      h = h - layer.kernel + 1;
      w = w - layer.kernel + 1;
      c = layer.filters;
      steps.push({ kind: 'weighted', view: views.length - 1 });
    } else if (layer.kind === 'pool') {
      if (flat > 0) throw new Error(`${where}: a pooling after a dense layer`);
      if (layer.size > h || layer.size > w) throw new Error(`${where}: ${layer.size}×${layer.size} pooling on a ${h}×${w} feature map (image ${describeImage(image)})`);
      h = Math.floor(h / layer.size);
      w = Math.floor(w / layer.size);
      steps.push({ kind: 'pool', size: layer.size });
    } else {
      if (flat === 0) {
        flat = h * w * c;
        steps.push({ kind: 'flatten', features: flat });
      }
      const units = layer.units === 'classes' ? classes : layer.units;
      views.push({ kind: 'dense', offset, shape: [flat, units], biasOffset: offset + flat * units, units, fanIn: flat, relu: layer.relu });
      offset += flat * units + units;
      flat = units;
      steps.push({ kind: 'weighted', view: views.length - 1 });
    }
  });
  if (flat !== classes) throw new Error(`model ${name}: the last layer must be dense with one output per class`);
  return { name, image, classes, loss: lossOf(shape.loss, name), dim: offset, views, steps };
}

/** θ_0: PyTorch's default initialisation, from the stream createRng(0, `model/<name>`). */
export function cnnInit(plan: CnnPlan): Float32Array {
  const rng = createRng(0, `model/${plan.name}`);
  const theta = new Float32Array(plan.dim);
  for (const v of plan.views) {
    const bound = 1 / Math.sqrt(v.fanIn);
    for (let i = v.offset; i < v.biasOffset + v.units; i++) theta[i] = rng.uniform(-bound, bound);
  }
  return theta;
}


/** The model a plan describes: its size, θ_0, and its tfjs kernels (loaded on first use; the CNNs have no TypeScript ones). */
export function cnnModel(plan: CnnPlan): Model {
  return {
    dim: plan.dim,
    init: () => cnnInit(plan),
    async tfjs() {
      const { cnnTfjsKernels } = await import('./cnn-tfjs.ts');
      return cnnTfjsKernels(plan);
    },
  };
}
