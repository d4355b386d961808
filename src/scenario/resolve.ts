/**
 * Values a scenario states symbolically, resolved to numbers. The loader has already
 * checked them, so these helpers trust their input and only throw on misuse.
 */
import type { Scenario } from './schema.ts';
import { parseSpec, SpecError } from '../spec.ts';
import { schedules } from '../adversary/schedules/index.ts';
import { planHoldings, type HoldingPlan } from '../learning/holders.ts';
import { isNoAttack } from '../attacks/index.ts';

type QuorumFields = {
  workers: Scenario['workers'];
  byzantine: Pick<Scenario['byzantine'], 'f'>;
  server: Pick<Scenario['server'], 'quorum'>;
};

/** Gradients the server waits for each round: `n` → n, `n-f` → n − f, a number → itself. */
export function resolveQuorum(scenario: QuorumFields): number {
  const { quorum } = scenario.server;
  const n = scenario.workers;
  if (quorum === 'n') return n;
  if (quorum === 'n-f') return n - scenario.byzantine.f;
  return quorum;
}

/** An inclusive round range; rounds count from 1. */
export interface RoundRange {
  first: number;
  last: number;
}

/** `byzantine.script` as round ranges with their Byzantine sets. */
export function scriptRanges(byzantine: Pick<Scenario['byzantine'], 'script'>): { from: number; to: number; workers: number[] }[] {
  return (byzantine.script ?? []).map((e) => {
    const { first, last } = parseRoundRange(e.rounds);
    return { from: first, to: last, workers: e.workers };
  });
}

/** Parses a script entry's `rounds`: `"a"` is the range a–a, `"a-b"` the range a–b. */
export function parseRoundRange(rounds: string): RoundRange {
  const match = /^(\d+)(?:-(\d+))?$/.exec(rounds);
  if (!match) throw new RangeError(`not a round range: ${JSON.stringify(rounds)}`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  return { first, last };
}

/**
 * The knowledge-model spec, with `adversary.k` folded in: `knowledge: partial`
 * with `k: 4` is `partial(k=4)`. `k` is an error beside any other model, or
 * beside a spec that gives k itself (SpecError, naming both).
 */
export function knowledgeSpec(adversary: Pick<Scenario['adversary'], 'knowledge' | 'k'>): string {
  const { knowledge, k } = adversary;
  if (k === undefined) return knowledge;
  const stages = parseSpec(knowledge);
  if (stages.length !== 1 || stages[0].name !== 'partial') {
    throw new SpecError(`adversary.k is partial's k: write knowledge: partial(k=${k}), or drop k (knowledge is ${knowledge})`);
  }
  if ('k' in stages[0].params) throw new SpecError(`k is given twice: in knowledge: ${knowledge} and in adversary.k: ${k}`);
  const given = Object.entries(stages[0].params).map(([key, v]) => `, ${key}=${v}`).join('');
  return `partial(k=${k}${given})`;
}

/**
 * Who holds which data in a scenario: with a schedule whose Byzantine set is
 * fixed (static) and an attack, the data is split among the honest workers, and the
 * Byzantine ones hold what `data.byzantine` says; with a moving set, a
 * shard each (src/learning/holders.ts).
 */
export function dataHoldings(s: Pick<Scenario, 'workers' | 'byzantine' | 'data' | 'attack'>): HoldingPlan {
  const { def, params } = schedules.resolveSpec(s.byzantine.schedule);
  // Without an attack there is no adversary: every worker is honest throughout.
  const fixed = isNoAttack(s.attack) ? [] : def.fixed?.(params, s.workers, s.byzantine.f);
  return planHoldings(s.workers, fixed, s.data.byzantine);
}
