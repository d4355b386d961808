/** The heterogeneity attacks: mimic, mimic2 and nmattack, each by a property of its formula. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAttack, mimic2Group } from '../../src/attacks/index.ts';
import { createAggregator } from '../../src/aggregators/index.ts';
import { meanOf } from '../../src/kernels/vector.ts';
import { context, gradients, mean64, near, norm64, scaleOf, v } from './fixtures.ts';

/** Gradients with their worker ids, a permutation of a range of ids (some of them possibly above the count). */
const seenWorkers = gradients({ min: 1, max: 7 }, { min: 1, max: 6 }).chain((observed) =>
  fc.record({
    observed: fc.constant(observed),
    from: fc.shuffledSubarray(
      Array.from({ length: observed.length + 3 }, (_, i) => i),
      { minLength: observed.length, maxLength: observed.length },
    ),
    f: fc.integer({ min: 1, max: 3 }),
  }),
);

describe('mimic(i)', () => {
  it('every Byzantine worker sends worker i’s gradient exactly, found by worker id', () => {
    fc.assert(
      fc.property(seenWorkers, fc.nat(), ({ observed, from, f }, pick) => {
        const i = from[pick % from.length];
        const out = createAttack(`mimic(i=${i})`).craft(context(observed, f, 20, { observedFrom: from }));
        expect(out).toEqual(Array.from({ length: f }, () => observed[from.indexOf(i)]));
      }),
    );
  });
  it('when worker i was not seen it sends what it takes that gradient to be: the mean of the seen', () => {
    fc.assert(
      fc.property(seenWorkers, ({ observed, from, f }) => {
        const unseen = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((w) => !from.includes(w))!;
        const [x] = createAttack(`mimic(i=${unseen})`).craft(context(observed, f, 20, { observedFrom: from }));
        expect(near(x, mean64(observed), 1e-5 * (1 + scaleOf(observed)))).toBe(true);
      }),
    );
  });
});

/** Worker w's gradient: base + 10·s_w along coordinate 0, a little noise elsewhere (variance is largest along e₀). */
function spread(s: readonly number[], noise: (w: number, j: number) => number = (w, j) => 0.001 * Math.sin(7 * w + 3 * j)): Float32Array[] {
  return s.map((sw, w) => Float32Array.from({ length: 5 }, (_, j) => (j === 0 ? 10 * sw : 1 + noise(w, j))));
}

describe('mimic (the heterogeneity-aware choice)', () => {
  it('every round, every Byzantine worker sends exactly one of the honest gradients it saw', () => {
    fc.assert(
      fc.property(fc.array(seenWorkers, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 3 }), fc.nat(), (rounds, warmup, seed) => {
        const attack = createAttack(`mimic(warmup=${warmup})`);
        for (const { observed, from, f } of rounds) {
          const out = attack.craft(context(observed, f, 20, { observedFrom: from }, seed));
          expect(out).toHaveLength(f);
          const k = observed.findIndex((g) => near(g, out[0], 0));
          // After the warm-up the fixed target may be unseen: then it sends the mean of the seen.
          if (k < 0) expect(near(out[0], meanOf(observed), 0)).toBe(true);
          for (const x of out) expect(x).toEqual(out[0]);
        }
      }),
    );
  });
  it('the warm-up finds the direction of largest variance: it mimics an extreme worker along it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { minLength: 3, maxLength: 8 }), fc.nat(), (s, seed) => {
        const observed = spread(s);
        const [x] = createAttack('mimic').craft(context(observed, 2, 20, {}, seed));
        const chosen = observed.findIndex((g) => near(g, x, 0));
        expect([s.indexOf(Math.max(...s)), s.indexOf(Math.min(...s))]).toContain(chosen);
      }),
    );
  });
  it('after the warm-up, target=fixed keeps the worker, target=argmax re-chooses along the frozen direction', () => {
    fc.assert(
      fc.property(fc.nat(), (seed) => {
        const observed = spread([0, 1, 2, 3, 4]);
        const ids = [0, 1, 2, 3, 4];
        const reversed = [4, 3, 2, 1, 0];
        const fixed = createAttack('mimic(warmup=2)');
        const argmax = createAttack('mimic(warmup=2, target=argmax)');
        let position = -1;
        for (let round = 1; round <= 2; round++) {
          const [a] = fixed.craft(context(observed, 1, 8, { observedFrom: ids, round }, seed));
          const [b] = argmax.craft(context(observed, 1, 8, { observedFrom: ids, round }, seed));
          expect(b).toEqual(a);
          position = observed.findIndex((g) => near(g, a, 0));
        }
        expect([0, 4]).toContain(position);
        // Round 3: the same vectors sent by the workers in reverse order.
        const round3 = { observedFrom: reversed, round: 3 };
        const [a] = fixed.craft(context(observed, 1, 8, round3, seed));
        const [b] = argmax.craft(context(observed, 1, 8, round3, seed));
        expect(a).toEqual(observed[reversed.indexOf(ids[position])]);
        expect(b).toEqual(observed[position]);
        // Round 4: the fixed worker is not seen, so it sends the mean of those seen.
        const [c] = fixed.craft(context(observed.slice(1, 4), 1, 8, { observedFrom: [1, 2, 3], round: 4 }, seed));
        expect(c).toEqual(meanOf(observed.slice(1, 4)));
      }),
    );
  });
  it('is deterministic per seed (z₀ comes from the adversary stream)', () => {
    const observed = spread([3, -1, 4, 1, -5]);
    const run = (seed: number) => createAttack('mimic').craft(context(observed, 1, 9, {}, seed))[0];
    for (let seed = 0; seed < 5; seed++) expect(run(seed)).toEqual(run(seed));
  });
});

