/**
 * The aggregation-rule interface shared by the simulator, the library API and
 * the CLI. A rule is a pure function over n input vectors of dimension d
 * (Float32Array storage, float64 accumulation) with a declared spec.
 */
import type { ParamDeclaration, Variant } from '../registry.ts';
import type { Rng } from '../sim/rng.ts';

/** What a rule reports beside its output, recorded in the trace. */
export interface AggregationDiagnostics {
  /** Indices (into the input list) of inputs the rule selected or kept. */
  selected?: number[];
  /** Number of values trimmed per coordinate on each side (coordinate-wise rules). */
  trimmed?: number;
  /** Iterations run (iterative rules). */
  iterations?: number;
  /** The rule actually applied (randomized rules such as MixTailor). */
  rule?: string;
  [key: string]: unknown;
}

export interface AggregationResult {
  aggregate: Float32Array;
  diagnostics: AggregationDiagnostics;
}

export interface AggregationContext {
  /** Number of Byzantine inputs the rule must tolerate. */
  f: number;
  /** The server's private stream; only randomized rules may draw from it. */
  rng?: Rng;
  /**
   * The worker each input came from (inputs[k] is worker senders[k]'s), when the caller knows:
   * the server always says; after pre-aggregation stages nobody does. Rules that keep per-worker
   * state (foolsgold) or trust one worker (monna's pivot) read it, and fall back to the position.
   */
  senders?: readonly number[];
  /** The server's own gradient on its trusted examples (`server.trusted`), for rules that score inputs against it (fltrust). */
  reference?: Float32Array;
}

/** Declared parameter of a rule, with its default and valid range. */
export type ParamSpec = ParamDeclaration;

/** Requirement of a rule on (n, f): `text` states it, `check` tells whether (n, f) meets it. */
export interface Requirement {
  /** e.g. `n ≥ 2f + 3`. */
  text: string;
  check(n: number, f: number): boolean;
  /**
   * The check holds only in expectation: a stage before the rule (resampling
   * with replacement) bounds the Byzantine-touched outputs on average, so a
   * round may hand the rule more than it tolerates. A scenario asks for an
   * explicit opt-in (`server.allowInExpectation`).
   */
  inExpectation?: boolean;
}

/** A rule instantiated with its parameters. */
export interface Aggregator {
  /** Canonical spec string, e.g. `krum(m=1)`. */
  readonly spec: string;
  readonly name: string;
  readonly requirement: Requirement;
  readonly stateful: boolean;
  readonly randomized: boolean;
  aggregate(vectors: readonly Float32Array[], ctx: AggregationContext): AggregationResult;
  /** A randomized rule that draws from a pool (MixTailor): the pool's members. */
  readonly members?: readonly Aggregator[];
  /** k_F(n, f), the largest VN ratio of honest inputs under which the rule is (α, f)-Byzantine resilient (./vn-bounds.ts), when known. */
  vnBound?(n: number, f: number): number | undefined;
  /** Needs ctx.reference, the server's gradient on trusted data (fltrust): a scenario must give the server trusted examples. */
  readonly needsReference?: boolean;
}

/** A rule definition (made with defineRule): name, documentation, declared params and a factory. */
export interface AggregatorDefinition<I extends Aggregator = Aggregator> extends Variant {
  /** The requirement of the instance these parameters give (defaults for those left out). */
  requirement(params?: Record<string, number>, options?: Record<string, string>): Requirement;
  readonly stateful: boolean;
  readonly randomized: boolean;
  /** Invariants the rule claims (names from src/invariants/properties.ts), when it declares its own. */
  readonly invariants?: readonly string[];
  /** Resolves the parameters once (SpecError for any mistake) and builds an instance. */
  create(params?: Record<string, number>, options?: Record<string, string>): I;
}
