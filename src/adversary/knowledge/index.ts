/** The knowledge models by name (scenario key `adversary.knowledge`). */
import { createRegistry } from '../../registry.ts';
import type { KnowledgeDefinition } from './types.ts';
import { omniscient } from './omniscient.ts';
import { partial } from './partial.ts';
import { none } from './none.ts';

export type * from './types.ts';
export { defineKnowledge } from './types.ts';

export const knowledgeModels = createRegistry<KnowledgeDefinition>('knowledge model', [omniscient, partial, none]);
