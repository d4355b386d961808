/**
 * The pre-aggregation interface: a step applied to the n input vectors before
 * a robust rule (`nnm > krum`, `resample(s=2) > cwtm`). A pre-aggregator maps
 * n inputs, f of them Byzantine, to n′ outputs of which at most f′ can depend
 * on a Byzantine input; `transform` states that map, and a composition checks
 * the rule's requirement on (n′, f′) rather than on (n, f).
 */
import type { Requirement } from '../aggregators/types.ts';
import type { Variant } from '../registry.ts';
import type { Rng } from '../sim/rng.ts';

export interface PreAggregationContext {
  /** Number of Byzantine inputs to tolerate. */
  f: number;
  /** The server's private stream; only randomized pre-aggregators draw from it. */
  rng?: Rng;
}

export interface PreAggregationResult {
  vectors: Float32Array[];
  /**
   * For each output, the indices of the inputs it was computed from (with
   * multiplicity when an input counts twice). Compositions use it to map a
   * rule's `selected` outputs back to inputs.
   */
  sources: number[][];
  /** Recorded in the trace under the composite's `stages`. */
  diagnostics: Record<string, unknown>;
}

/** What a pre-aggregator does to the counts: n′ outputs, at most f′ of them touched by a Byzantine input. */
export interface CountTransform {
  n: number;
  f: number;
  /**
   * `worst-case`: f′ holds for every draw and every choice of Byzantine inputs.
   * `expected`: f′ bounds the number touched only in expectation (resampling
   * with replacement offers no worst-case bound below n′).
   */
  bound: 'worst-case' | 'expected';
}

/** A pre-aggregator instantiated with its parameters. */
export interface PreAggregator {
  /** Canonical spec, e.g. `resample(s=2)`. */
  readonly spec: string;
  readonly name: string;
  readonly randomized: boolean;
  /** What the step itself needs of (n, f) to be defined. */
  readonly requirement: Requirement;
  transform(n: number, f: number): CountTransform;
  /** The same map on expressions, for requirement text: (`n`, `f`) → (`n`, `2f`). */
  describe(n: string, f: string): { n: string; f: string };
  apply(vectors: readonly Float32Array[], ctx: PreAggregationContext): PreAggregationResult;
}

/** A pre-aggregator definition (made with defineStage): name, documentation, declared params and a factory. */
export interface PreAggregatorDefinition extends Variant {
  readonly randomized: boolean;
  /** The count map in words, e.g. `n′ = n, f′ = s·f`. */
  readonly transform: string;
  /** The requirement of the instance these parameters give (defaults for those left out). */
  requirement(params?: Record<string, number>, options?: Record<string, string>): Requirement;
  /** Resolves the parameters once (SpecError for any mistake) and builds an instance. */
  create(params?: Record<string, number>, options?: Record<string, string>): PreAggregator;
}
