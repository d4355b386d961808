/**
 * Composition `pre₁ > pre₂ > … > rule` as one Aggregator.
 *
 * Each pre-aggregator maps (n, f) to (n′, f′) — n′ outputs, at most f′ of
 * them touched by a Byzantine input — and the next stage runs with f′ in its
 * context. The composite's requirement is therefore exact by construction:
 * `check(n, f)` pushes (n, f) through every stage, checking each stage's own
 * requirement on the counts it receives, and finally the rule's on the last
 * (n′, f′). `resample(s=2) > krum` needs 2·(2f) + 3 ≤ n, i.e. n ≥ 4f + 3.
 *
 * The requirement text is derived, not hand-written: the smallest accepted n
 * is computed for f = 0, …, 6 and, when it is affine in f (as for every
 * composition of the linear transforms here with the usual rules), stated as
 * `n ≥ af + b`, followed by where it comes from:
 * `n ≥ 4f + 3 (krum: n ≥ 2f + 3 on n′ = n, f′ = 2f)`. Otherwise (resampling
 * with replacement) only the second part is given. A stage whose f′ holds in
 * expectation only says so.
 *
 * Diagnostics of a composite:
 * - the rule's own diagnostics (`trimmed`, `iterations`, `scores`, …);
 * - `stages`: one entry per pre-aggregator, `{ stage, n, f, …its diagnostics }`
 *   with n, f the counts it produced; indices there are positions in that
 *   stage's input list;
 * - `selected`: when the rule selects, the inputs of the composite (sorted,
 *   each once) that the selected outputs were computed from — for `clip`
 *   and `arc` exactly the selected inputs, for `nnm > krum` the n − f
 *   neighbours averaged into Krum's choice, for `resample > krum` the s
 *   inputs it averaged. The run maps these to worker ids like any rule's;
 * - `selectedOutputs`: the rule's own selection, positions in the last
 *   stage's outputs.
 */
import type { AggregationDiagnostics, Aggregator, Requirement } from './types.ts';
import type { PreAggregationContext, PreAggregator } from '../preaggregators/types.ts';

interface Counts {
  n: number;
  f: number;
  expected: boolean;
}

/** Pushes (n, f) through the stages; null as soon as a stage's own requirement fails. */
export function pushCounts(stages: readonly PreAggregator[], n: number, f: number): Counts | null {
  let counts: Counts = { n, f, expected: false };
  for (const stage of stages) {
    if (!stage.requirement.check(counts.n, counts.f)) return null;
    const t = stage.transform(counts.n, counts.f);
    counts = { n: t.n, f: t.f, expected: counts.expected || t.bound === 'expected' };
  }
  return counts;
}

const N_MAX = 1 << 20;

/** Smallest n ≤ N_MAX accepted for this f, assuming acceptance is monotone in n (checked near the answer). */
export function minimalN(check: (n: number, f: number) => boolean, f: number): number | undefined {
  let hi = 1;
  while (hi <= N_MAX && !check(hi, f)) hi *= 2;
  if (hi > N_MAX) return undefined;
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (check(mid, f)) hi = mid;
    else lo = mid;
  }
  for (let n = hi; n < hi + 4; n++) if (!check(n, f)) return undefined;
  return hi;
}

function affine(a: number, b: number): string {
  const af = a === 0 ? '' : a === 1 ? 'f' : `${a}f`;
  if (!af) return `n ≥ ${b}`;
  if (b === 0) return `n ≥ ${af}`;
  return b > 0 ? `n ≥ ${af} + ${b}` : `n ≥ ${af} − ${-b}`;
}

/**
 * `n ≥ af + b` when the smallest n that `check` accepts is affine in f over
 * f = 1, …, 6 (with `, f ≥ 1` appended if f = 0 departs from it); undefined otherwise.
 */
export function minimalNText(check: (n: number, f: number) => boolean): string | undefined {
  const m: number[] = [];
  for (let f = 1; f <= 6; f++) {
    const v = minimalN(check, f);
    if (v === undefined) return undefined;
    m.push(v);
  }
  const a = m[1] - m[0];
  const b = m[0] - a;
  if (a < 0 || m.some((v, i) => v !== a * (i + 1) + b)) return undefined;
  return minimalN(check, 0) === b ? affine(a, b) : `${affine(a, b)} for f ≥ 1`;
}

