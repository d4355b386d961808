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
import { withMedianReference } from '../aggregators/reference.ts';
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
    // Converged: the step test at its default tol or tighter, with room to run (the default T = 8,
    // RFA's budget, mostly stops first).
    const defaultTol = aggregators.get('geomed')?.params.tol?.default ?? 0;
    const converged = euclidean && (s.params.T ?? 0) >= 1000 && (s.params.tol ?? defaultTol) <= defaultTol;
    const why = euclidean
      ? 'geomed-optimality: only for a converged solver, e.g. geomed(T=1000); the default T = 8 stops short'
      : 'geomed-optimality: states the ℓ2 condition; the ℓp median (p ≠ 2) satisfies the dual-norm one';
    return {
      invariants: converged ? [...ROBUST, 'geomed-optimality'] : ROBUST,
      approximate: true,
      ...(converged ? {} : { omitted: why }),
    };
  },
  rfa: () => ({
    invariants: ['permutation-invariance', 'identity', 'finite-output'],
    omitted:
      'translation- and scale-equivariance: T steps from the origin with an absolute ν (RFA-T1 is a normalized mean); ' +
      'geomed-optimality: a fixed T, not a converged median',
  }),
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
  multikrum: () => ({ invariants: ROBUST, omitted: 'selects-input: Multi-Krum averages its selection' }),
  monna: () => ({
    invariants: ['identity', 'translation-equivariance', 'scale-equivariance'],
    omitted:
      'permutation-invariance, finite-output, honest-range: without senders (as in these checks) the pivot is a position, ' +
      'so permuting the inputs moves it and a Byzantine or non-finite input there is trusted; permuting inputs and senders ' +
      'together leaves the output bit for bit (test/aggregators/rules-monna.test.ts)',
  }),
  caf: () => ({ invariants: ROBUST, omitted: 'honest-range: a Byzantine input near the honest ones keeps weight in the returned round' }),
  smea: () => ({ invariants: ROBUST, omitted: 'honest-range: the subset of smallest λ_max may hold Byzantine inputs past the honest extremes' }),
  dnc: () => ({
    invariants: ROBUST,
    omitted:
      'honest-range: the kept inputs may include Byzantine ones beyond the honest range; selects-input: it averages what it keeps ' +
      '(permutation-invariance holds for the same coordinate draws; the catalog drops it for randomized rules)',
  }),
  signguard: () => ({
    invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'],
    omitted: 'translation-equivariance: norms and signs are measured from the origin; honest-range: clipping to the median norm shrinks inputs toward 0',
  }),
  flame: (s) => {
    const why =
      'translation-equivariance: cosine distances and norms are measured from the origin; ' +
      'honest-range: clipping shrinks inputs toward 0 and the admitted cluster may hold Byzantine inputs';
    return (s.params.lambda ?? 0.001) === 0
      ? { invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'], omitted: why }
      : { invariants: ['permutation-invariance', 'scale-equivariance', 'finite-output'], omitted: `identity: adds N(0, (λ·S)²) noise; ${why}` };
  },
  clustering: () => ({
    invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'],
    omitted:
      'translation-equivariance: cosines are measured from the origin; honest-range: a Byzantine input aligned with the honest ones joins their cluster whatever its norm',
  }),
  clippedclustering: () => ({
    invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'],
    omitted:
      'stateful (fresh instance per check); translation-equivariance: cosines and norms are measured from the origin; ' +
      'honest-range: a Byzantine input aligned with the honest ones is averaged in, clipped to the median norm but possibly past the honest extremes',
  }),
  foolsgold: () => ({
    invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'],
    omitted:
      'stateful (fresh instance per check; without senders the history is by position); translation-equivariance: cosines of histories are measured from the origin; ' +
      'honest-range: an input unlike every other gets weight 1, Byzantine or not',
  }),
  fltrust: () => ({
    invariants: ['permutation-invariance', 'identity', 'scale-equivariance', 'finite-output'],
    omitted:
      'checked with the inputs’ coordinate-wise median standing in for the server’s trusted gradient; translation-equivariance: ' +
      'cosines are measured from the origin; honest-range: inputs are rescaled to the trusted gradient’s norm',
  }),
};

/** Rules that select inputs (by distances or subsets) rather than combine all of them. */
const SELECTING = ['krum', 'multikrum', 'bulyan', 'mda', 'monna', 'caf', 'smea', 'dnc'];

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
      make: () => withMedianReference(createAggregator(spec)),
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
