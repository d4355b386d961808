import { describe, expect, it } from 'vitest';
import { sampleIndices } from '../../src/aggregators/dnc.ts';
import { createRng } from '../../src/sim/rng.ts';

describe('dnc: sampleIndices', () => {
  it('draws what rng.sample draws, and leaves the stream where rng.sample leaves it', () => {
    for (const [n, k] of [[1, 1], [5, 5], [20, 6], [1000, 37], [100000, 10000]] as const) {
      const a = createRng('speed-dnc', `${n}/${k}`);
      const b = createRng('speed-dnc', `${n}/${k}`);
      for (let t = 0; t < 3; t++) expect(sampleIndices(a, n, k)).toEqual(b.sample(n, k));
      expect(a.next()).toBe(b.next());
    }
  });

  it('refuses more indices than there are', () => {
    expect(() => sampleIndices(createRng('speed-dnc', 'x'), 3, 4)).toThrow(RangeError);
  });
});
