/**
 * `cnn-lenet` (alias `cnn_mnist`): ByzFL's cnn_mnist, a LeNet-style CNN.
 *
 *   conv 5×5, 20 filters (valid, stride 1) → ReLU → max-pool 2
 *   → conv 5×5, 50 filters → ReLU → max-pool 2 → dense 800 → 500 → ReLU
 *   → dense 500 → classes, softmax cross-entropy
 *
 * 431,080 parameters on 28×28×1 images with 10 classes. Checked against
 * ByzFL's byzfl/fed_framework/models.py (class cnn_mnist: Conv2d(1, 20, 5, 1),
 * Conv2d(20, 50, 5, 1), Linear(800, 500), Linear(500, 10), log_softmax +
 * NLL loss). Built for 28×28 single-channel images, which is what makes the
 * flattened feature map 4·4·50 = 800; other sizes are refused.
 *
 * Layout, initialisation (PyTorch's default, a fixed stream) and losses: cnn.ts.
 */
import { defineModel } from './types.ts';
import { cnnModel, type CnnLayer, planCnn } from './cnn.ts';

export const LENET_LAYERS: readonly CnnLayer[] = [
  { kind: 'conv', filters: 20, kernel: 5, relu: true },
  { kind: 'pool', size: 2 },
  { kind: 'conv', filters: 50, kernel: 5, relu: true },
  { kind: 'pool', size: 2 },
  { kind: 'dense', units: 500, relu: true },
  { kind: 'dense', units: 'classes', relu: false },
];

export const cnnLenet = defineModel({
  name: 'cnn-lenet',
  aliases: ['cnn_mnist'],
  aliasSources: { cnn_mnist: 'ByzFL' },
  summary: "ByzFL's cnn_mnist: conv 5×5×20, pool, conv 5×5×50, pool, dense 500, dense (431,080 parameters on MNIST); PyTorch's default init.",
  reference: 'ByzFL (LPD-EPFL), byzfl/fed_framework/models.py, class cnn_mnist; LeCun et al., Proc. IEEE 1998 (LeNet)',
  params: {},
  create: (_p, shape) => cnnModel(planCnn('cnn-lenet', LENET_LAYERS, shape, { height: 28, width: 28, channels: 1 })),
});
