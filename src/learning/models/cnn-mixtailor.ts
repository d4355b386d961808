/**
 * `cnn-mixtailor`: the MNIST CNN of MixTailor's experiments.
 *
 *   conv 5×5, 10 filters (valid) → max-pool 2 → ReLU
 *   → conv 5×5, 20 filters → max-pool 2 → ReLU → dense 320 → 50 → ReLU
 *   → dense 50 → classes, softmax cross-entropy
 *
 * 21,840 parameters on 28×28×1 images with 10 classes.
 *
 * Source: the paper's appendix A.8 (Ramezani-Kebrya, Tabrizian, Faghri,
 * Popovski, "MixTailor: Mixed Gradient Aggregation for Robust Learning
 * Against Tailored Attacks", TMLR 2022) says only "a 4 layer neural net with
 * 2 convolutional layers + two fully connected layers. Drop out is used
 * between the convolutional layers and the fully connected layers", without
 * channels or kernel sizes. The authors' code (github.com/Tabrizian/mix-tailor,
 * dbqf/models/mnist.py, class MNISTNet) has exactly such a network — the
 * PyTorch MNIST example's: Conv2d(1, 10, 5), Conv2d(10, 20, 5), Dropout2d,
 * Linear(320, 50), dropout, Linear(50, 10) — and that is what this is.
 * Two differences, deliberate: (1) no dropout (cnn.ts: byzsim's gradients
 * take no random stream), i.e. MNISTNet in evaluation mode; (2) ReLU before
 * max-pooling rather than after, which is the same function (both are
 * monotone, so they commute). Note that the same repository's `--arch cnn`
 * for MNIST builds `Convnet`, which is in fact a 784-100-10 MLP; the paper's
 * description matches MNISTNet, not that.
 *
 * Layout, initialisation (PyTorch's default, a fixed stream) and losses: cnn.ts.
 */
import { defineModel } from './types.ts';
import { cnnModel, type CnnLayer, planCnn } from './cnn.ts';

export const MIXTAILOR_LAYERS: readonly CnnLayer[] = [
  { kind: 'conv', filters: 10, kernel: 5, relu: true },
  { kind: 'pool', size: 2 },
  { kind: 'conv', filters: 20, kernel: 5, relu: true },
  { kind: 'pool', size: 2 },
  { kind: 'dense', units: 50, relu: true },
  { kind: 'dense', units: 'classes', relu: false },
];

export const cnnMixtailor = defineModel({
  name: 'cnn-mixtailor',
  summary: "MixTailor's MNIST CNN (the PyTorch MNIST example's net): conv 5×5×10, pool, conv 5×5×20, pool, dense 50, dense; no dropout (21,840 parameters).",
  reference: 'Ramezani-Kebrya, Tabrizian, Faghri, Popovski, MixTailor, TMLR 2022, appendix A.8; code: Tabrizian/mix-tailor dbqf/models/mnist.py MNISTNet',
  params: {},
  create: (_p, shape) => cnnModel(planCnn('cnn-mixtailor', MIXTAILOR_LAYERS, shape, { height: 28, width: 28, channels: 1 })),
});
