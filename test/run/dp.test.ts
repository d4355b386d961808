/** Differential privacy on the honest workers: noise on what they send, accounting, the VN ratio against the rule's bound. */
import { describe, expect, it } from 'vitest';
import { smallScenario, traceOf } from './fixtures.ts';
import { createMetricsCollector } from '../../src/run/metrics.ts';
import type { LearningTask } from '../../src/learning/task.ts';
import type { Attack } from '../../src/attacks/types.ts';
import type { Aggregator } from '../../src/aggregators/types.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';
import type { ScenarioInput } from '../../src/scenario/schema.ts';
import { gaussianSigma } from '../../src/learning/dp/calibrate.ts';
import { createRng } from '../../src/sim/rng.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { runToDirectory } from '../../src/run/output.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The DP paper's task in small: 11 workers, 5 Byzantine, MDA against ALIE on the d = 69 logistic task. */
const paper = (overrides: Partial<ScenarioInput> = {}) =>
  smallScenario({
    rounds: 6,
    workers: 11,
    byzantine: { f: 5, schedule: 'static' },
    data: { dataset: 'logistic', partition: 'iid', batchSize: 20, logistic: { trainSize: 1200, testSize: 200 } },
    model: 'logistic',
    loss: 'mse',
    aggregator: 'mda',
    attack: 'alie(z=1.5)',
    optimizer: { lr: 2, momentum: 0.9 },
    dp: { clip: 0.01, epsilon: 0.5, delta: 1e-6 },
    ...overrides,
  });

const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((x, j) => Object.is(x, b[j]));

