/**
 * `cnn-small`: a small CNN for quick runs and tests, byzsim's own.
 *
 *   conv k×k, `filters` filters (valid) → ReLU → max-pool 2 → dense → classes,
 *   softmax cross-entropy
 *
 * With the defaults (5×5, 8 filters) on 28×28×1 and 10 classes: 208 + 11,530
 * = 11,738 parameters, 24×24×8 → 12×12×8 = 1152 features into the output
 * layer. Any image size with at least k + 1 pixels a side, any channels.
 *
 * Layout, initialisation (PyTorch's default, a fixed stream) and losses: cnn.ts.
 */
import { defineModel } from './types.ts';
import { cnnModel, type CnnLayer, planCnn } from './cnn.ts';

export function smallLayers(filters: number, kernel: number): CnnLayer[] {
  return [
    { kind: 'conv', filters, kernel, relu: true },
    { kind: 'pool', size: 2 },
    { kind: 'dense', units: 'classes', relu: false },
  ];
}

export const cnnSmall = defineModel({
  name: 'cnn-small',
  summary: 'A small CNN for quick runs: conv 5×5×8, ReLU, max-pool 2, dense (11,738 parameters on MNIST).',
  reference: '—',
  params: {
    filters: { default: 8, min: 1, max: 256, integer: true, description: 'filters of the convolution' },
    kernel: { default: 5, min: 1, max: 15, integer: true, description: 'side of the square convolution kernel' },
  },
  create: (p, shape) => cnnModel(planCnn('cnn-small', smallLayers(p.filters, p.kernel), shape)),
});
