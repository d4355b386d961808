/**
 * Knowledge models: which honest gradients the adversary sees in a round.
 * A model only decides *whose*; the view itself is one RxJS operator over the
 * network's `sent$` stream (./view.ts), so what the adversary sees is
 * literally a filtered stream. One model per file, registered in ./index.ts.
 */
import type { Rng } from '../../sim/rng.ts';
import type { Variant } from '../../registry.ts';

export interface KnowledgeModel {
  /**
   * The honest workers whose gradients the adversary sees this round, given
   * the round's honest workers (ascending); a model that chooses draws from
   * the adversary's stream.
   */
  watch(honest: readonly number[], rng: Rng): readonly number[];
}

export interface KnowledgeDefinition extends Variant {
  /** Whether the model can show the adversary any honest gradient (an observing attack needs one that can). */
  observes(params: Record<string, number>): boolean;
  /** A problem with these parameters at (n, f), in words, or undefined. */
  check?(params: Record<string, number>, counts: { n: number; f: number; observing: boolean }): string | undefined;
  create(params: Record<string, number>): KnowledgeModel;
}

export function defineKnowledge(def: KnowledgeDefinition): KnowledgeDefinition {
  return def;
}