describe('DP-SGD on the honest workers', () => {
  it('the adversary observes the noised gradients the server receives, never the clean ones', async () => {
    const clean: Float32Array[] = [];
    const observed: Float32Array[] = [];
    const received: Float32Array[] = [];
    const task = (t: LearningTask): LearningTask => ({
      ...t,
      gradient: (theta, w, rng, labels, forAdversary) => {
        const g = t.gradient(theta, w, rng, labels, forAdversary);
        if (!forAdversary) clean.push(g);
        return g;
      },
    });
    const attack = (a: Attack): Attack => ({
      ...a,
      craft: (ctx) => {
        observed.push(...ctx.observed);
        return a.craft(ctx);
      },
    });
    const aggregator = (r: Aggregator): Aggregator => ({
      ...r,
      aggregate: (vectors, ctx) => {
        received.push(...vectors);
        return r.aggregate(vectors, ctx);
      },
    });
    const { result } = await traceOf(paper(), { instrument: { task, attack, aggregator } });
    expect(clean.length).toBe(6 * 6);
    expect(observed.length).toBe(6 * 6);
    for (const o of observed) {
      expect(clean.some((c) => same(c, o))).toBe(false);
      expect(received.some((r) => same(r, o))).toBe(true);
    }
    // The noise is the calibrated one: what was observed minus the clean gradient, pairwise in send order.
    const s = gaussianSigma({ clip: 0.01, batchSize: 20, epsilon: 0.5, delta: 1e-6 });
    let sq = 0;
    let count = 0;
    observed.forEach((o, k) => o.forEach((x, j) => ((sq += (x - clean[k][j]) ** 2), count++)));
    // Σ y²/s² over 36·69 draws is χ² with that many degrees: within 4 standard deviations.
    expect(Math.abs(sq / (s * s) - count)).toBeLessThan(4 * Math.sqrt(2 * count));
    expect(result.privacy!.sigma).toBe(s);
  });

  it('draws the same minibatches as the run without noise (the noise has its own stream), and clips each example to G_max', async () => {
    const firstRound = async (dp: boolean) => {
      const seen: Float32Array[] = [];
      const task = (t: LearningTask): LearningTask => ({
        ...t,
        gradient: (theta, w, rng, labels, forAdversary) => {
          const g = t.gradient(theta, w, rng, labels, forAdversary);
          if (!forAdversary && seen.length < 6) seen.push(g);
          return g;
        },
      });
      // A clip no gradient reaches: clipped gradients are the plain ones, so only the noise could differ.
      const { result } = await traceOf(paper({ rounds: 1, ...(dp ? { dp: { clip: 1e6, sigma: 0.05, delta: 1e-6 } } : { dp: undefined }) }), { instrument: { task } });
      return { seen, hash: result.traceHash };
    };
    const plain = await firstRound(false);
    const noised = await firstRound(true);
    expect(noised.hash).not.toBe(plain.hash);
    noised.seen.forEach((g, i) => g.forEach((x, j) => expect(x).toBeCloseTo(plain.seen[i][j], 6)));
  });

  it('reports the privacy spent: T noised gradients per honest worker, basic composition (Tε, Tδ), and an RDP figure below it', async () => {
    const { result } = await traceOf(paper());
    const p = result.privacy!;
    expect(p.steps).toBe(6);
    expect(p.workers).toBe(6);
    expect(p.perStep).toEqual({ epsilon: 0.5, delta: 1e-6 });
    expect(p.basic.epsilon).toBeCloseTo(3, 12);
    expect(p.basic.delta).toBeCloseTo(6e-6, 18);
    expect(p.rdp.delta).toBe(p.basic.delta);
    expect(p.rdp.epsilon).toBeGreaterThan(0);
    expect(p.rdp.epsilon).toBeLessThan(p.basic.epsilon);
    // q = b / m: 1200 examples over the 6 honest workers (data.byzantine: none), 200 each.
    expect(p.rdp.q).toBeCloseTo(20 / 200, 12);
    expect(p.classical).toBe(true);
  });

  it('applies DP only to the listed workers, and to none of a worker’s gradients in a round it is Byzantine', async () => {
    const { result } = await traceOf(paper({ dp: { clip: 0.01, epsilon: 0.5, delta: 1e-6, workers: [2, 7, 9] } }));
    // Workers 6–10 are the static Byzantine set (the last f): of 2, 7, 9 only 2 is honest.
    expect(result.privacy!.workers).toBe(1);
    expect(result.privacy!.worker).toBe(2);
  });

  it('runs the same twice, and differs from the run without DP', async () => {
    const a = await traceOf(paper());
    const b = await traceOf(paper());
    const none = await traceOf(paper({ dp: undefined }));
    expect(a.result.traceHash).toBe(b.result.traceHash);
    expect(a.result.traceHash).not.toBe(none.result.traceHash);
    expect(none.result.privacy).toBeUndefined();
    const start = a.events.find((e: TraceEvent) => e.kind === 'run-start')!;
    expect(start.data.dp).toEqual({ sigma: a.result.privacy!.sigma, clip: 0.01, clipping: 'example' });
  });

  it('metrics carry the VN ratio, MDA’s bound (n − f)/(√8 f) and whether it holds; DP noise adds d·s² to eq. 8', async () => {
    const { result } = await traceOf(paper());
    const m = result.perRound!;
    const bound = 6 / (Math.sqrt(8) * 5);
    expect(result.vnCondition!.bound).toBeCloseTo(bound, 12);
    const s = result.privacy!.sigma;
    m.round.forEach((_, i) => {
      const vn = m.vn[i]!;
      const vnDp = m.vnDp[i]!;
      expect(vn).toBeGreaterThan(0);
      // vnDp² − vn² = d·s² / ‖ḡ‖²: the same ‖ḡ‖ in both, so vnDp/vn is fixed by the noise share alone.
      expect(vnDp).toBeGreaterThan(vn);
      expect(m.vnHolds[i]).toBe(vnDp <= bound);
    });
    // At per-step ε = 0.5, b = 20 and G_max = 1e-2 the noise alone is √(69)·s ≈ 0.09 against a norm ≤ 0.01: the condition never holds.
    expect(Math.sqrt(69) * s).toBeGreaterThan(0.05);
    expect(result.vnCondition!.holdsFraction).toBe(0);
  });
});

