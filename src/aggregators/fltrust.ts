/**
 * fltrust — trust bootstrapping from the server's own gradient.
 *
 *   TSᵢ = ReLU(cos(xᵢ, g₀)),   x̂ᵢ = xᵢ · ‖g₀‖ / ‖xᵢ‖,   fltrust = Σᵢ TSᵢ x̂ᵢ / Σᵢ TSᵢ
 *
 * where g₀ is the server's gradient on a small trusted (root) dataset it
 * holds: each input is scored by its cosine with g₀ (negative cosines count
 * 0), rescaled to g₀'s norm, and the scored inputs averaged. In a run the
 * server computes g₀ each round on its `server.trusted` examples and hands it
 * to the rule (ctx.reference); as a library function, pass `reference`.
 * Requirement: n ≥ 1 (the trust comes from g₀, not from an honest majority).
 *
 * Reference: Cao, Fang, Liu, Gong, FLTrust: Byzantine-robust Federated
 * Learning via Trust Bootstrapping, NDSS 2021 (Algorithm 1, eq. 1–4).
 *
 * Deliberate choices:
 * - When every score is 0 (no input points within 90° of g₀) the output is
 *   the zero vector: the paper's ratio is 0/0 there; zero is what its
 *   authors' code returns as Σ TSᵢ x̂ᵢ = 0 over a guarded denominator.
 * - A zero or non-finite input scores 0 (its cosine is undefined or NaN), so
 *   it never reaches the output; a zero g₀ scores every input 0.
 * - Scores and the weighted sum in float64, the output rounded once.
 */
import type { AggregationResult } from './types.ts';
import { commonDimension } from '../kernels/vector.ts';
import { defineRule } from './define.ts';
import { kernels } from '../kernels/path.ts';

export function fltrustAggregate(vectors: readonly Float32Array[], reference: Float32Array | undefined): AggregationResult {
  const d = commonDimension(vectors, 'fltrust');
  if (!reference) throw new Error('fltrust needs the server’s trusted gradient g₀ (ctx.reference): in a scenario, give the server trusted examples with server.trusted');
  if (reference.length !== d) throw new Error(`fltrust: the trusted gradient has dimension ${reference.length}, the inputs ${d}`);
  const n = vectors.length;
  // One Gram pass over g₀ and the inputs gives ‖g₀‖², every ‖xᵢ‖² and every xᵢ·g₀ (float64 sums of exact products).
  const G = kernels().gram([reference, ...vectors]);
  const g0 = Math.sqrt(G[0]);
  const scores = new Float64Array(n);
  const weights = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const nx = Math.sqrt(G[(i + 1) * (n + 1) + i + 1]);
    const cosine = G[i + 1] / (nx * g0);
    const score = Number.isFinite(cosine) && cosine > 0 ? cosine : 0;
    scores[i] = score;
    if (score === 0) continue;
    total += score;
    weights[i] = (score * g0) / nx;
  }
  const aggregate = new Float32Array(d);
  // Σᵢ wᵢxᵢ / Σᵢ TSᵢ in float64, rows of weight 0 skipped, rounded once.
  if (total > 0) kernels().weightedSum(vectors, weights, total, aggregate);
  const selected = [...scores.keys()].filter((i) => scores[i] > 0);
  return { aggregate, diagnostics: { selected, scores: Array.from(scores) } };
}

export const fltrust = defineRule({
  name: 'fltrust',
  summary: 'FLTrust: inputs scored by ReLU(cosine) with the server’s own gradient on trusted data, rescaled to its norm, averaged by score.',
  reference: 'Cao, Fang, Liu, Gong, FLTrust: Byzantine-robust Federated Learning via Trust Bootstrapping, NDSS 2021',
  params: {},
  requirement: { text: 'n ≥ 1 (and the server’s trusted gradient: server.trusted)', check: (n, f) => Number.isInteger(f) && f >= 0 && n >= 1 },
  needsReference: true,
  aggregate: (vectors, ctx) => fltrustAggregate(vectors, ctx.reference),
});
