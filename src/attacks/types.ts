/**
 * The attack interface. An attack crafts the vectors the Byzantine workers send
 * in one round from what the adversary may see (its knowledge model): the honest
 * gradients it observed, the current model, n, f and its own random stream.
 */
import type { ParamDeclaration, Variant } from '../registry.ts';
import type { Rng } from '../sim/rng.ts';

export interface AttackContext {
  /** Honest gradients the adversary observed this round (empty under knowledge `none`). */
  observed: readonly Float32Array[];
  /** Current model parameters θ_t (public: the server broadcasts them). */
  theta: Float32Array;
  /** Total number of workers. */
  n: number;
  /** Number of Byzantine workers controlled this round (vectors to craft). */
  f: number;
  round: number;
  /** The adversary's stream; never the server's. */
  rng: Rng;
}

export type AttackParamSpec = ParamDeclaration;

export interface Attack {
  readonly spec: string;
  readonly name: string;
  /** Whether the attack needs to observe honest gradients (knowledge ≠ none). */
  readonly needsObservation: boolean;
  /** Returns exactly ctx.f vectors of the model's dimension. */
  craft(ctx: AttackContext): Float32Array[];
}

/** An attack definition (made with defineAttack): name, documentation, declared params and a factory. */
export interface AttackDefinition extends Variant {
  readonly needsObservation: boolean;
  /** Resolves the parameters once (SpecError for any mistake) and builds an instance. */
  create(params?: Record<string, number>, options?: Record<string, string>): Attack;
}
