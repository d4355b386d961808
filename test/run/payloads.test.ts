/** Whatever a Byzantine worker sends, the server holds: malformed vectors are ignored, θ stays finite, and every refusal is counted. */
import { describe, expect, it } from 'vitest';
import { smallScenario, traceOf } from './fixtures.ts';
import type { Attack } from '../../src/attacks/types.ts';
import type { LearningTask } from '../../src/learning/task.ts';

type Ev = { kind: string; from?: string; round?: number; data?: Record<string, unknown> };

/** Replaces the attack's vectors by `make(dim)` for each Byzantine worker. */
const sending = (make: (dim: number, j: number) => unknown) => (inner: Attack): Attack => ({
  ...inner,
  craft: (ctx) => Array.from({ length: ctx.f }, (_, j) => make(ctx.theta.length, j) as Float32Array),
});

/** Records every θ the task evaluates and every gradient it is asked for. */
function watching(thetas: Float32Array[]) {
  return (task: LearningTask): LearningTask => ({
    ...task,
    gradient: (theta, w, rng, labels) => (thetas.push(theta), task.gradient(theta, w, rng, labels)),
    evaluate: (theta) => (thetas.push(theta), task.evaluate(theta)),
  });
}

describe('hostile payloads', () => {
  const s = (aggregator = 'cwtm') => smallScenario({ rounds: 8, workers: 7, byzantine: { f: 2, schedule: 'static' }, aggregator, attack: 'gaussian' });

  it('a vector of the wrong length, or not a vector, is ignored at the server and counted', async () => {
    const { events, result } = await traceOf(s(), {
      instrument: { attack: sending((dim, j) => (j === 0 ? new Float32Array(dim + 3) : [1, 2, 3])) },
    });
    const ignored = (events as Ev[]).filter((e) => e.kind === 'ignore' && e.data?.reason === 'malformed');
    expect(ignored).toHaveLength(2 * 8);
    expect(ignored[0].data!.why).toMatch(/length \d+, the model has \d+ parameters|not a float32 vector/);
    expect(result.counts.ignored.malformed).toBe(16);
    // With those two dropped the rounds end at the timeout (missing: zero stands zeros for them).
    expect(result.counts.aggregated).toBe(8);
  });

  it('against the mean, huge and infinite payloads never make θ non-finite: the steps are refused, traced and counted', async () => {
    const thetas: Float32Array[] = [];
    // 3e38 in one worker's vector, +Infinity in the other's from round 5 on: overflow first, then non-finite aggregates.
    let calls = 0;
    const { events, result } = await traceOf(smallScenario({ rounds: 8, workers: 7, byzantine: { f: 2 }, aggregator: 'mean', attack: 'gaussian', optimizer: { lr: 100 } }), {
      instrument: {
        attack: sending((dim, j) => new Float32Array(dim).fill(j === 0 ? 3e38 : calls++ >= 4 ? Infinity : -1)),
        task: watching(thetas),
      },
    });
    for (const theta of thetas) expect(theta.every(Number.isFinite)).toBe(true);
    const refused = (events as Ev[]).filter((e) => e.kind === 'step-refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(result.counts.refusedSteps).toBe(refused.length);
    expect(result.counts.nonFiniteAggregates).toBe(refused.filter((e) => String(e.data!.why).startsWith('the aggregate')).length);
    const whys = new Set(refused.map((e) => String(e.data!.why).split(':')[0].replace(/\d+ /, '')));
    expect(whys).toEqual(new Set(['θ would not be finite', 'the aggregate has non-finite coordinates']));
  });

  it('NaN and ±Infinity reach a robust rule, which holds: no step is refused under cwtm', async () => {
    const { result } = await traceOf(s('cwtm'), {
      instrument: { attack: sending((dim, j) => new Float32Array(dim).fill(j === 0 ? NaN : -Infinity)) },
    });
    expect(result.counts.refusedSteps).toBe(0);
    expect(result.counts.ignored.malformed).toBe(0);
    expect(Number.isFinite(result.final.loss)).toBe(true);
  });

  it('a flood changes nothing but the count of ignored copies: one gradient per worker is taken', async () => {
    const flooded = (flood: number) =>
      smallScenario({ rounds: 6, workers: 7, byzantine: { f: 2, schedule: 'rotating' }, aggregator: 'cwtm', attack: 'alie', adversary: { flood } });
    const calm = await traceOf(flooded(0));
    const flood = await traceOf(flooded(40));
    expect(flood.result.final).toEqual(calm.result.final);
    const { duplicate, stale } = flood.result.counts.ignored;
    const ignored = (flood.events as Ev[]).filter((e) => e.kind === 'ignore');
    expect(ignored).toHaveLength(duplicate + stale);
    expect(duplicate).toBeGreaterThan(0);
    // Every copy of rounds 1–5 reaches the server and is ignored; the run ends with round 6's last aggregation.
    for (let round = 1; round <= 5; round++) expect(ignored.filter((e) => e.round === round)).toHaveLength(2 * 40);
    const aggregates = (events: unknown[]) => (events as Ev[]).filter((e) => e.kind === 'aggregate').map((e) => e.data!.received);
    expect(aggregates(flood.events)).toEqual(aggregates(calm.events));
  });

  it('a diverging model is counted from the first evaluation whose loss explodes', async () => {
    // Not a constant vector: shifting every logit alike leaves the softmax unchanged.
    const { result } = await traceOf(s('mean'), { instrument: { attack: sending((dim) => Float32Array.from({ length: dim }, (_, k) => (k % 3) * 1e30)) } });
    expect(result.counts.diverged.evaluations).toBeGreaterThan(0);
    expect(result.counts.diverged.firstRound).toBeGreaterThan(0);
  });
});
