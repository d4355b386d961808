/** The datasets by name (scenario key `data.dataset`; each one's parameters are the section `data.<name>`). */
import { createRegistry } from '../../registry.ts';
import type { DatasetDefinition } from './types.ts';
import { synthetic } from './synthetic.ts';
import { mnist } from './mnist.ts';
import { fashionMnist } from './fashion-mnist.ts';
import { cifar10 } from './cifar10.ts';
import { logistic } from './logistic.ts';

export type * from './types.ts';
export { defineDataset } from './types.ts';

export const datasets = createRegistry<DatasetDefinition>('dataset', [synthetic, mnist, fashionMnist, cifar10, logistic]);
