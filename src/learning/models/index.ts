/** The models by name (scenario key `model`). */
import { createRegistry } from '../../registry.ts';
import type { ModelDefinition } from './types.ts';
import { logreg } from './logreg.ts';
import { logistic } from './logistic.ts';
import { mlp } from './mlp.ts';
import { cnnLenet } from './cnn-lenet.ts';
import { cnnMixtailor } from './cnn-mixtailor.ts';
import { cnnSmall } from './cnn-small.ts';

export type * from './types.ts';
export { defineModel, modelShape } from './types.ts';

export const models = createRegistry<ModelDefinition>('model', [logreg, logistic, mlp, cnnLenet, cnnMixtailor, cnnSmall]);
