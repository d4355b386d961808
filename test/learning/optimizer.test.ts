import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { momentumSgd } from '../../src/learning/optimizer.ts';

describe('momentum SGD', () => {
  it('is v ← μv + g, θ ← θ − ηv, in float64 rounded to float32', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        (start, grads) => {
          const d = start.length;
          const sgd = momentumSgd(d, 0.1, 0.9);
          let theta = Float32Array.from(start);
          const v = new Float64Array(d);
          for (const raw of grads) {
            const g = Float32Array.from(raw.slice(0, d));
            const expected = new Float32Array(d);
            for (let j = 0; j < d; j++) {
              v[j] = 0.9 * v[j] + g[j];
              expected[j] = theta[j] - 0.1 * v[j];
            }
            const out = sgd.step(theta, g);
            expect(out).toEqual({ theta: expected });
            theta = expected;
          }
        },
      ),
    );
  });

  it('refuses a step with a non-finite aggregate or a non-finite result, and keeps its momentum', () => {
    const sgd = momentumSgd(2, 1, 0.5);
    const theta = Float32Array.from([1, 2]);
    expect(sgd.step(theta, Float32Array.from([NaN, 0]))).toEqual({ refused: 'the aggregate has 1 non-finite coordinate' });
    expect(sgd.step(theta, Float32Array.from([Infinity, -Infinity]))).toEqual({ refused: 'the aggregate has 2 non-finite coordinates' });
    expect(sgd.step(theta, Float32Array.from([3e38, -3e38]))).toEqual({ theta: Float32Array.from([1 - 3e38, 2 + 3e38]) });
    // The momentum now holds 3e38: another such step would overflow float32, and is refused.
    expect(sgd.step(theta, Float32Array.from([3e38, 0]))).toEqual({ refused: 'θ would not be finite: 1 coordinate past float32\u2019s range'.replace('\u2019', "'") });
    // A refused step left the momentum as it was: a zero gradient now decays it from 3e38.
    const out = sgd.step(theta, Float32Array.from([0, 0]));
    expect(out).toEqual({ theta: Float32Array.from([1 - 1.5e38, 2 + 1.5e38]) });
  });
});