describe('metrics.json and the report of a run with DP', () => {
  it('carry the VN ratio against its bound, and the privacy spent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-dp-'));
    try {
      const s = paper({ output: { dir, trace: 'off' } });
      const written = await runToDirectory(s, 'ts');
      const json = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(json.privacy).toEqual(JSON.parse(JSON.stringify(written.privacy)));
      expect(json.privacy.basic.epsilon).toBeCloseTo(3, 12);
      expect(json.vnCondition).toEqual({ rule: 'mda', bound: 6 / (Math.sqrt(8) * 5), measured: 6, holdsFraction: 0 });
      expect(json.perRound.vnDp).toHaveLength(6);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('VN-ratio condition');
      expect(html).toContain('aria-label="VN ratio per round against the rule’s bound"');
      expect(html).toContain('bound k_F(n, f)');
      expect(html).toContain('with DP noise (eq. 8)');
      expect(html).toContain('Privacy spent');
      expect(html).toMatch(/basic composition<\/th><td>\(ε, δ\) = \(3, 0\.000006\)/);
      expect(html).toContain('Rényi DP');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the VN ratio metric', () => {
  it('matches √(dσ²)/‖μ‖ (eq. 2) and √(dσ² + d s²)/‖μ‖ (eq. 8) on synthetic gradients of known mean and variance', () => {
    const d = 50;
    const k = 4000;
    const rng = createRng(3, 'vn');
    const mu = Float32Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 0.02 : -0.01));
    const sigma = 0.004;
    const noiseVariance = d * 0.003 ** 2;
    const ledger = { at: () => [], controls: () => false };
    const expected = (extra: number) => Math.sqrt(d * sigma ** 2 + extra) / Math.hypot(...mu);
    for (const computedChannel of [false, true]) {
      const m = createMetricsCollector(ledger, { computedChannel, noiseVariance: () => noiseVariance, vnBound: 0.5, rule: 'test' });
      for (let i = 0; i < k; i++) {
        const g = Float32Array.from(mu, (x) => x + sigma * rng.normal());
        // On the computed channel one gradient in four is marked noised: eq. 8 counts a quarter of d·s².
        if (computedChannel) m.computed(i, 1, g, i % 4 === 0);
        m.sent({ kind: 'gradient', from: `worker/${i}`, to: 'server', round: 1, payload: g } as never);
      }
      m.sink('', { kind: 'aggregate', from: 'server', round: 1, payload: mu } as TraceEvent);
      const r = m.result();
      // The estimate's relative error is O(1/√(k d)) ≈ 0.2%: within 2%.
      expect(r.vn[0]! / expected(0)).toBeCloseTo(1, 1);
      expect(Math.abs(r.vn[0]! / expected(0) - 1)).toBeLessThan(0.02);
      // Noise counts only for gradients marked noised, on the computed channel.
      const dp = computedChannel ? expected(noiseVariance / 4) : expected(0);
      expect(Math.abs(r.vnDp[0]! / dp - 1)).toBeLessThan(0.02);
      expect(r.vnHolds[0]).toBe(r.vnDp[0]! <= 0.5);
      expect(m.vnCondition()).toEqual({ rule: 'test', bound: 0.5, measured: 1, holdsFraction: r.vnHolds[0] ? 1 : 0 });
    }
  });

  it('is null with fewer than two honest gradients or for 0/0, infinite for a zero mean with spread, and has no verdict without a bound', () => {
    const ledger = { at: () => [], controls: () => false };
    const m = createMetricsCollector(ledger);
    m.sent({ kind: 'gradient', from: 'worker/0', to: 'server', round: 1, payload: Float32Array.from([1, 2]) } as never);
    m.sink('', { kind: 'aggregate', from: 'server', round: 1, payload: Float32Array.from([1, 2]) } as TraceEvent);
    m.sent({ kind: 'gradient', from: 'worker/0', to: 'server', round: 2, payload: Float32Array.from([1, 0]) } as never);
    m.sent({ kind: 'gradient', from: 'worker/1', to: 'server', round: 2, payload: Float32Array.from([-1, 0]) } as never);
    m.sink('', { kind: 'aggregate', from: 'server', round: 2, payload: Float32Array.from([0, 0]) } as TraceEvent);
    m.sent({ kind: 'gradient', from: 'worker/0', to: 'server', round: 3, payload: Float32Array.from([0, 0]) } as never);
    m.sent({ kind: 'gradient', from: 'worker/1', to: 'server', round: 3, payload: Float32Array.from([0, 0]) } as never);
    m.sink('', { kind: 'aggregate', from: 'server', round: 3, payload: Float32Array.from([0, 0]) } as TraceEvent);
    expect(m.result().vn).toEqual([null, Infinity, null]);
    expect(m.result().vnHolds).toEqual([null, null, null]);
    expect(m.vnCondition()).toEqual({ rule: '', bound: null, measured: 1, holdsFraction: null });
    // With a bound, an infinite ratio fails it.
    const bounded = createMetricsCollector(ledger, { vnBound: 1 });
    bounded.sent({ kind: 'gradient', from: 'worker/0', to: 'server', round: 1, payload: Float32Array.from([1, 0]) } as never);
    bounded.sent({ kind: 'gradient', from: 'worker/1', to: 'server', round: 1, payload: Float32Array.from([-1, 0]) } as never);
    bounded.sink('', { kind: 'aggregate', from: 'server', round: 1, payload: Float32Array.from([0, 0]) } as TraceEvent);
    expect(bounded.result().vnHolds).toEqual([false]);
    expect(bounded.vnCondition().holdsFraction).toBe(0);
  });
});

