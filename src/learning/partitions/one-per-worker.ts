/**
 * one-per-worker — each worker holds examples of a single label, MixTailor's
 * non-iid setting (Ramezani-Kebrya et al., TMLR 2022, §5 and Fig. 3:
 * "partitioned by labels such that each worker holds samples for a single
 * digit", 10 honest workers on MNIST): with the C labels present taken in
 * ascending order, worker w gets label w mod C, and a label with several
 * workers is cut among them into near-equal contiguous pieces in index order.
 * With n = C this is MixTailor's split; with n > C several workers share a
 * label. The `data` stream is not drawn from.
 *
 * Requires n ≥ C, so that every example is assigned (with fewer workers than
 * labels some label would be left out or a worker would see two: use
 * `classes(k)` or `extreme`), and every label at least as many examples as it
 * has workers. The smallest shard depends on the label counts:
 * min over labels of ⌊N_c / workers of c⌋, which smallestShard computes when
 * it is given the counts; without them nothing above 0 is guaranteed.
 */
import { definePartition } from './types.ts';
import { checkWorkers, indicesByLabel, splitEvenly } from './shared.ts';

/** How many of n workers get the label at position `at` of the C present ones under w ↦ w mod C. */
function workersOf(at: number, C: number, n: number): number {
  return Math.floor(n / C) + (at < n % C ? 1 : 0);
}

export function onePerWorkerPartition(labels: ArrayLike<number>, n: number): Int32Array[] {
  checkWorkers(n);
  const classes = indicesByLabel(labels);
  const C = classes.length;
  if (n < C) throw new RangeError(`one-per-worker: ${C} labels need at least ${C} workers, one label each (got ${n}); use classes(k) or extreme`);
  const pieces = classes.map((c, at) => {
    const sharing = workersOf(at, C, n);
    if (c.indices.length < sharing) {
      throw new RangeError(`one-per-worker: label ${c.label} has ${c.indices.length} examples for its ${sharing} workers; use fewer workers`);
    }
    return splitEvenly(c.indices, sharing);
  });
  return Array.from({ length: n }, (_, w) => pieces[w % C][Math.floor(w / C)]);
}

/** The smallest shard given the training set's examples per label (absent labels as 0); 0 when the partition would fail. */
export function smallestOnePerWorker(workers: number, counts: readonly number[]): number {
  const present = counts.filter((c) => c > 0);
  const C = present.length;
  if (C === 0 || workers < C) return 0;
  return Math.min(...present.map((count, at) => Math.floor(count / workersOf(at, C, workers))));
}

export const onePerWorker = definePartition({
  name: 'one-per-worker',
  summary: 'Worker w holds only label w mod C (C labels, n ≥ C), a label cut among the workers that share it.',
  reference: 'Ramezani-Kebrya et al., MixTailor: Mixed Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR 2022, Fig. 3',
  params: {},
  smallestShard: (_examples, workers, _params, counts?: readonly number[]) => (counts ? smallestOnePerWorker(workers, counts) : 0),
  create: () => (labels, n) => onePerWorkerPartition(labels, n),
});
