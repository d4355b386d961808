/**
 * The attack interface. An attack crafts the vectors the Byzantine workers
 * send in one round from a view of exactly what the adversary may see, and
 * declares what it needs in that view; validation refuses a scenario whose
 * knowledge model does not grant it (src/scenario/load.ts), and the runner
 * fills in only what was declared (src/actors/adversary/effects.ts).
 *
 * What an attack may need:
 *   honest   — the honest gradients of the round that its knowledge model
 *              shows it (all of them, or the k it watches), or of round t − r
 *              under `adversary.staleness: r`;
 *   own      — the Byzantine workers' own honest gradients, computed on their
 *              own shards (a corrupted worker still computes; the adversary
 *              decides what is sent instead);
 *   rule     — the server's rule: `rule` gives a private instance built from
 *              the server's spec, with its own stream `adversary/rule` (never
 *              the server's instance, whose state and draws are the server's);
 *              `pool` gives only the members of a MixTailor pool (a rule that
 *              is not MixTailor is a pool of one);
 *   history  — θ of the last h rounds (broadcasts are public);
 *   labels   — data-level control: the Byzantine workers compute their own
 *              gradients on labels mapped by the attack (label flipping).
 */
import type { ParamDeclaration, Variant } from '../registry.ts';
import type { Rng } from '../sim/rng.ts';
import type { Aggregator } from '../aggregators/types.ts';

export interface AttackNeeds {
  honest?: boolean;
  own?: boolean;
  rule?: 'rule' | 'pool';
  /** How many past rounds' θ it keeps. */
  history?: number;
  /** y ↦ y′ for a label y of `classes` classes: the Byzantine workers compute their own gradients on y′. */
  labels?: (y: number, classes: number) => number;
}

export interface AttackContext {
  /**
   * The honest gradients the adversary saw for this round (or for round
   * t − staleness), in the order they were sent; empty unless `needs.honest`.
   */
  observed: readonly Float32Array[];
  /** The worker each observed gradient came from (same order as `observed`). */
  observedFrom: readonly number[];
  /**
   * The Byzantine workers' own honest gradients, in the order of `byzantine`;
   * empty unless `needs.own` (an entry is missing when that worker's
   * computation did not finish within the adversary's patience).
   */
  own: readonly (Float32Array | undefined)[];
  /** The workers the adversary controls this round, ascending (its `f` of them). */
  byzantine: readonly number[];
  /** θ_t (public: the server broadcasts it). */
  theta: Float32Array;
  /** θ of past rounds, oldest first, θ_t excluded; empty unless `needs.history`. */
  history: readonly Float32Array[];
  /** Total number of workers. */
  n: number;
  /** Number of Byzantine workers controlled this round (vectors to craft). */
  f: number;
  /** The f the server's rule tolerates (the scenario's `byzantine.f`), for simulating it. */
  tolerated: number;
  round: number;
  /** A private instance of the server's rule, drawing from `adversary/rule` (needs.rule = 'rule'). */
  rule?: Aggregator;
  /** The members of the server's pool (needs.rule = 'pool' or 'rule'). */
  pool?: readonly Aggregator[];
  /** The adversary's stream; never the server's. */
  rng: Rng;
}

export type AttackParamSpec = ParamDeclaration;

export interface Attack {
  readonly spec: string;
  readonly name: string;
  readonly needs: Readonly<AttackNeeds>;
  /** Returns exactly ctx.f vectors of the model's dimension. */
  craft(ctx: AttackContext): Float32Array[];
}

/** An attack definition (made with defineAttack): name, documentation, declared params and needs, and a factory. */
export interface AttackDefinition extends Variant {
  readonly needs: Readonly<AttackNeeds>;
  /** Resolves the parameters once (SpecError for any mistake) and builds an instance (one per run: it may keep state). */
  create(params?: Record<string, number>, options?: Record<string, string>): Attack;
}
