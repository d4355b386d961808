/**
 * Partial knowledge (honest.ts): an attack that saw k of the n − f honest
 * gradients reasons as if each unseen one were the mean of the seen.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { attacks, createAttack, honestSet } from '../../src/attacks/index.ts';
import type { AttackContext } from '../../src/attacks/types.ts';
import { createAggregator } from '../../src/aggregators/index.ts';
import { meanOf } from '../../src/kernels/vector.ts';
import { context, gradients } from './fixtures.ts';

/** A round: the n − f honest gradients by worker id, the Byzantine count, and which of them the adversary watches. */
const worlds = gradients({ min: 2, max: 7 }, { min: 1, max: 5 }).chain((honest) =>
  fc.record({
    honest: fc.constant(honest),
    // An honest majority, as the rules require.
    f: fc.integer({ min: 1, max: Math.min(3, honest.length - 1) }),
    watched: fc.shuffledSubarray(
      honest.map((_, i) => i),
      { minLength: 1, maxLength: honest.length - 1 },
    ),
    replacement: gradients({ min: honest.length, max: honest.length }, { min: honest[0].length, max: honest[0].length }),
    seed: fc.nat(),
  }),
);

type World = { honest: Float32Array[]; f: number; watched: number[]; seed: number };

/** What the runner shows the adversary of that round: the watched gradients, with their worker ids, and a private rule. */
function view({ honest, f, watched, seed }: World): AttackContext {
  const rule = createAggregator('cwtm');
  return context(
    watched.map((w) => honest[w]),
    f,
    honest.length + f,
    { observedFrom: watched, rule, pool: [rule] },
    seed,
  );
}

describe('honestSet', () => {
  it('is the seen gradients, then their mean for every unseen one: n − f in all, with the same mean', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const ctx = view(w);
        const H = honestSet(ctx)!;
        const k = w.watched.length;
        expect(H.vectors).toHaveLength(w.honest.length);
        expect(H.seen).toBe(k);
        H.vectors.slice(0, k).forEach((g, i) => expect(g).toBe(ctx.observed[i]));
        for (const g of H.vectors.slice(k)) expect(g).toEqual(meanOf(ctx.observed));
        expect(H.mean).toEqual(meanOf(ctx.observed));
      }),
    );
  });
  it('keeps all it saw when it saw more than n − f, and is undefined when it saw nothing', () => {
    const seen = [Float32Array.from([1]), Float32Array.from([2]), Float32Array.from([3])];
    expect(honestSet({ observed: seen, n: 4, f: 2 })!.vectors).toEqual(seen);
    expect(honestSet({ observed: [], n: 4, f: 1 })).toBeUndefined();
  });
});

const observing = attacks.list().filter((def) => def.needs.honest).map((def) => def.name);
const modes = ['tailored(direction=rule)', 'random-eps(direction=rule)', 'mimic(i=0)', 'mimic(i=5)', 'minmax(perturbation=std)', 'minsum(bound=min)'];

describe.each([...observing, ...modes])('%s under partial knowledge', (spec) => {
  it('does not change when an unseen honest gradient changes', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const other = w.honest.map((g, i) => (w.watched.includes(i) ? g : w.replacement[i]));
        expect(createAttack(spec).craft(view({ ...w, honest: other }))).toEqual(createAttack(spec).craft(view(w)));
      }),
      { numRuns: 30 },
    );
  });
});

/**
 * The attacks whose formula runs over the honest set send, having seen k,
 * what they would send having seen the completed set (the seen, and the mean
 * for each unseen worker) — so every one of them treats partial knowledge
 * alike. The exceptions choose or estimate from real gradients only:
 * alie and opt-alie estimate σ from the sample they saw (stand-ins would
 * shrink it), mimic's heuristic and mimic2 pick among gradients actually sent.
 */
const ESTIMATE_FROM_SEEN = new Set(['alie', 'opt-alie', 'mimic', 'mimic2']);
const overTheSet = [...observing.filter((name) => !ESTIMATE_FROM_SEEN.has(name)), ...modes];

describe.each(overTheSet)('%s', (spec) => {
  it('sends, having seen k, what it sends having seen the unseen as the mean of the seen', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const partial = view(w);
        const unseen = w.honest.map((_, i) => i).filter((i) => !w.watched.includes(i));
        const mean = meanOf(partial.observed);
        const completed = { ...w, honest: w.honest.map((g, i) => (w.watched.includes(i) ? g : mean.slice())), watched: [...w.watched, ...unseen] };
        const a = createAttack(spec).craft(partial);
        const b = createAttack(spec).craft(view(completed));
        a.forEach((x, j) => x.forEach((c, i) => expect(Math.abs(c - b[j][i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(c)))));
      }),
      { numRuns: 30 },
    );
  });
});
