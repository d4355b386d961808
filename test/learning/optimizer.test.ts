import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as optimizerModule from '../../src/learning/optimizer.ts';
import { momentumSgd } from '../../src/learning/optimizer.ts';
import { createLrSchedule } from '../../src/learning/lr-schedules.ts';
import { withWorkerMomentum } from '../../src/run/worker-momentum.ts';
import { createRng } from '../../src/sim/rng.ts';

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
            const out = sgd.step(theta, g, 1);
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
    expect(sgd.step(theta, Float32Array.from([NaN, 0]), 1)).toEqual({ refused: 'the aggregate has 1 non-finite coordinate' });
    expect(sgd.step(theta, Float32Array.from([Infinity, -Infinity]), 1)).toEqual({ refused: 'the aggregate has 2 non-finite coordinates' });
    expect(sgd.step(theta, Float32Array.from([3e38, -3e38]), 1)).toEqual({ theta: Float32Array.from([1 - 3e38, 2 + 3e38]) });
    // The momentum now holds 3e38: another such step would overflow float32, and is refused.
    expect(sgd.step(theta, Float32Array.from([3e38, 0]), 1)).toEqual({ refused: 'θ would not be finite: 1 coordinate past float32\u2019s range'.replace('\u2019', "'") });
    // A refused step left the momentum as it was: a zero gradient now decays it from 3e38.
    const out = sgd.step(theta, Float32Array.from([0, 0]), 1);
    expect(out).toEqual({ theta: Float32Array.from([1 - 1.5e38, 2 + 1.5e38]) });
  });
});

describe('sgd: weight decay and learning-rate schedules', () => {
  it('steps with g + λθ and η·schedule(t), PyTorch SGD order (decay before momentum)', () => {
    const { sgd } = optimizerModule;
    const opt = sgd(2, { lr: 0.5, momentum: 0.5, weightDecay: 0.1, schedule: createLrSchedule('step(every=2, gamma=0.5)') });
    let theta = Float32Array.from([1, -2]);
    const v = [0, 0];
    for (const [t, g] of [[1, [1, 1]], [2, [0, 2]], [3, [-1, 0]]] as const) {
      const eta = 0.5 * 0.5 ** Math.floor((t - 1) / 2);
      const expected = new Float32Array(2);
      for (let j = 0; j < 2; j++) {
        const gj = g[j] + 0.1 * theta[j];
        v[j] = 0.5 * v[j] + gj;
        expected[j] = theta[j] - eta * v[j];
      }
      const out = opt.step(theta, Float32Array.from(g), t);
      expect(out).toEqual({ theta: expected });
      theta = expected;
    }
  });

  it('is plain SGD by default (no momentum, no decay, constant rate)', () => {
    const opt = optimizerModule.sgd(1, { lr: 0.1 });
    const theta = Float32Array.from([1]);
    expect(opt.step(theta, Float32Array.from([2]), 1)).toEqual({ theta: Float32Array.from([1 - 0.2]) });
    expect(opt.step(theta, Float32Array.from([2]), 2)).toEqual({ theta: Float32Array.from([1 - 0.2]) });
  });

  it('schedules: constant, step (StepLR), inverse-sqrt', () => {
    expect([1, 2, 100].map(createLrSchedule('constant'))).toEqual([1, 1, 1]);
    expect([1, 100, 101, 201].map(createLrSchedule('step(every=100, gamma=0.1)'))).toEqual([1, 1, 0.1, 0.1 ** 2]);
    expect([1, 4, 100].map(createLrSchedule('inverse-sqrt'))).toEqual([1, 0.5, 0.1]);
    expect(() => createLrSchedule('step(gamma=2)')).toThrow(/gamma/);
    expect(() => createLrSchedule('cosine')).toThrow(/constant, step, inverse-sqrt/);
  });
});

describe('worker momentum', () => {
  it('sends m ← βm + (1 − β)g per worker, from m = 0, a copy each time; β = 0 is the gradient itself', () => {
    const grads = [Float32Array.from([1, 0]), Float32Array.from([0, 1]), Float32Array.from([2, 2])];
    let k = 0;
    const raw = () => grads[k++ % 3];
    const rng = createRng(1, 'x');
    expect(withWorkerMomentum(raw, 0)).toBe(raw);
    const m = withWorkerMomentum(raw, 0.9);
    const a = m(new Float32Array(2), 0, rng, undefined, false, 1);
    expect(Array.from(a)).toEqual([Math.fround(0.1), 0]);
    const b = m(new Float32Array(2), 1, rng, undefined, false, 1); // another worker: its own m
    expect(Array.from(b)).toEqual([0, Math.fround(0.1)]);
    const c = m(new Float32Array(2), 0, rng, undefined, false, 1);
    expect(Array.from(c)).toEqual([Math.fround(0.9 * Math.fround(0.1) + 0.1 * 2), Math.fround(0.1 * 2)]);
    expect(Array.from(a)).toEqual([Math.fround(0.1), 0]); // what was sent stays as sent
  });
});
