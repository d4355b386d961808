/**
 * Which invariants apply to which rule, declared per rule with the reason for
 * every omission, and the bridge from a spec or a user definition to a
 * RuleUnderTest. A rule missing here is *undeclared*: the suite reports it and
 * checks only what every deterministic, stateless rule must satisfy.
 *
 * Built-in rules may instead carry their own list as `invariants` on their
 * AggregatorDefinition (what defineAggregator sets); that list wins.
 */
import type { AggregatorDefinition } from '../aggregators/types.ts';
import { aggregators, createAggregator, preaggregators } from '../aggregators/index.ts';
import { formatSpec, parseSpec, type SpecStage } from '../spec.ts';
import { publishedKappa, type KappaEntry } from './kappa.ts';
import { isInvariantName, type InvariantName } from './names.ts';
import type { RuleUnderTest } from './properties.ts';

export interface Declaration {
  invariants: InvariantName[];
  /** Why an expected invariant does not apply, for the report. */
  omitted?: string;
  /** Iterative solver: relative 1e-4 tolerance in metamorphic checks. */
  approximate?: boolean;
}

const EQUIVARIANT: InvariantName[] = ['permutation-invariance', 'identity', 'translation-equivariance', 'scale-equivariance'];
const ROBUST: InvariantName[] = [...EQUIVARIANT, 'finite-output'];

const declarations: Record<string, (stage: SpecStage) => Declaration> = {
  mean: () => ({ invariants: EQUIVARIANT, omitted: 'finite-output: not robust, NaN and ±Infinity propagate by design' }),
  cwmed: () => ({ invariants: [...ROBUST, 'honest-range'] }),
  cwtm: () => ({ invariants: [...ROBUST, 'honest-range'] }),
  krum: (s) =>
    (s.params.m ?? 1) === 1
      ? { invariants: [...ROBUST, 'selects-input'] }
      : { invariants: ROBUST, omitted: 'selects-input: Multi-Krum (m > 1) averages its selection' },
  geomed: (s) => {
    // geomed-optimality is the ℓ2 subgradient condition; p ≠ 2 (ℓp median by IRLS) has another.
    const euclidean = (s.params.p ?? 2) === 2;
    const converged = euclidean && (s.params.T ?? 0) >= 1000 && s.params.tol === 0;
    const why = euclidean
      ? 'geomed-optimality: only for a converged solver, e.g. geomed(T=2000, tol=0)'
      : 'geomed-optimality: states the ℓ2 condition; the ℓp median (p ≠ 2) satisfies the dual-norm one';
    return {
      invariants: converged ? [...ROBUST, 'geomed-optimality'] : ROBUST,
      approximate: true,
      ...(converged ? {} : { omitted: why }),
    };
  },
  bulyan: (s) =>
    // An approximate inner rule (geomed) stops within its tolerance, which differs between frames:
    // enough to flip which input is nearest its output when two are nearly tied.
    parseSpec(s.options.inner ?? 'krum')[0].name === 'geomed'
      ? {
          invariants: ROBUST.filter((i) => i !== 'translation-equivariance' && i !== 'scale-equivariance'),
          omitted: 'translation- and scale-equivariance: the inner geomed solves within a tolerance, which can flip a near-tied selection',
        }
      : { invariants: ROBUST },
  mda: () => ({ invariants: ROBUST }),
  meamed: () => ({
    invariants: ROBUST,
    omitted: 'honest-range: the n − f values nearest the median may include Byzantine values past the honest extremes',
  }),
  phocas: () => ({ invariants: ROBUST, omitted: 'honest-range: as meamed, around the trimmed mean' }),
  nm: () => ({
    invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'],
    omitted: 'translation-equivariance: inputs are weighted by 1/‖xᵢ‖, distances from the origin',
  }),
  signmv: () => ({
    invariants: ['permutation-invariance', 'finite-output'],
    omitted: 'identity, translation- and scale-equivariance: the output is a vector of signs',
  }),
  cc: () => ({
    invariants: ['permutation-invariance', 'finite-output'],
    omitted:
      'stateful (fresh instance per check); a fixed clipping radius around the previous aggregate breaks identity, ' +
      'translation- and scale-equivariance',
  }),
};

/** Rules that select inputs (by distances or subsets) rather than combine all of them. */
const SELECTING = ['krum', 'bulyan', 'mda'];

/** What an undeclared deterministic, stateless rule is still held to. */
const UNDECLARED: InvariantName[] = ['permutation-invariance'];

/** The spec with every name an alias stands for replaced by the canonical name (`median` → `cwmed`), parameters as given. */
function canonicalNames(spec: string): string {
  const stages = parseSpec(spec);
  const last = stages.length - 1;
  return stages
    .map((s, i) => formatSpec((i === last ? aggregators : preaggregators).get(s.name)?.name ?? s.name, s.params, s.options))
    .join(' > ');
}

