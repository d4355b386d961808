/** The network orderings by name (scenario key `network.ordering`). */
import { createRegistry } from '../../registry.ts';
import type { OrderingDefinition } from './types.ts';
import { fifo } from './fifo.ts';
import { random } from './random.ts';
import { adversarial } from './adversarial.ts';

export type * from './types.ts';
export { defineOrdering } from './types.ts';

export const orderings = createRegistry<OrderingDefinition>('ordering', [fifo, random, adversarial]);
