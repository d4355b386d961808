import { describe, expect, it } from 'vitest';
import { accuracySpec, aggregateSpec, comparisonSpec, honestSpec, lossSpec, selectionSpec } from '../../src/report/specs.ts';
import { sampleHistory, samplePerRound } from './fixtures.ts';

describe('specs', () => {
  it('are plain JSON data', () => {
    const spec = accuracySpec(sampleHistory());
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('fixes the accuracy axis to [0, 1] and titles both charts', () => {
    const acc = accuracySpec(sampleHistory()) as any;
    expect(acc.title).toBe('Test accuracy');
    expect(acc.encoding.x.field).toBe('round');
    expect(acc.encoding.y.scale.domain).toEqual([0, 1]);
    expect((lossSpec(sampleHistory(), { title: 'L' }) as any).title).toBe('L');
  });

  it('drops non-finite metrics instead of stretching the axis', () => {
    const spec = lossSpec([{ round: 1, accuracy: 0.1, loss: Infinity }, { round: 2, accuracy: NaN, loss: 1 }]) as any;
    expect(spec.data.values).toEqual([
      { round: 1, accuracy: 0.1, loss: null },
      { round: 2, accuracy: null, loss: 1 },
    ]);
  });

  it('colours a comparison by label in the order given', () => {
    const spec = comparisonSpec([
      { label: 'cwtm', history: sampleHistory(3) },
      { label: 'mean', history: sampleHistory(3) },
    ]) as any;
    expect(spec.encoding.color.field).toBe('label');
    expect(spec.encoding.color.scale.domain).toEqual(['cwtm', 'mean']);
    expect(spec.data.values).toHaveLength(6);
    expect(() => comparisonSpec([{ label: 'a', history: [] }, { label: 'a', history: [] }])).toThrow(/duplicate/);
  });

  it('draw the honest and aggregate metrics per round, missing or non-finite values as gaps, cosine on [−1, 1]', () => {
    const honest = honestSpec(samplePerRound()) as any;
    expect(honest.vconcat.map((p: any) => p.encoding.y.field)).toEqual(['honestNorm', 'honestVariance']);
    expect(honest.data.values[1]).toEqual({ round: 2, honestNorm: 0.5, honestVariance: null });
    const aggregate = aggregateSpec(samplePerRound()) as any;
    expect(aggregate.vconcat[1].encoding.y.scale.domain).toEqual([-1, 1]);
    expect(aggregate.data.values[5]).toEqual({ round: 6, aggregateDistance: null, aggregateCosine: null });
    expect(JSON.parse(JSON.stringify(aggregate))).toEqual(aggregate);
  });

  it('count each worker’s selections, split by whether it was Byzantine in the round it was selected', () => {
    const spec = selectionSpec(samplePerRound(), 6) as any;
    const count = (worker: number, role: string) => spec.data.values.find((v: any) => v.worker === worker && v.role === role).rounds;
    expect(spec.data.values).toHaveLength(12);
    expect(count(5, 'Byzantine')).toBe(2);
    expect(count(5, 'honest')).toBe(0);
    expect([0, 1, 2, 3, 4].map((w) => count(w, 'honest'))).toEqual([1, 1, 1, 0, 0]);
    expect(spec.data.values.reduce((s: number, v: any) => s + v.rounds, 0)).toBe(5);
  });
});
