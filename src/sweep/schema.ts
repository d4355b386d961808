/**
 * The sweep file: a base scenario and the grid of variations to run on it.
 *
 *   name: slides-quick
 *   base: ../papers/some-scenario.yaml   # relative to the sweep file
 *   set: { rounds: 200 }                 # fixed overrides, every run
 *   grid:                                # cartesian product, by dotted scenario path
 *     aggregator: [krum, "nnm > krum"]
 *     attack: [alie, foe]
 *   zip:                                 # keys varied together (equal-length lists)
 *     - { workers: [9, 17], byzantine.f: [2, 4] }
 *   seeds: [1, 2, 3]                     # or a count: 5 means seeds 1 … 5
 *   skipInvalid: false                   # true: skip invalid combinations instead of refusing the sweep
 *   quick: { rounds: 40, seeds: 2, set: { data.mnist.testSize: 1000 } }
 *   output: { dir: out/sweeps/slides-quick }
 *
 * A grid or zip value is any YAML value the scenario accepts at that path
 * (a number, a string, a mapping such as a delay distribution).
 */
import { z } from 'zod';

const value = z.unknown();
/** A dotted scenario path: words joined by dots (`byzantine.f`, `data.mnist.testSize`). */
export const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const pathKey = z.string().regex(PATH, 'must be a dotted scenario path such as byzantine.f');
const overrides = z.record(pathKey, value);
const axis = z.array(value).min(1, 'must list at least one value');

export const QuickSchema = z.strictObject({
  /** Rounds of every run (default: a quarter of the base's, at least 1). */
  rounds: z.number().int().positive().optional(),
  /** The first k seeds of the list (default 2). */
  seeds: z.number().int().positive().optional(),
  /** Further overrides, e.g. fewer test samples (default: data.<dataset>.testSize ≤ 1000 where the dataset has one). */
  set: overrides.optional(),
});

export const SweepSchema = z.strictObject({
  name: z.string().min(1).optional(),
  base: z.string().min(1),
  set: overrides.default({}),
  grid: z.record(pathKey, axis).default({}),
  zip: z.array(z.record(pathKey, axis)).default([]),
  seeds: z.union([z.number().int().positive().max(10_000), z.array(z.number().int().nonnegative()).min(1)]).default([1]),
  skipInvalid: z.boolean().default(false),
  quick: QuickSchema.default({}),
  output: z.strictObject({ dir: z.string().min(1).optional() }).default({}),
});

export type SweepFile = z.output<typeof SweepSchema>;