describe('the dp section', () => {
  const load = (dp: string) => {
    try {
      parseScenarioText(`workers: 5\ndata: { batchSize: 8 }\ndp:\n${dp}`, 'x.yaml');
      return [];
    } catch (err) {
      if (err instanceof ScenarioError) return err.issues.map((i) => `${i.line}: ${i.path} ${i.message}`);
      throw err;
    }
  };
  it('takes a clip, a delta and one of epsilon or sigma', () => {
    expect(load('  clip: 0.01\n  epsilon: 0.5\n  delta: 1.0e-5\n')).toEqual([]);
    expect(load('  clip: 0.01\n  sigma: 0.1\n  delta: 1.0e-5\n  clipping: batch\n  workers: [0, 4]\n')).toEqual([]);
  });
  it('names the field and its line for each mistake', () => {
    expect(load('  clip: 0.01\n  epsilon: 0.5\n  sigma: 0.1\n  delta: 1.0e-5\n')).toEqual([expect.stringMatching(/^6: dp\.sigma give either epsilon .* or sigma .*, not both/)]);
    expect(load('  clip: 0.01\n  delta: 1.0e-5\n')).toEqual([expect.stringMatching(/^4: dp needs a noise level/)]);
    expect(load('  clip: 0.01\n  epsilon: 0.5\n  delta: 1\n')).toEqual([expect.stringMatching(/^6: dp\.delta .*< ?1/)]);
    expect(load('  clip: 0\n  epsilon: 0.5\n  delta: 1.0e-5\n')).toEqual([expect.stringMatching(/^4: dp\.clip .*> ?0/)]);
    expect(load('  clip: 0.01\n  epsilon: -1\n  delta: 1.0e-5\n')).toEqual([expect.stringMatching(/^5: dp\.epsilon .*> ?0/)]);
    expect(load('  clip: 0.01\n  epsilon: 0.5\n  delta: 1.0e-5\n  workers: [1, 5, 1]\n')).toEqual([
      expect.stringMatching(/^7: dp\.workers\[1\] 5 is not a worker: indices run from 0 to 4/),
      expect.stringMatching(/^7: dp\.workers\[2\] worker 1 is listed twice/),
    ]);
  });
});
