/**
 * signguard — SignGuard: norm filtering, sign-statistics clustering, median-norm clipping.
 *
 * With M the median of the norms ‖xᵢ‖ (the mean of the two middle ones for even n):
 *
 *   S₁ = { i : L·M < ‖xᵢ‖ < R·M }                                   (norm filter)
 *   S₂ = the largest cluster of the sign statistics
 *        ( #{xᵢ[k] > 0}, #{xᵢ[k] = 0}, #{xᵢ[k] < 0} ) / ℓ   over one block of ℓ = ⌊φ·d⌋
 *        consecutive coordinates drawn at random, each statistic divided by its largest
 *        value over the inputs (+1e-8)
 *   signguard = (1/|S|) Σ_{i ∈ S} xᵢ · min(1, M/‖xᵢ‖),   S = S₁ ∩ S₂,
 *
 * 0 when S is empty. Defaults L = 0.1, R = 3, φ = 0.1; the clustering is mean shift
 * (`clustering=meanshift`: flat kernel, bandwidth estimated as the mean distance of each
 * point to its ⌊n/2⌋-th nearest point counting itself, seeds on the bandwidth grid,
 * points farther than the bandwidth from every centre left out; "within" includes the
 * bandwidth itself, as in sklearn) or DBSCAN
 * (`clustering=dbscan`: ε = 0.05, 3 points to a core, as FLPoison configures it).
 * Requirement: n ≥ 2f + 1 (f itself is not used: the filters are the rule's own).
 *
 * Reference: Xu, Huang, Song, Lan, Byzantine-robust Federated Learning through
 * Collaborative Malicious Gradient Filtering, ICDCS 2022 (arXiv 2109.05872, "SignGuard").
 * Follows the authors' code (JianXu95/SignGuard, aggregators/signguard.py at e1fcafcc,
 * `signguard_multiclass`: strict thresholds, a random block of 10% of the coordinates,
 * MeanShift with estimate_bandwidth(quantile=0.5), bin seeding, cluster_all=False) and
 * FLPoison (vio1etus/FLPoison, aggregators/signguard.py at eb74fb24: the same, DBSCAN by
 * default), with sklearn's MeanShift and DBSCAN written out.
 *
 * Deliberate differences:
 * - Blades (lishenghui/blades, blades/aggregators/signguard.py at 2cead944) computes the
 *   statistics on all coordinates without the max-normalisation, clusters them with
 *   K-means (k = 2), and clips to M before the norm filter (so its upper bound never
 *   drops anyone); byzsim follows the paper's authors.
 * - sklearn estimates the bandwidth on 50 points drawn with a fixed seed when n > 50;
 *   byzsim uses all n points (identical for n ≤ 50).
 * - The peers fail where sklearn does: a bandwidth of 0 (each input's statistics shared by
 *   ⌊n/2⌋ inputs or more), and DBSCAN finding no cluster (argmax of nothing). byzsim then clusters equal
 *   statistics together (the limit of a vanishing bandwidth) and, for DBSCAN without a
 *   cluster, lets the sign filter keep everyone (S₂ = all); an empty S gives 0 where the
 *   peers average an empty set (NaN). ℓ is at least 1 (the peers divide by ℓ = 0 for d < 10).
 * - An input with a non-finite coordinate has norm +Infinity: the norm filter drops it
 *   (the authors' code sets NaN coordinates to 0 first, which can keep such an input).
 * - Points are visited in the lexicographic order of their statistics (mean shift sums
 *   them in that order; DBSCAN grows clusters from them in that order), and equal-size
 *   clusters go to the one found first in it, so for the same block the output does not
 *   depend on the order the inputs arrived in. The peers use the input order.
 */
import type { AggregationContext, AggregationResult } from './types.ts';
import { commonDimension, medianOf as median, squaredNorms } from '../kernels/vector.ts';
import { kernels } from '../kernels/path.ts';
import { resolveOptions, resolveParams, SpecError } from '../spec.ts';
import { defineRule, honestMajority as requirement } from './define.ts';

const params = {
  lower: { description: 'norm filter: keep ‖xᵢ‖ > lower × the median norm', default: 0.1, min: 0 },
  upper: { description: 'norm filter: keep ‖xᵢ‖ < upper × the median norm', default: 3, min: 0 },
  fraction: { description: 'share φ of the coordinates whose signs are clustered (one random block of ⌊φ·d⌋)', default: 0.1, min: 0, exclusiveMin: true, max: 1 },
};

const optionSpecs = {
  clustering: {
    description: 'how the sign statistics are clustered: meanshift (the authors’ default) or dbscan (ε = 0.05, 3 points; FLPoison’s default)',
    default: 'meanshift',
    choices: ['meanshift', 'dbscan'],
  },
};

