/** Who holds which data: the honest workers split the training set under a fixed Byzantine set; every worker holds a shard under a moving one. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planHoldings } from '../../src/learning/holders.ts';

describe('planHoldings', () => {
  it('a fixed set: the others hold shards 0.., in worker order; the Byzantine ones hold what data.byzantine says', () => {
    expect(planHoldings(5, [3, 4], 'none')).toEqual({
      shards: 3,
      holding: [{ shard: 0 }, { shard: 1 }, { shard: 2 }, 'none', 'none'],
      byzantineHolding: [{ shard: 0 }, { shard: 1 }, { shard: 2 }, 'none', 'none'],
    });
    expect(planHoldings(5, [3, 4], 'all').holding).toEqual([{ shard: 0 }, { shard: 1 }, { shard: 2 }, 'all', 'all']);
    expect(planHoldings(5, [3, 4], 'shards')).toEqual({
      shards: 5,
      holding: [0, 1, 2, 3, 4].map((shard) => ({ shard })),
      byzantineHolding: [0, 1, 2, 3, 4].map((shard) => ({ shard })),
    });
  });

  it('a moving set: a shard each, kept across sides; under all, the whole set in Byzantine rounds', () => {
    const moving = planHoldings(4, undefined, 'all');
    expect(moving.shards).toBe(4);
    expect(moving.holding).toEqual([0, 1, 2, 3].map((shard) => ({ shard })));
    expect(moving.byzantineHolding).toEqual(['all', 'all', 'all', 'all']);
    expect(planHoldings(4, undefined, 'none').byzantineHolding).toEqual(moving.holding);
  });

  it('every shard is held by exactly one worker, and a worker holding a shard is honest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.nat(30), fc.constantFrom('none', 'shards', 'all') as fc.Arbitrary<'none' | 'shards' | 'all'>, fc.boolean(), (n, fRaw, data, fixed) => {
        const f = fRaw % n;
        const set = Array.from({ length: f }, (_, j) => n - f + j);
        const plan = planHoldings(n, fixed ? set : undefined, data);
        const held = plan.holding.flatMap((h) => (typeof h === 'object' ? [h.shard] : []));
        expect(held.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: plan.shards }, (_, k) => k));
        if (fixed && data !== 'shards') {
          expect(plan.shards).toBe(n - f);
          set.forEach((w) => expect(plan.holding[w]).toBe(data));
        }
      }),
    );
  });
});
