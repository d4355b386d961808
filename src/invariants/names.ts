/**
 * The names of byzsim's robustness invariants, apart from their properties
 * (properties.ts, which needs fast-check): the catalog, `defineAggregator` and
 * `byzsim list` name invariants without loading a test library.
 */
export const INVARIANT_NAMES = [
  'kappa-robustness',
  'finite-output',
  'permutation-invariance',
  'identity',
  'translation-equivariance',
  'scale-equivariance',
  'honest-range',
  'selects-input',
  'geomed-optimality',
] as const;

export type InvariantName = (typeof INVARIANT_NAMES)[number];

export const isInvariantName = (name: string): name is InvariantName => (INVARIANT_NAMES as readonly string[]).includes(name);