type Point = readonly [number, number, number];

const distance = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

function comparePoints(a: Point, b: Point): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** NumPy's rounding: halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Mean of each point's distance to its k-th nearest point, itself included (sklearn's estimate_bandwidth on all points). */
function estimateBandwidth(points: readonly Point[], quantile: number): number {
  const n = points.length;
  const k = Math.max(1, Math.floor(n * quantile));
  let total = 0;
  for (const p of points) {
    const ds = points.map((q) => distance(p, q)).sort((x, y) => x - y);
    total += ds[k - 1];
  }
  return total / n;
}

/**
 * sklearn's MeanShift(bandwidth=estimate_bandwidth(quantile=0.5), bin_seeding=True,
 * cluster_all=False) on 3-d points given in visiting order: labels 0, 1, … by decreasing
 * number of points within the bandwidth of the centre (then by decreasing centre), −1 for
 * points farther than the bandwidth from every centre.
 */
function meanShift(points: readonly Point[]): Int32Array {
  const n = points.length;
  const bandwidth = estimateBandwidth(points, 0.5);
  const byCentre = new Map<string, { centre: Point; count: number }>();
  const key = (p: Point) => p.join(',');
  if (bandwidth === 0) {
    for (const p of points) {
      const entry = byCentre.get(key(p));
      if (entry) entry.count++;
      else byCentre.set(key(p), { centre: p, count: 1 });
    }
  } else {
    const bins = new Map<string, Point>();
    for (const p of points) {
      const bin = p.map((x) => roundHalfEven(x / bandwidth)) as unknown as Point;
      bins.set(key(bin), bin);
    }
    const seeds = bins.size === n ? points : [...bins.values()].map((b) => b.map((x) => x * bandwidth) as unknown as Point);
    for (const seed of seeds) {
      let centre = seed;
      let count = 0;
      for (let iteration = 0; ; iteration++) {
        const within = points.filter((p) => distance(p, centre) <= bandwidth);
        count = within.length;
        if (count === 0) break;
        const old = centre;
        centre = [0, 1, 2].map((a) => within.reduce((s, p) => s + p[a], 0) / count) as unknown as Point;
        if (distance(centre, old) <= 1e-3 * bandwidth || iteration === 300) break;
      }
      if (count > 0) byCentre.set(key(centre), { centre, count });
    }
  }
  const sorted = [...byCentre.values()].sort((a, b) => b.count - a.count || -comparePoints(a.centre, b.centre));
  const kept: Point[] = [];
  const unique = sorted.map(() => true);
  sorted.forEach(({ centre }, i) => {
    if (!unique[i]) return;
    sorted.forEach((other, j) => {
      if (j !== i && distance(centre, other.centre) <= bandwidth) unique[j] = false;
    });
    kept.push(centre);
  });
  return Int32Array.from(points, (p) => {
    let best = 0;
    for (let c = 1; c < kept.length; c++) if (distance(p, kept[c]) < distance(p, kept[best])) best = c;
    return distance(p, kept[best]) <= bandwidth ? best : -1;
  });
}

/** sklearn's DBSCAN(eps, min_samples) on points given in visiting order: labels in order of discovery, −1 for noise. */
function dbscan(points: readonly Point[], eps: number, minSamples: number): Int32Array {
  const n = points.length;
  const neighbours = points.map((p) => points.flatMap((q, j) => (distance(p, q) <= eps ? [j] : [])));
  const core = neighbours.map((nb) => nb.length >= minSamples);
  const labels = new Int32Array(n).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) continue;
    const stack = [i];
    while (stack.length) {
      const p = stack.pop() as number;
      if (labels[p] !== -1) continue;
      labels[p] = next;
      if (core[p]) for (const q of neighbours[p]) if (labels[q] === -1) stack.push(q);
    }
    next++;
  }
  return labels;
}

/** The sign statistics of `vectors` on coordinates [start, start + length), each divided by its largest value (+1e-8). */
function signStatistics(vectors: readonly Float32Array[], start: number, length: number): Point[] {
  const raw = vectors.map((x) => {
    let pos = 0;
    let zero = 0;
    let neg = 0;
    // Branch-free counts (random signs would mispredict a branch half the time); NaN counts in none.
    for (let j = start; j < start + length; j++) {
      const v = x[j];
      pos += +(v > 0);
      neg += +(v < 0);
      zero += +(v === 0);
    }
    return [pos / length, zero / length, neg / length];
  });
  const top = [0, 1, 2].map((a) => Math.max(...raw.map((r) => r[a])) + 1e-8);
  return raw.map((r) => [r[0] / top[0], r[1] / top[1], r[2] / top[2]] as const);
}

