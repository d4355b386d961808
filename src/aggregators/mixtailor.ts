/**
 * mixtailor — a rule drawn at random from a pool, afresh at every aggregation.
 *
 *   mixtailor(x₁, …, xₙ) = AGG_m(x₁, …, xₙ),   m ~ (w₁, …, w_M) / Σ wₖ
 *
 * drawn with one `ctx.rng.next()` per call (uniform weights by default, as in
 * the paper). The adversary may know the pool but not the draw, which is what
 * defeats attacks tailored to one rule.
 * Requirement: every rule that can be drawn (weight > 0) must accept (n, f);
 * the text names the binding one.
 *
 * Reference: Ramezani-Kebrya, Madden, Faghri, Arjevani, MixTailor: Mixed
 * Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR 2022.
 *
 * `pool=paper` — the paper's pool of 64 (Section 5): four classes of 16, comed,
 * Krum, geometric median and Bulyan, "each with a randomly generated ℓp norm
 * from one to 16", Bulyan "using a different aggregator from Krum, average,
 * geometric median and comed". byzsim fixes the norms instead of drawing them:
 * the j-th rule of each class (j = 1, …, 16) uses p = j, so the pool is
 *
 *   krum(p=j)                                          j = 1, …, 16
 *   cwmed                                              ×16
 *   geomed(p=j)                                        j = 1, …, 16
 *   bulyan(p=j, inner=A_j),  A_j = krum(p=j), mean, geomed(p=j), cwmed
 *                                 for j ≡ 1, 2, 3, 0 (mod 4)
 *
 * In Bulyan, p is the norm of the selection phase (the input nearest the
 * inner rule's output), and the pool gives the same p to the inner rule when
 * it has one (Krum, geomed); Bulyan's coordinate-wise phase has no norm. comed has none either, so its 16 entries
 * are the same rule: they are kept, like the rest, so that each class is
 * drawn with probability 1/4 as in the paper. The pool is 49 distinct rules
 * (16 Krum, 1 comed, 16 geomed, 16 Bulyan); p = 2 entries print without p,
 * as the rules' canonical specs do.
 *
 * `pool=[krum, cwmed, geomed(T=4)]` — any specs `createAggregator` accepts,
 * compositions included (`[nnm > krum, cwmed]`); a repeated entry counts twice.
 * Stateful rules (cc) are refused: a state advanced only on the rounds it is
 * drawn means nothing.
 *
 * Diagnostics: `rule` = the drawn rule's spec, `draw` = its position in the
 * pool, then the drawn rule's own diagnostics (its own `rule`, e.g. Bulyan's
 * inner rule, renamed `innerRule`); `selected` keeps its meaning (inputs).
 */
import type { AggregationContext, AggregationResult, Aggregator, AggregatorDefinition, Requirement } from './types.ts';
import { SpecError, splitList } from '../spec.ts';
import { minimalN } from './compose.ts';
import { commonDimension } from '../kernels/vector.ts';
import { defineRule } from './define.ts';

const options = {
  pool: {
    description: 'rules drawn from: `paper` (the paper’s 64) or a list of specs, e.g. [krum, cwmed, nnm > krum]',
    default: 'paper',
  },
  weights: { description: '`uniform`, or one weight ≥ 0 per pool entry, e.g. [2, 1, 1]', default: 'uniform' },
};

/** The specs of the paper's pool, in class order (see the header). */
export function paperPool(): string[] {
  const inner = (j: number) => [`krum(p=${j})`, 'mean', `geomed(p=${j})`, 'cwmed'][(j - 1) % 4];
  const classes = [
    (j: number) => `krum(p=${j})`,
    () => 'cwmed',
    (j: number) => `geomed(p=${j})`,
    (j: number) => `bulyan(p=${j}, inner=${inner(j)})`,
  ];
  return classes.flatMap((make) => Array.from({ length: 16 }, (_, i) => make(i + 1)));
}

interface Pool {
  members: Aggregator[];
  weights: number[];
  /** Σ weights, what a draw is scaled by. */
  total: number;
  /** Canonical option values. */
  pool: string;
  weightsText: string;
}

