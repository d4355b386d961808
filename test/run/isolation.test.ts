/**
 * The adversary sees only what its knowledge model and `adversary.knows` grant:
 * two runs that differ only in something it must not see give it identical
 * Byzantine vectors in the round concerned.
 */
import { describe, expect, it } from 'vitest';
import { smallScenario, traceOf } from './fixtures.ts';
import type { LearningTask } from '../../src/learning/task.ts';
import type { Attack, AttackContext } from '../../src/attacks/types.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

type Ev = { kind: string; from?: string; to?: string; round?: number; digest?: string; data?: Record<string, unknown> };

/** Digests of what the Byzantine workers sent for `round`, by worker. */
function byzantineSends(events: Ev[], round: number): Record<string, string> {
  const corrupted = new Set(events.filter((e) => e.kind === 'corrupt' && e.round === round).map((e) => e.to!));
  const out: Record<string, string> = {};
  for (const e of events) if (e.kind === 'send' && e.to === 'server' && e.round === round && corrupted.has(e.from!)) out[e.from!] = e.digest!;
  return out;
}

/** Adds `delta` to the gradient of every worker `pick` chooses, on its `call`-th gradient (its round-`call` gradient). */
function perturb(pick: (worker: number) => boolean, call: number, delta = 0.5) {
  return (task: LearningTask): LearningTask => {
    const calls = new Map<number, number>();
    return {
      ...task,
      gradient: (theta, worker, rng, labels) => {
        const g = task.gradient(theta, worker, rng, labels);
        const k = (calls.get(worker) ?? 0) + 1;
        calls.set(worker, k);
        return k === call && pick(worker) ? g.map((x) => x + delta) : g;
      },
    };
  };
}

describe('what the adversary must not see does not reach it', () => {
  const base = (overrides: Partial<Parameters<typeof smallScenario>[0]> = {}): Scenario =>
    smallScenario({ rounds: 4, workers: 9, byzantine: { f: 2, schedule: 'static' }, aggregator: 'cwtm', attack: 'alie', ...overrides });

  it('under partial knowledge, changing the gradients of the honest workers it does not watch leaves its vectors unchanged', async () => {
    const s = base({ adversary: { knowledge: 'partial(k=3)' } });
    const a = await traceOf(s);
    const events = a.events as Ev[];
    const watched = new Set(events.filter((e) => e.kind === 'observe' && e.round === 1).map((e) => Number(e.from!.slice(7))));
    expect(watched.size).toBe(3);
    const byzantine = new Set([7, 8]);
    const unseen = (w: number) => !watched.has(w) && !byzantine.has(w);
    const b = await traceOf(s, { instrument: { task: perturb(unseen, 1) } });
    // The honest gradients it did not see changed…
    expect(a.result.traceHash).not.toBe(b.result.traceHash);
    // …and its round-1 vectors did not.
    expect(byzantineSends(b.events as Ev[], 1)).toEqual(byzantineSends(events, 1));
    // Whereas changing a watched worker's gradient changes them: the test can fail.
    const c = await traceOf(s, { instrument: { task: perturb((w) => watched.has(w), 1) } });
    expect(byzantineSends(c.events as Ev[], 1)).not.toEqual(byzantineSends(events, 1));
  });

  it('under staleness 1, changing every honest gradient of round 2 leaves its round-2 vectors unchanged', async () => {
    const s = base({ adversary: { staleness: 1 } });
    const a = await traceOf(s);
    const b = await traceOf(s, { instrument: { task: perturb((w) => w < 7, 2) } });
    expect(byzantineSends(b.events as Ev[], 2)).toEqual(byzantineSends(a.events as Ev[], 2));
    // Round 3 uses round 2's gradients, which changed.
    expect(byzantineSends(b.events as Ev[], 3)).not.toEqual(byzantineSends(a.events as Ev[], 3));
    // Without staleness, round 2's vectors follow round 2's gradients.
    const fresh = base();
    const c = await traceOf(fresh);
    const d = await traceOf(fresh, { instrument: { task: perturb((w) => w < 7, 2) } });
    expect(byzantineSends(d.events as Ev[], 2)).not.toEqual(byzantineSends(c.events as Ev[], 2));
  });

  it("knowing MixTailor's pool, it never learns the server's draw: pools drawn with other weights give it the same vectors", async () => {
    // An attack of the pool: the rule whose output on the honest gradients is most aligned with their mean, negated.
    const seen: string[] = [];
    const poolAttack = (inner: Attack): Attack => ({
      ...inner,
      needs: { honest: true, rule: 'pool' },
      craft(ctx: AttackContext) {
        seen.push(ctx.rng.name, ...ctx.pool!.map((r) => r.spec));
        expect(ctx.rule).toBeUndefined();
        const outputs = ctx.pool!.map((r) => r.aggregate(ctx.observed as Float32Array[], { f: 0 }).aggregate);
        const best = outputs.reduce((a, b) => (b[0] > a[0] ? b : a));
        return Array.from({ length: ctx.f }, () => best.map((x) => -x));
      },
    });
    const withWeights = (weights: string) => base({ aggregator: `mixtailor(pool=[krum, cwmed], weights=${weights})`, adversary: { knows: 'pool' } });
    const a = await traceOf(withWeights('[1, 1]'), { instrument: { attack: poolAttack } });
    const b = await traceOf(withWeights('[1, 9]'), { instrument: { attack: poolAttack } });
    const draws = (events: Ev[]) => events.filter((e) => e.kind === 'aggregate').map((e) => (e.data!.diagnostics as { draw: number }).draw);
    // The server drew differently in the two runs…
    expect(draws(a.events as Ev[])).not.toEqual(draws(b.events as Ev[]));
    // …and the adversary, which saw the same pool and the same honest gradients in round 1, sent the same vectors.
    expect(byzantineSends(b.events as Ev[], 1)).toEqual(byzantineSends(a.events as Ev[], 1));
    expect(new Set(seen)).toEqual(new Set(['adversary', 'krum(m=1)', 'cwmed']));
  });

  it('knowing the rule, it gets a private instance drawing from its own stream, never the server’s', async () => {
    const streams: (string | undefined)[] = [];
    const spy = (inner: Attack): Attack => ({
      ...inner,
      needs: { honest: true, rule: 'rule' },
      craft(ctx: AttackContext) {
        // A rule that records which stream it is handed: wrap the private instance's call.
        const rule = ctx.rule!;
        expect(rule.spec).toMatch(/^mixtailor/);
        const out = rule.aggregate(ctx.observed as Float32Array[], { f: 0, rng: undefined });
        streams.push(out.diagnostics.rule as string);
        return inner.craft(ctx);
      },
    });
    const s = base({ aggregator: 'mixtailor(pool=[krum, cwmed, cwtm])', adversary: { knows: 'rule' } });
    const a = await traceOf(s, { instrument: { attack: spy } });
    // Its private draws come from adversary/rule: the server's draws are the same with or without them.
    const plain = await traceOf(s);
    const draws = (events: Ev[]) => events.filter((e) => e.kind === 'aggregate').map((e) => (e.data!.diagnostics as { draw: number }).draw);
    expect(draws(a.events as Ev[])).toEqual(draws(plain.events as Ev[]));
    expect(streams.length).toBe(4);
  });
});

