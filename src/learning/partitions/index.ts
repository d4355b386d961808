/** The partitions by name (scenario key `data.partition`). */
import { createRegistry } from '../../registry.ts';
import type { PartitionDefinition } from './types.ts';
import { iid } from './iid.ts';
import { extreme } from './extreme.ts';
import { dirichlet } from './dirichlet.ts';
import { gamma } from './gamma.ts';
import { classes } from './classes.ts';
import { onePerWorker } from './one-per-worker.ts';

export type * from './types.ts';
export { definePartition } from './types.ts';

export const partitions = createRegistry<PartitionDefinition>('partition', [iid, extreme, dirichlet, gamma, classes, onePerWorker]);
