import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitions } from '../../src/learning/partitions/index.ts';
import { createRng, type Rng } from '../../src/sim/rng.ts';

function partition(labels: ArrayLike<number>, n: number, spec: string, rng: Rng): Int32Array[] {
  const { def, params } = partitions.resolveSpec(spec);
  return def.create(params)(labels, n, rng);
}

const labelsAndWorkers = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 300 })
  .chain((labels) => fc.tuple(fc.constant(labels), fc.integer({ min: 1, max: labels.length }), fc.string()));

describe('partition', () => {
  for (const kind of ['iid', 'extreme'] as const) {
    it(`${kind}: covers every index exactly once, shard sizes differ by at most one`, () => {
      fc.assert(
        fc.property(labelsAndWorkers, ([labels, n, seed]) => {
          const shards = partition(labels, n, kind, createRng(seed, 'data'));
          expect(shards.length).toBe(n);
          const all = shards.flatMap((s) => Array.from(s)).sort((a, b) => a - b);
          expect(all).toEqual(labels.map((_, i) => i));
          const sizes = shards.map((s) => s.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        }),
      );
    });
  }

  it('extreme: shards are contiguous blocks of the label-sorted order (stable)', () => {
    fc.assert(
      fc.property(labelsAndWorkers, ([labels, n]) => {
        const order = partition(labels, n, 'extreme', createRng(0, 'data')).flatMap((s) => Array.from(s));
        const expected = labels.map((_, i) => i).sort((a, b) => labels[a] - labels[b] || a - b);
        expect(order).toEqual(expected);
      }),
    );
  });

  it('extreme: on balanced labels with n = classes, each shard holds one label', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => i % 10);
    const shards = partition(labels, 10, 'extreme', createRng(0, 'data'));
    for (const s of shards) expect(new Set(Array.from(s, (i) => labels[i])).size).toBe(1);
    const few = partition(labels, 4, 'extreme', createRng(0, 'data'));
    for (const s of few) expect(new Set(Array.from(s, (i) => labels[i])).size).toBeLessThanOrEqual(4);
  });

  it('iid: shards mix labels, and the split is a function of the seed', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => i % 10);
    const a = partition(labels, 10, 'iid', createRng('s', 'data'));
    const b = partition(labels, 10, 'iid', createRng('s', 'data'));
    const c = partition(labels, 10, 'iid', createRng('t', 'data'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const s of a) expect(new Set(Array.from(s, (i) => labels[i])).size).toBeGreaterThanOrEqual(8);
  });

  it('rejects more workers than examples', () => {
    expect(() => partition([0, 1], 3, 'iid', createRng(0, 'data'))).toThrow(/2 examples cannot fill 3/);
  });
});