describe('a corrupted worker computes for an attack that needs its own gradient', () => {
  const s = (attack: string, f = 2) =>
    // Its workers hold shards of their own (data.byzantine: shards), the split of the f = 0 run it is compared with.
    smallScenario({
      rounds: 5,
      workers: 9,
      byzantine: { f, schedule: 'static' },
      aggregator: 'cwtm',
      attack,
      data: { dataset: 'synthetic', byzantine: 'shards', synthetic: { classes: 4, features: 8, trainSize: 600, testSize: 200 } },
    });

  it('hands over, in every round, exactly the gradient it would have sent if honest (bitflip)', async () => {
    const attacked = await traceOf(s('bitflip'));
    const honest = await traceOf(s('none', 0));
    const own = (attacked.events as Ev[]).filter((e) => e.kind === 'own');
    expect(own).toHaveLength(2 * 5);
    for (const e of own) expect(e.to).toBe('adversary');
    // Round 1: the same θ_0 and the same stream state as the honest run, so the same gradient.
    const sent = (events: Ev[], from: string) => events.find((e) => e.kind === 'send' && e.from === from && e.round === 1)!.digest;
    for (const w of ['worker/7', 'worker/8']) expect(own.find((e) => e.from === w && e.round === 1)!.digest).toBe(sent(honest.events as Ev[], w));
    // And what it sends is something else (its negation).
    for (const w of ['worker/7', 'worker/8']) expect(sent(attacked.events as Ev[], w)).not.toBe(sent(honest.events as Ev[], w));
  });

  it('computes on flipped labels for a data-level attack (labelflip), with the same minibatch', async () => {
    const flipped = await traceOf(s('labelflip'));
    const honest = await traceOf(s('none', 0));
    const own = (flipped.events as Ev[]).filter((e) => e.kind === 'own' && e.round === 1);
    const sent = (events: Ev[], from: string) => events.find((e) => e.kind === 'send' && e.from === from && e.round === 1)!.digest;
    expect(own).toHaveLength(2);
    // labelflip sends its own (flipped-label) gradient as computed: the send is the handed-over vector…
    for (const e of own) expect(sent(flipped.events as Ev[], e.from!)).toBe(e.digest);
    // …which differs from the honest gradient on the true labels.
    for (const e of own) expect(e.digest).not.toBe(sent(honest.events as Ev[], e.from!));
  });
});
