/**
 * `npm run bench:dp`: the DP paper's experiment (Guerraoui, Gupta, Pinot,
 * Rouault, Stephan, PODC 2021, §5 and Fig. 2–4) on scenarios/bench/dp-logreg.yaml:
 * for each batch size b ∈ {10, 50, 500}, the final test accuracy (mean over
 * seeds 1–5, ± their standard deviation, as the paper reports) of
 *   - no attack, no DP: the 11 workers honest, averaged (the paper's `average`);
 *   - attack: MDA against ALIE (factor 1.5), f = 5 of 11;
 *   - DP: the 11 honest workers noised, averaged;
 *   - both: MDA against ALIE on noised honest gradients;
 * every run clipping its per-example gradients to G_max (the paper's runs
 * without DP clip too: `dp: { sigma: 0 }`),
 * the VN condition's share of rounds (MDA's k_F = (n − f)/(√8 f)) and the
 * privacy spent per worker. Then the cost of per-example clipping: one
 * worker's step on the logistic task with and without it, as a ratio
 * (target ≤ 3×), and the committed scenario end to end (target < 10 s).
 * Usage: npm run bench:dp [-- --quick] (one seed, b = 50, per-example clipping only).
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { runScenario, type RunResult } from '../src/run/run.ts';
import { models } from '../src/learning/models/index.ts';
import { logisticDataset } from '../src/learning/datasets/logistic.ts';
import { clippedGradient } from '../src/learning/dp/clip.ts';
import { addGaussianNoise } from '../src/learning/dp/gaussian.ts';
import { sampleInto } from '../src/learning/build.ts';
import { createRng } from '../src/sim/rng.ts';

const quick = process.argv.includes('--quick');
const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'scenarios/bench/dp-logreg.yaml');
const { scenario: base } = await loadScenario(file);
const seeds = quick ? [1] : [1, 2, 3, 4, 5];
const batches = quick ? [50] : [10, 50, 500];

type Variant = 'none' | 'attack' | 'dp' | 'both';
const VARIANTS: Variant[] = ['none', 'attack', 'dp', 'both'];
const LABELS: Record<Variant, string> = { none: 'no attack, no DP', attack: 'attack', dp: 'DP', both: 'attack + DP' };

type Scope = 'example' | 'batch';
const SCOPES: Scope[] = quick ? ['example'] : ['example', 'batch'];

function variant(v: Variant, b: number, seed: number, scope: Scope): Scenario {
  const attacked = v === 'attack' || v === 'both';
  const noised = v === 'dp' || v === 'both';
  const s: Scenario = structuredClone(base);
  s.seed = seed;
  s.data.batchSize = b;
  s.dp = { ...s.dp!, clipping: scope };
  if (!attacked) {
    // The paper's unattacked runs: all 11 workers honest, averaged.
    s.byzantine = { ...s.byzantine, f: 0 };
    s.aggregator = 'mean';
    s.attack = 'none';
  }
  // The paper's runs without DP clip too (its gradient-clip is common to all): clipping without noise.
  if (!noised) s.dp = { clip: s.dp!.clip, clipping: s.dp!.clipping, workers: s.dp!.workers, sigma: 0 };
  return s;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / xs.length));

const rows: string[] = [];
const vnRows: string[] = [];
let privacy: RunResult['privacy'];
for (const scope of SCOPES) {
  for (const b of batches) {
    const cells: string[] = [];
    const vn: string[] = [];
    for (const v of VARIANTS) {
      const acc: number[] = [];
      const holds: number[] = [];
      for (const seed of seeds) {
        const r = await runScenario(variant(v, b, seed, scope), { backend: 'ts' });
        acc.push(r.final.accuracy);
        if (r.vnCondition?.holdsFraction !== null && r.vnCondition?.holdsFraction !== undefined) holds.push(r.vnCondition.holdsFraction);
        if (v === 'both' && b === 50 && seed === 1 && scope === 'example') privacy = r.privacy;
      }
      cells.push(`${mean(acc).toFixed(3)} ± ${std(acc).toFixed(3)}`);
      if (v === 'attack' || v === 'both') vn.push(holds.length ? `${(mean(holds) * 100).toFixed(1)}%` : '—');
      console.error(`${scope} b=${b} ${LABELS[v]}: ${acc.map((a) => a.toFixed(3)).join(' ')}`);
    }
    rows.push(`| ${scope} | ${b} | ${cells.join(' | ')} |`);
    vnRows.push(`| ${scope} | ${b} | ${vn.join(' | ')} |`);
  }
}

console.log(`DP paper setting (scenarios/bench/dp-logreg.yaml): logistic d = 69, n = 11, MDA vs ALIE(1.5) with f = 5, ε = ${base.dp!.epsilon}, δ = ${base.dp!.delta}, G_max = ${base.dp!.clip}, 1000 steps; final test accuracy, mean ± std over seeds ${seeds.join(', ')}; clipping per example (DP-SGD, the default) and per batch (the paper's code)\n`);
console.log(`| clipping | b | ${VARIANTS.map((v) => LABELS[v]).join(' | ')} |\n|---|---:|${VARIANTS.map(() => '---:').join('|')}|`);
console.log(rows.join('\n'));
console.log(`\nRounds where MDA's VN condition held (k_F = ${(6 / (Math.sqrt(8) * 5)).toFixed(3)}; eq. 2 without noise, eq. 8 with), mean over seeds:\n`);
console.log(`| clipping | b | attack | attack + DP |\n|---|---:|---:|---:|`);
console.log(vnRows.join('\n'));
if (privacy) {
  console.log(
    `\nPrivacy per honest worker at b = 50 (${privacy.steps} noised gradients): per step (ε, δ) = (${privacy.perStep.epsilon}, ${privacy.perStep.delta}), σ = ${privacy.sigma.toPrecision(4)}; ` +
      `basic composition (${privacy.basic.epsilon.toPrecision(4)}, ${privacy.basic.delta.toPrecision(3)}); RDP (${privacy.rdp.epsilon.toPrecision(4)}, ${privacy.rdp.delta.toPrecision(3)}) at q = ${privacy.rdp.q.toPrecision(3)}, z = ${privacy.rdp.noiseMultiplier.toPrecision(4)}`,
  );
}

// One worker's step on the logistic task: minibatch, gradient (clipped per example, or not), noise.
// Each variant warmed up, then timed in interleaved rounds (the machine's noise hits all alike); medians.
{
  const data = logisticDataset({ features: 68, trainSize: 8400, testSize: 10, noise: 0.05 }, createRng(1, 'data'));
  const k = models.resolveSpec('logistic').def.create({}, { features: 68, classes: 2, loss: 'mse' }).ts!;
  const shard = Int32Array.from({ length: 1400 }, (_, i) => i);
  const theta = Float32Array.from({ length: 69 }, (_, j) => Math.sin(j) * 0.1);
  const fused = clippedGradient(k, { norm: 0.01, scope: 'example' });
  const generic = clippedGradient({ gradient: k.gradient, perExample: k.perExample }, { norm: 0.01, scope: 'example' });
  const rng = createRng(1, 'worker/0');
  const noise = createRng(1, 'worker/0/dp');
  const median = (xs: number[]) => xs.slice().sort((a, c) => a - c)[xs.length >> 1];
  console.log(`\nOne worker's step on the logistic task (d = 69): minibatch draw and gradient, µs (median of 15 interleaved runs of 1000 steps), and the ratio to the step without DP:\n`);
  console.log(`| b | no DP | per-example clip | ratio | clip + noise | ratio | clip from per-example gradients (no fused kernel) | ratio |\n|---:|---:|---:|---:|---:|---:|---:|---:|`);
  for (const b of [10, 50, 500]) {
    const rows = new Int32Array(b);
    const steps: Record<string, () => void> = {
      plain: () => (sampleInto(rows, shard, rng), k.gradient(theta, data.trainX, data.trainY, rows)),
      clip: () => (sampleInto(rows, shard, rng), fused(theta, data.trainX, data.trainY, rows)),
      noised: () => (sampleInto(rows, shard, rng), addGaussianNoise(fused(theta, data.trainX, data.trainY, rows), 0.01, noise)),
      generic: () => (sampleInto(rows, shard, rng), generic(theta, data.trainX, data.trainY, rows)),
    };
    const times: Record<string, number[]> = { plain: [], clip: [], noised: [], generic: [] };
    for (const step of Object.values(steps)) for (let i = 0; i < 3000; i++) step();
    for (let r = 0; r < 15; r++) {
      for (const [name, step] of Object.entries(steps)) {
        const t0 = performance.now();
        for (let i = 0; i < 1000; i++) step();
        times[name].push(performance.now() - t0);
      }
    }
    const us = (name: string) => median(times[name]);
    const cell = (name: string) => `${us(name).toFixed(1)} | ${(us(name) / us('plain')).toFixed(2)}×`;
    console.log(`| ${b} | ${us('plain').toFixed(1)} | ${cell('clip')} | ${cell('noised')} | ${cell('generic')} |`);
  }
}

{
  const t0 = performance.now();
  await runScenario(base, { backend: 'ts' });
  console.log(`\nscenarios/bench/dp-logreg.yaml end to end (in process, after load): ${((performance.now() - t0) / 1000).toFixed(2)} s (target < 10 s)`);
}
