import type { PerRoundSeries, RoundMetrics } from '../../src/report/specs.ts';

export function sampleHistory(rounds = 25): RoundMetrics[] {
  return Array.from({ length: rounds }, (_, i) => ({
    round: i + 1,
    accuracy: 0.95 - 0.85 * Math.exp(-i / 6),
    loss: 0.2 + 2.1 * Math.exp(-i / 7),
  }));
}

/** Per-round metrics of a Krum run of 6 workers, worker 5 Byzantine from round 3, selected in rounds 3 and 4. */
export function samplePerRound(rounds = 6): PerRoundSeries {
  const round = Array.from({ length: rounds }, (_, i) => i + 1);
  return {
    round,
    honestNorm: round.map((r) => 1 / r),
    honestVariance: round.map((r) => (r === 2 ? Infinity : 0.5)),
    aggregateDistance: round.map((r) => (r === 6 ? null : 0.1 * r)),
    aggregateCosine: round.map((r) => (r === 6 ? null : 0.9)),
    byzantine: round.map((r) => (r >= 3 ? [5] : [])),
    selected: round.map((r) => (r === 6 ? null : r === 3 || r === 4 ? [5] : [r % 5])),
  };
}