describe('mimic2', () => {
  it('in the paper’s setting — two halves of identical gradients — it sends g₁, which then holds the medians', () => {
    fc.assert(
      fc.property(
        // An honest majority, as the rules require: 2·half ≥ f + 1.
        fc.integer({ min: 1, max: 5 }).chain((half) => fc.tuple(fc.constant(half), fc.integer({ min: 1, max: Math.min(3, 2 * half - 1) }))),
        gradients({ min: 2, max: 2 }, { min: 1, max: 6 }).filter(([a, b]) => !near(a, b, 0)),
        ([half, f], [g1, g2]) => {
          const observed = [...Array(half).fill(g1), ...Array(half).fill(g2)] as Float32Array[];
          const out = createAttack('mimic2').craft(context(observed, f, 2 * half + f));
          // Numerically g₁ (the mean of copies of −0 is +0).
          expect(out).toHaveLength(f);
          for (const x of out) expect(near(x, g1, 0)).toBe(true);
          const received = [...observed, ...out];
          expect(near(createAggregator('cwmed').aggregate(received, { f }).aggregate, g1, 0)).toBe(true);
          const gm = createAggregator('geomed').aggregate(received, { f }).aggregate;
          expect(near(gm, g1, 1e-3 * (1 + scaleOf([g1, g2])))).toBe(true);
        },
      ),
    );
  });
  it('sends the mean of the larger of two separated clusters; on a tie, of the one holding the lowest worker id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 40, maxLength: 40 }),
        fc.nat(),
        (a, b, noise, rot) => {
          const at = (i: number, c: number) => v(c + noise[(2 * i) % 40], noise[(2 * i + 1) % 40]);
          const observed = [...Array.from({ length: a }, (_, i) => at(i, 100)), ...Array.from({ length: b }, (_, i) => at(a + i, -100))];
          const from = observed.map((_, i) => (i + rot) % observed.length);
          const A = observed.slice(0, a);
          const B = observed.slice(a);
          const lowestInA = Math.min(...from.slice(0, a)) < Math.min(...from.slice(a));
          const expected = a > b || (a === b && lowestInA) ? A : B;
          const [x] = createAttack('mimic2').craft(context(observed, 1, 20, { observedFrom: from }));
          expect(x).toEqual(meanOf(expected));
        },
      ),
    );
  });
  it('with one gradient, or all equal, it sends that gradient', () => {
    expect(mimic2Group([v(1, 2)], [3])).toEqual([0]);
    const same = [v(1, 2), v(1, 2), v(1, 2)];
    expect(createAttack('mimic2').craft(context(same, 2, 6))).toEqual([v(1, 2), v(1, 2)]);
  });
});

describe('nmattack', () => {
  const reference = (observed: readonly Float32Array[]) => {
    const out = new Float64Array(observed[0].length);
    for (const g of observed) {
      const r = norm64(g);
      if (r > 0) for (let j = 0; j < out.length; j++) out[j] -= g[j] / r;
    }
    return out;
  };
  it('sends −Σ gᵢ/‖gᵢ‖₂ (a zero gradient has no direction and adds nothing)', () => {
    fc.assert(
      fc.property(gradients({ min: 1, max: 8 }, { min: 1, max: 10 }), fc.integer({ min: 1, max: 3 }), (observed, f) => {
        const withZero = [...observed, new Float32Array(observed[0].length)];
        const out = createAttack('nmattack').craft(context(withZero, f, withZero.length + f));
        for (const x of out) expect(near(x, reference(observed), 1e-5 * observed.length)).toBe(true);
      }),
    );
  });
  it('turns the normalized mean nm into (1 − f/‖S‖)·S, S = Σ gᵢ/‖gᵢ‖: reversed once f > ‖S‖', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((f) =>
          fc.record({ f: fc.constant(f), observed: gradients({ min: f + 1, max: 8 }, { min: 2, max: 6 }).filter((gs) => gs.every((g) => norm64(g) > 0.1)) }),
        ),
        ({ f, observed }) => {
          const S = reference(observed).map((x) => -x);
          const length = norm64(S);
          fc.pre(length > 1e-3 && Math.abs(length - f) > 1e-3);
          const out = createAttack('nmattack').craft(context(observed, f, observed.length + f));
          const agg = createAggregator('nm').aggregate([...observed, ...out], { f }).aggregate;
          let dot = 0;
          for (let j = 0; j < S.length; j++) dot += agg[j] * S[j];
          const cosine = dot / (norm64(agg) * length);
          expect(cosine).toBeCloseTo(Math.sign(length - f), 3);
        },
      ),
    );
  });
});
