/** The models by name (scenario key `model`). */
import { createRegistry } from '../../registry.ts';
import type { ModelDefinition } from './types.ts';
import { logreg } from './logreg.ts';

export type * from './types.ts';
export { defineModel } from './types.ts';

export const models = createRegistry<ModelDefinition>('model', [logreg]);