/** The declaration for a spec, including compositions; undefined when none is known. */
export function declarationFor(spec: string): Declaration | undefined {
  const stages = parseSpec(canonicalNames(spec));
  if (stages.length === 1) return declarations[stages[0].name]?.(stages[0]);
  if (stages.length !== 2) return undefined;
  const [pre, inner] = stages;
  const base = declarations[inner.name]?.(inner);
  if (!base) return undefined;
  if (pre.name === 'nnm') {
    const dropped: InvariantName[] = ['honest-range', 'selects-input', 'geomed-optimality'];
    // A selection after mixing compares float32 means of neighbours, rounded differently in a
    // translated frame: a near-tie can go the other way (seen for nnm > krum at FC_SEED=2 and 14).
    const selects = SELECTING.includes(inner.name);
    if (selects) dropped.push('translation-equivariance');
    return {
      invariants: base.invariants.filter((i) => !dropped.includes(i)),
      approximate: base.approximate,
      omitted:
        'honest-range, selects-input, geomed-optimality: NNM replaces each input by a mean of its neighbours' +
        (selects ? `; translation-equivariance: ${inner.name} selects among the mixed vectors, whose float32 rounding differs between frames and can flip a near-tie` : ''),
    };
  }
  if (pre.name === 'resample') {
    return {
      invariants: base.invariants.filter((i) => i !== 'permutation-invariance' && i !== 'finite-output' && i !== 'selects-input'),
      approximate: base.approximate,
      omitted:
        'permutation-invariance: the random groups are drawn by position; finite-output: one non-finite input ' +
        'spoils up to s groups, more than the inner rule tolerates; κ: published only in expectation',
    };
  }
  return undefined;
}

export interface Resolved {
  rule: RuleUnderTest;
  invariants: InvariantName[];
  /** False when neither the catalog nor the definition says which invariants apply. */
  declared: boolean;
  omitted?: string;
}

function withKappa(list: InvariantName[], kappa: KappaEntry | undefined): InvariantName[] {
  const rest = list.filter((i) => i !== 'kappa-robustness');
  return kappa ? [...rest, 'kappa-robustness'] : rest;
}

/** A randomized rule draws by position, so permuting its inputs changes its draws even from the same stream. */
function applicable(list: InvariantName[], randomized: boolean): InvariantName[] {
  return randomized ? list.filter((i) => i !== 'permutation-invariance') : list;
}

/** A built-in rule or composition by spec; throws SpecError for a bad spec. */
export function resolveSpec(spec: string): Resolved {
  const sample = createAggregator(spec);
  const kappa = publishedKappa(canonicalNames(spec));
  const declaration = declarationFor(spec);
  const stages = parseSpec(spec);
  // A registered definition may carry its own list (what defineAggregator sets); it wins over the catalog.
  const own = stages.length === 1 ? readInvariants(aggregators.get(stages[0].name)) : undefined;
  const list = own ?? declaration?.invariants ?? UNDECLARED;
  return {
    rule: {
      label: spec,
      make: () => createAggregator(spec),
      requirement: sample.requirement,
      randomized: sample.randomized,
      approximate: declaration?.approximate ?? false,
      ...(kappa ? { kappa } : {}),
    },
    invariants: applicable(withKappa(list, kappa), sample.randomized),
    declared: own !== undefined || declaration !== undefined,
    ...(declaration?.omitted ? { omitted: declaration.omitted } : {}),
  };
}

function readInvariants(def: AggregatorDefinition | undefined): InvariantName[] | undefined {
  const list = def?.invariants;
  if (!list) return undefined;
  const bad = list.filter((x) => typeof x !== 'string' || !isInvariantName(x));
  if (bad.length) throw new Error(`${def?.name}: unknown invariants ${bad.join(', ')}`);
  return list as InvariantName[];
}

/** A user rule made with defineAggregator (or any AggregatorDefinition), with its default parameters. */
export function resolveDefinition(def: AggregatorDefinition, label = def.name): Resolved {
  const sample = def.create({});
  const own = readInvariants(def);
  const kappa = (def as { kappa?: KappaEntry }).kappa;
  const list = own ?? UNDECLARED;
  return {
    rule: {
      label,
      make: () => def.create({}),
      requirement: sample.requirement,
      randomized: sample.randomized,
      approximate: (def as { approximate?: boolean }).approximate ?? false,
      ...(kappa ? { kappa } : {}),
    },
    // A user rule is held to κ only where it asks to be and gives κ.
    invariants: applicable(kappa ? list : list.filter((i) => i !== 'kappa-robustness'), sample.randomized),
    declared: own !== undefined,
  };
}