function composedRequirement(stages: readonly PreAggregator[], rule: Aggregator): Requirement {
  const check = (n: number, f: number): boolean => {
    const counts = pushCounts(stages, n, f);
    return counts !== null && rule.requirement.check(counts.n, counts.f);
  };
  // Where the requirement comes from: each non-trivial requirement, on the counts that reach it.
  const parts: string[] = [];
  let expr = { n: 'n', f: 'f' };
  let expected = false;
  const on = (e: { n: string; f: string }) => (e.n === 'n' && e.f === 'f' ? '' : ` on n′ = ${e.n}, f′ = ${e.f}`);
  for (const stage of stages) {
    if (stage.requirement.text !== 'n ≥ 1') parts.push(`${stage.spec}: ${stage.requirement.text}${on(expr)}`);
    expr = stage.describe(expr.n, expr.f);
    expected ||= stage.transform(1, 1).bound === 'expected';
  }
  parts.push(`${rule.name}: ${rule.requirement.text}${on(expr)}`);
  const origin = parts.join('; ') + (expected ? ' (f′ in expectation)' : '');
  const closed = minimalNText(check);
  return {
    text: closed ? `${closed} (${origin})` : origin,
    check,
    ...(expected || rule.requirement.inExpectation ? { inExpectation: true } : {}),
  };
}

/** Sorted distinct union of the rows `rows` of `origin`. */
function union(origin: readonly number[][], rows: readonly number[]): number[] {
  const set = new Set<number>();
  for (const r of rows) for (const i of origin[r]) set.add(i);
  return [...set].sort((a, b) => a - b);
}

/** What a chain of pre-aggregators produced: the last stage's outputs and counts, and each stage's diagnostics. */
export interface StagesResult {
  vectors: readonly Float32Array[];
  /** f′ of the last stage: at most this many outputs touched by a Byzantine input. */
  f: number;
  /** `expected` when some stage's f′ holds only in expectation. */
  bound: 'worst-case' | 'expected';
  /** For each output, the inputs (sorted, each once) it was computed from. */
  origin: number[][];
  /** One entry per stage: `{ stage, n, f, …its diagnostics }`, n and f the counts it produced. */
  stages: Record<string, unknown>[];
}

/**
 * The stages in turn, each with the f′ of the one before (f for the first),
 * checking each stage's own requirement on the counts it receives; `spec`
 * names the whole in the error a failed requirement throws.
 */
export function applyStages(
  stages: readonly PreAggregator[],
  vectors: readonly Float32Array[],
  ctx: PreAggregationContext,
  spec: string,
): StagesResult {
  let xs: readonly Float32Array[] = vectors;
  let f = ctx.f;
  let expected = false;
  // origin[k]: the inputs that current vector k was computed from.
  let origin: number[][] = vectors.map((_, i) => [i]);
  const diagnostics: Record<string, unknown>[] = [];
  for (const stage of stages) {
    if (!stage.requirement.check(xs.length, f)) {
      throw new Error(`${spec}: ${stage.spec} requires ${stage.requirement.text} (got n=${xs.length}, f=${f})`);
    }
    const t = stage.transform(xs.length, f);
    const out = stage.apply(xs, { f, rng: ctx.rng });
    origin = out.sources.map((src) => union(origin, src));
    diagnostics.push({ stage: stage.spec, n: t.n, f: t.f, ...out.diagnostics });
    xs = out.vectors;
    f = t.f;
    expected ||= t.bound === 'expected';
  }
  return { vectors: xs, f, bound: expected ? 'expected' : 'worst-case', origin, stages: diagnostics };
}

export function composeAggregator(stages: readonly PreAggregator[], rule: Aggregator): Aggregator {
  const spec = [...stages.map((s) => s.spec), rule.spec].join(' > ');
  const requirement = composedRequirement(stages, rule);
  return {
    spec,
    name: [...stages.map((s) => s.name), rule.name].join(' > '),
    requirement,
    stateful: rule.stateful,
    randomized: rule.randomized || stages.some((s) => s.randomized),
    ...(rule.needsReference ? { needsReference: true } : {}),
    aggregate(vectors, ctx) {
      const { vectors: xs, f, origin, stages: stageDiagnostics } = applyStages(stages, vectors, ctx, spec);
      const result = rule.aggregate(xs, { f, rng: ctx.rng, ...(ctx.reference ? { reference: ctx.reference } : {}) });
      const { selected, ...rest } = result.diagnostics;
      const diagnostics: AggregationDiagnostics = { ...rest, stages: stageDiagnostics };
      if (selected) {
        diagnostics.selected = union(origin, selected);
        diagnostics.selectedOutputs = selected;
      }
      return { aggregate: result.aggregate, diagnostics };
    },
  };
}

/**
 * Why a rule whose requirement holds only in expectation is refused without
 * an opt-in, naming the risk; `optIn` says how to accept it where it is used.
 */
export function inExpectationRisk(spec: string, optIn = 'set server.allowInExpectation: true'): string {
  return (
    `${spec}: its requirement holds only in expectation. Resampling with replacement lets one Byzantine input reach ` +
    `any number of outputs, so a round can hand the rule more Byzantine-touched inputs than it tolerates and the ` +
    `aggregate can be hijacked (resample-wr > cwtm with 2 of 15 inputs at 1e38: |aggregate| ≈ 1e37 on 4 of 10 seeds); ` +
    `${optIn} to accept the risk, or use resample (without replacement, a worst-case bound)`
  );
}
