/**
 * cc — centered clipping.
 *
 *   v₀ = centre,   v_{l+1} = v_l + (1/n) Σᵢ clip_τ(xᵢ − v_l),   l = 0, …, L − 1
 *
 * with clip_τ(u) = u · min(1, τ / ‖u‖₂). The output is v_L, and it becomes the
 * centre of the next call: the rule is stateful, the centre playing the role
 * of the server's momentum.
 * Requirement: n ≥ 2f + 1. Each Byzantine input moves the output by at most
 * τ/n per iteration; the paper's analysis assumes a smaller fraction
 * (δ = f/n ≤ 0.1 or so), which the requirement does not enforce.
 *
 * Reference: Karimireddy, He, Jaggi, Learning from History for Byzantine
 * Robust Optimization, ICML 2021 (Algorithm 2).
 *
 * Defaults: τ = 100, L = 1, those of the paper's code (epfml/byzantine-robust-
 * optimizer, momentum-robustness/cifar10-all.py: Clipping(tau=100, n_iter=1))
 * and of ByzFL's CenteredClipping (L=1, tau=100). The bucketing paper's code
 * (epfml/byzantine-robust-noniid-optimizer, utils.py: --clip-tau 10,
 * Clipping(tau, n_iter=3)) is cc(tau=10, L=3). τ is an absolute radius in the
 * gradients' units: a good one depends on their norms, which no default knows.
 *
 * Deliberate choices:
 * - The first centre is 0, as in the authors' code (`init=zero`), or the
 *   coordinate-wise median of the first inputs (`init=cwmed`). A call whose
 *   dimension differs from the stored centre's starts again from `init`, and
 *   `reset()` forgets the centre.
 * - An input with a non-finite coordinate contributes 0 (it is treated as
 *   equal to the centre) but still counts in 1/n, so the output stays finite.
 */
import type { AggregationResult, Aggregator } from './types.ts';
import { commonDimension, coordinateMedian, isFiniteVector } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { resolveParams } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  tau: { description: 'clipping radius τ (100: the paper’s code and ByzFL)', default: 100, min: 0 },
  L: {
    description:
      'clipping iterations per call; at most 100: published implementations iterate 1 to 20 times, and each iteration costs a pass over the n inputs',
    default: 1,
    min: 1,
    max: 100,
    integer: true,
  },
};

const options = {
  init: { description: 'first centre: zero or cwmed of the first inputs', default: 'zero', choices: ['zero', 'cwmed'] },
};

export interface CcOptions {
  tau?: number;
  L?: number;
  /** Starting point v₀; 0 when omitted. Not modified. */
  centre?: Float32Array;
}

/** One call of centered clipping from `options.centre` (0 by default). */
export function ccAggregate(vectors: readonly Float32Array[], f: number, options: CcOptions = {}): AggregationResult {
  const given: Record<string, number> = {};
  if (options.tau !== undefined) given.tau = options.tau;
  if (options.L !== undefined) given.L = options.L;
  const { tau, L } = resolveParams('cc', params, given);
  const d = commonDimension(vectors, 'cc');
  const n = vectors.length;
  if (!requirement.check(n, f)) throw new Error(`cc requires ${requirement.text} (got n=${n}, f=${f})`);
  if (options.centre && options.centre.length !== d) {
    throw new Error(`cc: centre has dimension ${options.centre.length} but the inputs have ${d}`);
  }
  const v = options.centre ? Float64Array.from(options.centre) : new Float64Array(d);
  // From a finite centre, ‖xᵢ − v‖² (float64 sums of float32 differences, which
  // cannot overflow) is finite iff xᵢ is: the first distance pass doubles as
  // the finiteness test, so no separate pass over the inputs is needed.
  const centreFinite = !options.centre || isFiniteVector(options.centre);
  let dist = new Float64Array(n);
  let rows: readonly Float32Array[] = vectors;
  let measured = false;
  if (centreFinite) {
    kernels().squaredDistancesTo64(v, vectors, dist);
    const keep = vectors.map((_, i) => dist[i] < Infinity);
    rows = vectors.filter((_, i) => keep[i]);
    dist = dist.filter((_, i) => keep[i]);
    measured = true;
  } else {
    rows = vectors.filter(isFiniteVector);
    dist = new Float64Array(rows.length);
  }
  const scales = new Float64Array(rows.length);
  let clipped = 0;
  for (let l = 0; l < L; l++) {
    clipped = 0;
    // ‖xᵢ − v‖² in one blocked pass, then the clipped step in another.
    if (!(l === 0 && measured)) kernels().squaredDistancesTo64(v, rows, dist);
    for (let i = 0; i < rows.length; i++) {
      const r = Math.sqrt(dist[i]);
      scales[i] = 1;
      if (r > tau) {
        scales[i] = tau / r;
        clipped++;
      }
    }
    kernels().clipStep(rows, scales, n, v);
  }
  return { aggregate: Float32Array.from(v), diagnostics: { iterations: L, clipped } };
}

/** A cc instance: an Aggregator that keeps its centre between calls. */
export interface CcAggregator extends Aggregator {
  /** The centre the next call starts from (null before the first call or after reset). */
  readonly centre: Float32Array | null;
  /** Forgets the centre; the next call starts from `init` again. */
  reset(): void;
}

export const cc = defineRule({
  name: 'cc',
  aliases: ['centeredclipping'],
  aliasSources: { centeredclipping: 'ByzFL' },
  summary: 'Centered clipping: L steps v ← v + mean of clip_τ(xᵢ − v), started at the previous output.',
  reference: 'Karimireddy, He, Jaggi, Learning from History for Byzantine Robust Optimization, ICML 2021',
  params,
  options,
  requirement,
  stateful: true,
  init({ tau, L, init: start }): Pick<CcAggregator, 'centre' | 'reset' | 'aggregate'> {
    let centre: Float32Array | null = null;
    return {
      get centre() {
        return centre;
      },
      reset() {
        centre = null;
      },
      aggregate(vectors, ctx) {
        const d = commonDimension(vectors, 'cc');
        if (!requirement.check(vectors.length, ctx.f)) {
          throw new Error(`cc requires ${requirement.text} (got n=${vectors.length}, f=${ctx.f})`);
        }
        if (centre === null || centre.length !== d) {
          centre = start === 'cwmed' ? coordinateMedian(vectors) : new Float32Array(d);
        }
        const result = ccAggregate(vectors, ctx.f, { tau, L, centre });
        centre = result.aggregate.slice();
        return result;
      },
    };
  },
});