/** Largest of the clusters labelled 0, 1, … (the first of equal ones); everyone when nothing is clustered. */
function largestCluster(labels: Int32Array): number[] {
  const sizes = new Array<number>(Math.max(-1, ...labels) + 1).fill(0);
  for (const l of labels) if (l >= 0) sizes[l]++;
  if (sizes.length === 0) return Array.from(labels, (_, i) => i);
  const best = sizes.indexOf(Math.max(...sizes));
  return Array.from(labels, (l, i) => (l === best ? i : -1)).filter((i) => i >= 0);
}


/** Coordinates in the block whose signs are clustered. */
const blockLength = (d: number, fraction: number) => Math.max(1, Math.floor(fraction * d));

export interface SignguardOptions {
  lower?: number;
  upper?: number;
  fraction?: number;
  clustering?: string;
  /** First coordinate of the block (drawn uniformly in [0, d − ℓ] by the rule); 0 when ℓ = d. */
  start: number;
}

/** SignGuard for a given block: the pure core of the rule, which draws `start` from the server's stream. */
export function signguardAggregate(vectors: readonly Float32Array[], f: number, options: SignguardOptions): AggregationResult {
  const given: Record<string, number> = {};
  for (const k of ['lower', 'upper', 'fraction'] as const) if (options[k] !== undefined) given[k] = options[k] as number;
  const { lower, upper, fraction } = resolveParams('signguard', params, given);
  const { clustering } = resolveOptions('signguard', optionSpecs, options.clustering === undefined ? {} : { clustering: options.clustering });
  const d = validated(vectors, f);
  const length = blockLength(d, fraction);
  const { start } = options;
  if (!Number.isInteger(start) || start < 0 || start > d - length) {
    throw new Error(`signguard: block start ${start} outside [0, ${d - length}] (block of ${length} of ${d} coordinates)`);
  }
  // squaredNorm's bits, finite iff the input is.
  const norms = Array.from(squaredNorms(vectors), (s) => (s < Infinity ? Math.sqrt(s) : Infinity));
  const medianNorm = median(norms);
  const byNorm = norms.map((v) => v > lower * medianNorm && v < upper * medianNorm);

  const stats = signStatistics(vectors, start, length);
  const visit = stats.map((_, i) => i).sort((i, j) => comparePoints(stats[i], stats[j]) || i - j);
  const visited = visit.map((i) => stats[i]);
  const labels = clustering === 'dbscan' ? dbscan(visited, 0.05, 3) : meanShift(visited);
  const bySign = new Set(largestCluster(labels).map((r) => visit[r]));

  const selected = vectors.map((_, i) => i).filter((i) => byNorm[i] && bySign.has(i));
  const aggregate = new Float32Array(d);
  // Σ xᵢ·min(1, M/‖xᵢ‖) in float64 in the order of `selected`, divided by |S|, rounded once.
  const scales = selected.map((i) => Math.min(1, medianNorm / norms[i]));
  if (selected.length) kernels().weightedSum(selected.map((i) => vectors[i]), scales, selected.length, aggregate);
  return {
    aggregate,
    diagnostics: {
      selected,
      medianNorm,
      start,
      normFiltered: byNorm.filter(Boolean).length,
      signCluster: [...bySign].sort((a, b) => a - b),
    },
  };
}

function validated(vectors: readonly Float32Array[], f: number): number {
  const d = commonDimension(vectors, 'signguard');
  if (!requirement.check(vectors.length, f)) throw new Error(`signguard requires ${requirement.text} (got n=${vectors.length}, f=${f})`);
  return d;
}

export const signguard = defineRule({
  name: 'signguard',
  summary: 'SignGuard: keep inputs of near-median norm in the largest cluster of sign statistics, clip them to the median norm, average.',
  reference: 'Xu, Huang, Song, Lan, Byzantine-robust Federated Learning through Collaborative Malicious Gradient Filtering, ICDCS 2022',
  params,
  options: optionSpecs,
  randomized: true,
  setup: (values) => {
    if (!(values.lower < values.upper)) {
      throw new SpecError(`signguard: lower (${values.lower}) must be below upper (${values.upper})`);
    }
    return values;
  },
  requirement,
  aggregate(vectors: readonly Float32Array[], ctx: AggregationContext, values): AggregationResult {
    const d = validated(vectors, ctx.f);
    const length = blockLength(d, values.fraction);
    let start = 0;
    if (length < d) {
      if (!ctx.rng) throw new Error('signguard is randomized: it needs ctx.rng (the server’s stream) to draw its block of coordinates');
      start = ctx.rng.int(d - length + 1);
    }
    return signguardAggregate(vectors, ctx.f, { ...values, start });
  },
});
