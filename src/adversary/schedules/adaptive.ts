/**
 * adaptive — the adversary picks each round which f workers to corrupt, by a
 * named policy over what it may see:
 *
 *   holders       the f workers holding the most training examples of class c
 *                 (the same set every round; what an adversary that knows the
 *                 data's split would pick to silence a class);
 *   largest-norm  the f workers whose honest gradients had the largest ℓ2 norm
 *                 in the previous round, among those it observed (workers it
 *                 did not observe rank last, by index);
 *   selected      the workers the server's rule selected in the previous round,
 *                 as its private instance of the rule computes it on what it
 *                 knows the server received: the honest gradients it observed
 *                 and its own workers' vectors, in worker order as the server
 *                 orders them (rules that report a selection: Krum, Bulyan,
 *                 MDA, …); at most f of them, the rest filled as by
 *                 largest-norm.
 *
 * In round 1, with nothing seen yet, largest-norm and selected take the
 * static set (the last f workers). Ties go to the lower index. The trace
 * records the set each round (`corrupt`); the server never learns it.
 *
 * Reference: the resampling paper's threat model (He, Karimireddy, Jaggi,
 * arXiv 2006.09365, 2020, §1, "Byzantine attack model": the Byzantine set
 * may change over time).
 */
import { norm } from '../../kernels/vector.ts';
import { defineSchedule, type ScheduleView } from './types.ts';

const POLICIES = ['holders', 'largest-norm', 'selected'] as const;

function byLargestNorm(view: ScheduleView, n: number, f: number): number[] {
  const score = new Float64Array(n).fill(-1);
  view.previous.from.forEach((w, k) => {
    const x = norm(view.previous.vectors[k] as Float32Array);
    score[w] = Number.isFinite(x) ? x : -1;
  });
  return Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => score[b] - score[a] || a - b)
    .slice(0, f);
}

export const adaptive = defineSchedule({
  name: 'adaptive',
  summary: 'Picks the f workers to corrupt each round by a policy: holders of class c, largest-norm honest gradients, or those the rule selected last round.',
  reference: 'He, Karimireddy, Jaggi, arXiv 2006.09365, 2020 (§1: a Byzantine set that changes over time)',
  params: { c: { description: 'the class whose holders `holders` corrupts', default: 0, min: 0, integer: true } },
  options: { policy: { description: `${POLICIES.join(' | ')}`, default: 'holders', choices: POLICIES } },
  needs: ({ policy }) => (policy === 'holders' ? {} : policy === 'largest-norm' ? { honest: true } : { honest: true, rule: true }),
  create: ({ c }, { n, f, holdings }, options = {}) => {
    const policy = options.policy ?? 'holders';
    const fixed = Array.from({ length: f }, (_, j) => n - f + j);
    const ascending = (set: number[]) => set.sort((a, b) => a - b);
    if (policy === 'holders') {
      const holders = ascending(
        Array.from({ length: n }, (_, i) => i)
          .sort((a, b) => (holdings[b]?.[c] ?? 0) - (holdings[a]?.[c] ?? 0) || a - b)
          .slice(0, f),
      );
      return () => holders.slice();
    }
    return (round, view) => {
      if (view.previous.vectors.length === 0) return fixed.slice();
      if (policy === 'largest-norm') return ascending(byLargestNorm(view, n, f));
      const picked = new Set<number>();
      if (view.rule) {
        const inputs = [...view.previous.from.map((w, k) => [w, view.previous.vectors[k]] as const), ...view.sent.from.map((w, k) => [w, view.sent.vectors[k]] as const)].sort(
          (a, b) => a[0] - b[0],
        );
        if (view.rule.requirement.check(inputs.length, view.tolerated)) {
          const { diagnostics } = view.rule.aggregate(inputs.map(([, v]) => v as Float32Array), { f: view.tolerated });
          for (const k of diagnostics.selected ?? []) if (picked.size < f) picked.add(inputs[k][0]);
        }
      }
      for (const w of byLargestNorm(view, n, f)) if (picked.size < f) picked.add(w);
      return ascending([...picked]);
    };
  },
});
