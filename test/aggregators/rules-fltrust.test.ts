/** fltrust: inputs scored by ReLU(cosine) with the server's own gradient g₀, rescaled to ‖g₀‖, averaged by score. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fltrust, fltrustAggregate } from '../../src/aggregators/fltrust.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { smallScenario, traceOf } from '../run/fixtures.ts';

const f32 = (rows: number[][]) => rows.map((r) => Float32Array.from(r));

describe('fltrust', () => {
  it('by hand: a copy of g₀ keeps g₀, an opposite input scores 0, a longer one is rescaled to ‖g₀‖', () => {
    const g0 = Float32Array.from([3, 4]);
    const { aggregate, diagnostics } = fltrustAggregate(f32([[6, 8], [-3, -4], [4, 0]]), g0);
    // Scores: cos = 1, −1 → 0, 4·3/(4·5) = 0.6; rescaled: (3, 4) and (5, 0); (1·(3, 4) + 0.6·(5, 0)) / 1.6.
    expect(aggregate[0]).toBeCloseTo(6 / 1.6, 6);
    expect(aggregate[1]).toBeCloseTo(4 / 1.6, 6);
    expect(diagnostics.selected).toEqual([0, 2]);
    expect(diagnostics.scores).toEqual([1, 0, expect.closeTo(0.6, 12)]);
  });

  it('gives 0 when no input is within 90° of g₀, and ignores zero and non-finite inputs', () => {
    expect(Array.from(fltrustAggregate(f32([[-1, 0], [0, -2]]), Float32Array.from([1, 1])).aggregate)).toEqual([0, 0]);
    const out = fltrustAggregate(f32([[0, 0], [NaN, 1], [2, 0]]), Float32Array.from([1, 0]));
    expect(Array.from(out.aggregate)).toEqual([1, 0]);
    expect(out.diagnostics.selected).toEqual([2]);
  });

  it('refuses to run without g₀ or with one of another dimension, saying what to set', () => {
    expect(() => fltrust.create().aggregate(f32([[1, 2]]), { f: 0 })).toThrow(/server\.trusted/);
    expect(() => fltrustAggregate(f32([[1, 2]]), Float32Array.from([1]))).toThrow(/dimension 1, the inputs 2/);
  });

  it('properties: permutation-invariant, norm ≤ ‖g₀‖, within 90° of g₀ whatever the Byzantine inputs', () => {
    const vec = (d: number) => fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: d, maxLength: d });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(vec(d), fc.array(vec(d), { minLength: 1, maxLength: 9 }))), ([g, xs]) => {
        const g0 = Float32Array.from(g);
        const inputs = f32(xs);
        const a = fltrustAggregate(inputs, g0).aggregate;
        const b = fltrustAggregate(inputs.slice().reverse(), g0).aggregate;
        a.forEach((x, j) => expect(x).toBeCloseTo(b[j], 4));
        const norm = (v: Float32Array) => Math.hypot(...v);
        expect(norm(a)).toBeLessThanOrEqual(norm(g0) * (1 + 1e-5) + 1e-6);
        const dot = a.reduce((s, x, j) => s + x * g0[j], 0);
        expect(dot).toBeGreaterThanOrEqual(-1e-6 * norm(g0) * (norm(a) + 1));
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('matches FLPoison’s FLTrust (test/fixtures/peers/flpoison_fltrust.py) on its fixtures', () => {
    const { cases } = JSON.parse(readFileSync(new URL('../fixtures/peers/flpoison-fltrust.json', import.meta.url), 'utf8')) as {
      cases: { inputs: number[][]; reference: number[]; output: number[] }[];
    };
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const out = fltrustAggregate(f32(c.inputs), Float32Array.from(c.reference)).aggregate;
      // Float32 output of a float64 computation; FLPoison's +1e-9 guards move it by ~1e-9 relative.
      const scale = Math.max(...c.output.map(Math.abs));
      out.forEach((x, j) => expect(Math.abs(x - c.output[j])).toBeLessThan(1e-6 * scale));
    }
  });
});

describe('fltrust in a run: the server computes g₀ on its trusted examples', () => {
  const scenario = (overrides = {}) =>
    smallScenario({ workers: 8, byzantine: { f: 3, schedule: 'static' }, rounds: 20, aggregator: 'fltrust', attack: 'signflip(scale=4)', server: { trusted: 60 }, eval: { every: 10 }, ...overrides });

  it('never selects a sign-flipped input, learns, and records g₀’s digest in each aggregate event', async () => {
    const { result, events } = await traceOf(scenario());
    const aggregates = events.filter((e) => e.kind === 'aggregate');
    expect(aggregates).toHaveLength(20);
    for (const e of aggregates) {
      expect(e.data.reference).toMatch(/^[0-9a-f]+$/);
      for (const w of e.data.diagnostics.selected) expect(w).toBeLessThan(5);
    }
    const mean = await traceOf(scenario({ aggregator: 'mean', server: { trusted: 0 } }));
    expect(result.final.accuracy).toBeGreaterThan(mean.result.final.accuracy);
    expect((await traceOf(scenario())).result.traceHash).toBe(result.traceHash);
  });

  const issues = (yaml: string) => {
    try {
      parseScenarioText(yaml, 'x.yaml');
      return [];
    } catch (err) {
      if (err instanceof ScenarioError) return err.issues.map((i) => `${i.path}: ${i.message}`);
      throw err;
    }
  };
  it('a scenario needs server.trusted for fltrust, and only for a rule that uses it', () => {
    expect(issues('aggregator: fltrust\n')).toEqual([expect.stringMatching(/^aggregator: fltrust scores the inputs against the server's own gradient on trusted data: give the server trusted training examples with server.trusted/)]);
    expect(issues('aggregator: fltrust\nserver: { trusted: 100 }\n')).toEqual([]);
    expect(issues('aggregator: nnm > fltrust\nserver: { trusted: 100 }\n')).toEqual([]);
    expect(issues('aggregator: cwtm\nserver: { trusted: 100 }\n')).toEqual([expect.stringMatching(/^server.trusted: only used by a rule that needs the server's trusted gradient/)]);
    expect(issues('aggregator: fltrust\nserver: { trusted: 7000 }\n')).toEqual([expect.stringMatching(/^server.trusted: 7000 trusted examples is more than the 6000 training examples/)]);
  });
});
