/**
 * mimic2 — every Byzantine worker sends the mean of the larger of two groups of honest gradients.
 *
 *   (A, B) = 2-means of the observed honest gradients,   vⱼ = mean(A),   |A| ≥ |B|
 *
 * The resampling paper's mimic2: half the good workers hold the same data and
 * send g₁, the other half send g₂, and all Byzantine workers send g₁, so that
 * g₁ holds a majority and the geometric median of what the server receives
 * is g₁ (and so is the coordinate-wise median): the median rules follow one
 * group's data and ignore the other's. The paper builds the two groups into
 * the data; byzsim's adversary finds them in what it sees:
 *   - the two groups are a 2-means clustering (Lloyd's algorithm) of the
 *     observed gradients, started from the two farthest apart (the first such
 *     pair in observation order), each gradient to the nearer centre (the
 *     first on ties), until no assignment changes (at most 100 iterations);
 *   - it sends the mean of the larger group; on a tie, of the group holding
 *     the lowest worker id (the paper's "g₁").
 * In the paper's setting — two groups of identical gradients — this finds
 * them in one step and sends g₁ exactly. With one gradient seen, or all equal,
 * it sends that gradient. Only gradients actually seen are grouped: the
 * stand-ins of honest.ts would all join one group and only inflate it. With
 * nothing observed the attack sends zero vectors.
 *
 * Reference: He, Karimireddy, Jaggi, Byzantine-Robust Learning on
 * Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020 (§3.3,
 * "mimic2").
 */
import { copies, zeros } from './honest.ts';
import { meanOf, pairwiseSquaredDistances, squaredDistance } from '../kernels/vector.ts';
import { defineAttack } from './define.ts';

const MAX_ITERATIONS = 100;

/** The indices of the group mimic2 sends the mean of (see the header). */
export function mimic2Group(observed: readonly Float32Array[], from: readonly number[]): number[] {
  const k = observed.length;
  const all = observed.map((_, i) => i);
  if (k < 2) return all;
  const P = pairwiseSquaredDistances(observed);
  let a = 0;
  let b = 0;
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) if (P[i * k + j] > P[a * k + b]) [a, b] = [i, j];
  if (P[a * k + b] === 0) return all;
  let centres = [observed[a], observed[b]];
  let inA: boolean[] = [];
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    const next = observed.map((g) => squaredDistance(g, centres[0]) <= squaredDistance(g, centres[1]));
    if (next.every((x, i) => x === inA[i])) break;
    inA = next;
    const A = observed.filter((_, i) => inA[i]);
    const B = observed.filter((_, i) => !inA[i]);
    // Lloyd's algorithm can empty a cluster (rarely, after the first step): then there is one group.
    if (A.length === 0 || B.length === 0) return all;
    centres = [meanOf(A), meanOf(B)];
  }
  const A = all.filter((i) => inA[i]);
  const B = all.filter((i) => !inA[i]);
  if (A.length !== B.length) return A.length > B.length ? A : B;
  const lowest = (g: number[]) => Math.min(...g.map((i) => from[i]));
  return lowest(A) < lowest(B) ? A : B;
}

export const mimic2 = defineAttack({
  name: 'mimic2',
  summary: 'Every Byzantine worker sends the mean of the larger of two groups (2-means) of the observed honest gradients.',
  reference: 'He, Karimireddy, Jaggi, Byzantine-Robust Learning on Heterogeneous Datasets via Resampling, arXiv 2006.09365, 2020',
  params: {},
  needs: { honest: true },
  craft(ctx) {
    if (ctx.observed.length === 0) return zeros(ctx.f, ctx.theta.length);
    const group = mimic2Group(ctx.observed, ctx.observedFrom);
    return copies(meanOf(group.map((i) => ctx.observed[i])), ctx.f);
  },
});
