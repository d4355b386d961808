/** The hostile payloads: inf, nan, zero and largenorm send what their names say, whatever the round. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAttack } from '../../src/attacks/index.ts';
import { SpecError } from '../../src/spec.ts';
import { context, gradients, norm64 } from './fixtures.ts';

const rounds = fc.record({ observed: gradients({ min: 1, max: 5 }, { min: 1, max: 20 }), f: fc.integer({ min: 1, max: 4 }) });

describe.each([
  ['inf', (x: number) => x === Infinity],
  ['nan', (x: number) => Number.isNaN(x)],
  ['zero', (x: number) => Object.is(x, 0)],
])('%s', (name, holds) => {
  it('every coordinate of every Byzantine vector is the payload', () => {
    fc.assert(
      fc.property(rounds, ({ observed, f }) => {
        const out = createAttack(name).craft(context(observed, f, observed.length + 2 * f + 1));
        expect(out).toHaveLength(f);
        for (const x of out) expect(Array.from(x).every(holds)).toBe(true);
      }),
    );
  });
});

describe('largenorm', () => {
  it('sends scale × (1, …, 1)/√d: norm scale, every coordinate equal and positive', () => {
    fc.assert(
      fc.property(rounds, fc.double({ min: 1, max: 1e20, noNaN: true }), ({ observed, f }, scale) => {
        const d = observed[0].length;
        const out = createAttack(`largenorm(scale=${scale})`).craft(context(observed, f, observed.length + 2 * f + 1));
        for (const x of out) {
          expect(Math.abs(norm64(x) - scale)).toBeLessThanOrEqual(1e-6 * scale);
          expect(new Set(x).size).toBe(1);
          expect(x[0]).toBe(Math.fround(scale / Math.sqrt(d)));
        }
      }),
    );
  });
  it('defaults to norm 1e6; scale 0 is the zero vector; beyond 1e30 (float32 overflow territory) it is refused', () => {
    const [x] = createAttack('largenorm').craft(context([new Float32Array(4)], 1, 4));
    expect(Array.from(x)).toEqual([5e5, 5e5, 5e5, 5e5]);
    expect(createAttack('largenorm(scale=0)').craft(context([new Float32Array(2)], 1, 4))).toEqual([new Float32Array(2)]);
    expect(() => createAttack('largenorm(scale=1e31)')).toThrow(SpecError);
  });
});
