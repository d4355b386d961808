/**
 * The round as a rule-aware attack simulates it, to try candidate Byzantine
 * vectors on the server's rule (opt-alie, opt-ipm, optimal, minmax-pool):
 *
 *   inputs(v) = H followed by f copies of v,   aggregated with the server's f (ctx.tolerated)
 *
 * where H are the n − f honest gradients as the adversary reasons about them
 * (honest.ts: those it saw, then their mean ḡ for each one it did not see,
 * MixTailor Appendix A.1.2), so the rule sees n inputs as on the server.
 *
 * The server orders its inputs by worker index; the simulation puts the
 * Byzantine vectors last (ByzFL's order), which changes nothing for a
 * permutation-invariant rule and only ties for the others.
 *
 * A limit of A.1.2's stand-ins: ḡ is the centre of the honest gradients,
 * so a rule that selects the most central input (Krum) picks a stand-in in
 * the simulation, whatever v is, as soon as one honest gradient is unseen;
 * the searches' objectives are then flat and they keep the plain attack's
 * factor (linesearch.ts). The server, which sees the real gradient, may
 * well select the Byzantine vector instead.
 */
import type { Aggregator } from '../aggregators/types.ts';
import type { AttackContext } from './types.ts';
import { honestSet, type HonestSet } from './honest.ts';

export interface SimulatedRound extends HonestSet {
  /** H followed by f copies of v. */
  inputs(v: Float32Array): Float32Array[];
  /** `rule` on inputs(v) with the server's f; a randomized rule draws from the stream it was given. */
  aggregate(rule: Aggregator, v: Float32Array): Float32Array;
}

/** The simulated round of ctx; undefined when the adversary saw no honest gradient. */
export function simulatedRound(ctx: AttackContext): SimulatedRound | undefined {
  const honest = honestSet(ctx);
  if (!honest) return undefined;
  const inputs = (v: Float32Array): Float32Array[] => [...honest.vectors, ...Array.from({ length: ctx.f }, () => v)];
  return { ...honest, inputs, aggregate: (rule, v) => rule.aggregate(inputs(v), { f: ctx.tolerated }).aggregate };
}

/** simulatedRound for an attack's search, which needs an observation (its craft sends zeros without one). */
export function observedRound(ctx: AttackContext, attack: string): SimulatedRound {
  const round = simulatedRound(ctx);
  if (!round) throw new Error(`${attack}: no honest gradient observed to search on`);
  return round;
}

/** The private rule an attack that needs the server's rule was given (a run and `byzsim attack` always give it). */
export function knownRule(ctx: AttackContext, attack: string): Aggregator {
  if (!ctx.rule) throw new Error(`${attack} needs the server's rule (adversary.knows: rule), and none was given`);
  return ctx.rule;
}