function buildPool(build: (spec: string) => Aggregator, o: { pool: string; weights: string }): Pool {
  let specs: string[];
  if (o.pool === 'paper') specs = paperPool();
  else if (o.pool.trim().startsWith('[')) specs = splitList(o.pool);
  else throw new SpecError(`parameter 'pool' of mixtailor must be paper or a [list] of rules (got ${o.pool}; for one rule write [${o.pool}])`);
  if (specs.length === 0 || specs.some((s) => s === '')) throw new SpecError(`mixtailor: pool ${o.pool} has an empty entry`);
  const members = specs.map((spec) => {
    let rule: Aggregator;
    try {
      rule = build(spec);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      const where = o.pool === 'paper' ? 'the paper pool needs' : 'pool entry';
      throw new SpecError(`mixtailor: ${where} '${spec}': ${why}`);
    }
    if (rule.stateful) throw new SpecError(`mixtailor: '${rule.spec}' is stateful and cannot be drawn at random`);
    return rule;
  });
  let weights: number[];
  if (o.weights === 'uniform') weights = members.map(() => 1);
  else {
    const raw = o.weights.trim().startsWith('[') ? splitList(o.weights) : [];
    weights = raw.map(Number);
    const valid = weights.length === members.length && weights.every((w) => Number.isFinite(w) && w >= 0);
    if (!valid || !weights.some((w) => w > 0)) {
      throw new SpecError(
        `parameter 'weights' of mixtailor must be uniform or a list of ${members.length} numbers ≥ 0, not all 0 (got ${o.weights})`,
      );
    }
  }
  return {
    members,
    weights,
    total: weights.reduce((a, b) => a + b, 0),
    pool: o.pool === 'paper' ? 'paper' : `[${members.map((m) => m.spec).join(', ')}]`,
    weightsText: o.weights === 'uniform' ? 'uniform' : `[${weights.join(', ')}]`,
  };
}

function requirementFor({ members, weights }: Pool): Requirement {
  const drawable = members.filter((_, k) => weights[k] > 0);
  // The binding rule: the largest smallest-n over f = 1, …, 6 (first on ties).
  let binding = drawable[0];
  let worst = -1;
  const seen = new Set<string>();
  for (const m of drawable) {
    if (seen.has(m.spec)) continue;
    seen.add(m.spec);
    let total = 0;
    for (let f = 1; f <= 6; f++) total += minimalN(m.requirement.check, f) ?? Infinity;
    if (total > worst) {
      worst = total;
      binding = m;
    }
  }
  const all = seen.size === 1 ? '' : `, the binding rule; all ${seen.size} distinct rules of the pool must accept (n, f)`;
  return {
    text: `${binding.requirement.text} for ${binding.spec}${all}`,
    check: (n, f) => drawable.every((m) => m.requirement.check(n, f)),
    ...(drawable.some((m) => m.requirement.inExpectation) ? { inExpectation: true } : {}),
  };
}

/**
 * The MixTailor definition over a rule factory. The registry passes its own
 * `createAggregator`, so pool entries are built at create time from whatever
 * rules are registered then, without an import cycle.
 */
export function defineMixtailor(build: (spec: string) => Aggregator): AggregatorDefinition {
  return defineRule({
    name: 'mixtailor',
    summary: 'MixTailor: apply a rule drawn at random from a pool (the paper’s 64 by default), afresh each aggregation.',
    reference: 'Ramezani-Kebrya et al., MixTailor: Mixed Gradient Aggregation for Robust Learning Against Tailored Attacks, TMLR 2022',
    options,
    randomized: true,
    // Invariants every draw satisfies whatever the pool (read by src/invariants/catalog.ts);
    // equivariances are left out because the pool may hold approximate solvers (geomed).
    invariants: ['identity', 'finite-output'],
    setup: (o) => {
      const pool = buildPool(build, o);
      return { ...pool, requirement: requirementFor(pool) };
    },
    canonical: (pool) => ({ pool: pool.pool, weights: pool.weightsText }),
    requirement: (pool) => pool.requirement,
    // `init` (once per instance, no state kept): the instance exposes its pool's members, which an
    // adversary that knows the pool (adversary.knows: pool) is given — never the draw.
    init: ({ members, weights, total, requirement }) => ({
      members,
      // A pool holding fltrust needs the server's trusted gradient whenever it is drawn (ctx.reference is passed on).
      ...(members.some((m) => m.needsReference) ? { needsReference: true } : {}),
      aggregate(vectors: readonly Float32Array[], ctx: AggregationContext): AggregationResult {
        commonDimension(vectors, 'mixtailor');
        if (!ctx.rng) throw new Error('mixtailor is randomized: it needs ctx.rng (the server’s stream)');
        if (!requirement.check(vectors.length, ctx.f)) {
          throw new Error(`mixtailor requires ${requirement.text} (got n=${vectors.length}, f=${ctx.f})`);
        }
        const u = ctx.rng.next() * total;
        let k = 0;
        for (let acc = 0; k < members.length; k++) {
          acc += weights[k];
          if (weights[k] > 0 && u < acc) break;
        }
        // u < total always, but rounding in the running sum could leave k one past the end.
        while (k === members.length || weights[k] === 0) k--;
        const member = members[k];
        const { aggregate, diagnostics } = member.aggregate(vectors, ctx);
        const { rule: innerRule, ...rest } = diagnostics;
        return {
          aggregate,
          diagnostics: { rule: member.spec, draw: k, ...rest, ...(innerRule === undefined ? {} : { innerRule }) },
        };
      },
    }),
  });
}
