/**
 * One registry mechanism for every variant byzsim knows by name: aggregation
 * rules, pre-aggregators, attacks, Byzantine schedules, knowledge models,
 * network orderings, datasets, partitions and models.
 *
 * A variant is data: a name (and aliases users will type), a summary, a
 * reference, declared numeric parameters (default, range) and word-valued
 * options (default, choices), what it requires, and a `create` function whose
 * extra arguments are its kind's own (a schedule gets n, f and a stream; a
 * rule gets nothing more). A registry looks variants up by name or alias,
 * turns one spec stage (`dirichlet(alpha=0.1)`, `partial(k=3)`) into resolved
 * parameters, and derives new registries (`with`) for a user's modules or a
 * test's extra variant, without mutating the shared one.
 *
 * `byzsim list` prints from `list()`; test/cli/list.test.ts checks the README's
 * rule, stage and attack tables against the registries.
 */
import {
  formatSpec,
  parseSpec,
  resolveOptions,
  resolveParams,
  SpecError,
  unknownName,
  type NumericParam,
  type OptionSpec,
  type SpecStage,
} from './spec.ts';

export interface ParamDeclaration extends NumericParam {
  description: string;
  /**
   * The canonical spec leaves the parameter out at this value: its value
   * before the parameter existed, so that specs and traces recorded then
   * still read the same (krum and geomed omit p = 2).
   */
  omitAt?: number;
  /** `min` itself is excluded (a value must be > min). */
  exclusiveMin?: boolean;
}

export interface Variant {
  /** The name written in scenarios, on the command line and in the trace. */
  readonly name: string;
  /** Other names users will type (the peers' names), resolved to this one. */
  readonly aliases?: readonly string[];
  /** Whose name an alias is, for an alias that is a peer library's name (`{ median: 'ByzFL' }`): `byzsim list` and the README say so. */
  readonly aliasSources?: Readonly<Record<string, string>>;
  readonly summary: string;
  /** Authors, title, venue, year — or '—' for a baseline with no source. */
  readonly reference: string;
  readonly params: Readonly<Record<string, ParamDeclaration>>;
  readonly options?: Readonly<Record<string, OptionSpec>>;
}

/** A spec stage resolved against its variant: every parameter and option with its value. */
export interface Resolved<D extends Variant> {
  def: D;
  params: Record<string, number>;
  options: Record<string, string>;
}

export interface Registry<D extends Variant> {
  /** What the variants are, in messages: `aggregator`, `attack`, `partition`, … */
  readonly kind: string;
  /** By name or alias. */
  get(name: string): D | undefined;
  has(name: string): boolean;
  /** Canonical names, in registration order. */
  names(): string[];
  list(): D[];
  /** A new registry with these variants added (a name already present is replaced). */
  with(...defs: D[]): Registry<D>;
  /** Looks up a stage's variant and resolves its parameters; SpecError for any mistake. */
  resolve(stage: SpecStage): Resolved<D>;
  /** `resolve` of a spec string that must be a single stage. */
  resolveSpec(spec: string): Resolved<D>;
}

export function createRegistry<D extends Variant>(kind: string, defs: readonly D[]): Registry<D> {
  const byName = new Map<string, D>();
  const canonical: D[] = [];
  for (const def of defs) {
    const at = canonical.findIndex((d) => d.name === def.name);
    if (at >= 0) canonical[at] = def;
    else canonical.push(def);
  }
  for (const def of canonical) {
    byName.set(def.name, def);
    for (const alias of def.aliases ?? []) if (!byName.has(alias)) byName.set(alias, def);
  }
  const registry: Registry<D> = {
    kind,
    get: (name) => byName.get(name),
    has: (name) => byName.has(name),
    names: () => canonical.map((d) => d.name),
    list: () => canonical.slice(),
    with: (...extra) => createRegistry(kind, [...canonical, ...extra]),
    resolve(stage) {
      const def = byName.get(stage.name);
      if (!def) throw unknownName(kind, stage.name, registry.names());
      return { def, ...resolveArgs(def, stage.params, stage.options) };
    },
    resolveSpec(spec) {
      const stages = parseSpec(spec);
      if (stages.length > 1) throw new SpecError(`'${spec}': a ${kind} is a single name, not a composition with '>'`);
      return registry.resolve(stages[0]);
    },
  };
  return registry;
}

/** Given parameters and options checked against a variant's declarations, defaults filled in; SpecError for any mistake. */
export function resolveArgs(
  def: Variant,
  params: Record<string, number> = {},
  options: Record<string, string> = {},
): Omit<Resolved<Variant>, 'def'> {
  const words = Object.keys(options);
  if (!def.options && words.length > 0) {
    throw new SpecError(`parameter '${words[0]}' of ${def.name} must be a number (got ${options[words[0]]})`);
  }
  return {
    params: resolveParams(def.name, def.params, params),
    options: def.options ? resolveOptions(def.name, def.options, options) : {},
  };
}

export type ParamMap = Readonly<Record<string, ParamDeclaration>>;
export type OptionMap = Readonly<Record<string, OptionSpec>>;

/**
 * A variant's resolved parameters and options in one object, parameters first: `{ m: 1, p: 2 }`,
 * `{ p: 2, inner: 'krum' }`; an `absent` parameter not given is undefined.
 */
export type Values<P extends ParamMap, O extends OptionMap> = { [K in keyof P]: P[K] extends { default: number } ? number : number | undefined } & {
  [K in keyof O]: string;
};

/** What every kind's define helper takes besides its own parts (a requirement, a computation). */
export interface VariantDeclaration<P extends ParamMap, O extends OptionMap, C> {
  name: string;
  aliases?: readonly string[];
  aliasSources?: Readonly<Record<string, string>>;
  summary: string;
  reference: string;
  params?: P;
  options?: O;
  /**
   * What the instance is built from, computed once per instance from the
   * resolved values (an inner rule, a pool of rules); the values themselves
   * when omitted.
   */
  setup?: (values: Values<P, O>) => C;
  /**
   * The values the canonical spec prints, in order, when they are not the
   * resolved values (an inner rule by its own canonical spec); parameters
   * at their `omitAt` value are left out either way.
   */
  canonical?: (setup: C) => Record<string, number | string>;
}

/** An instance's setup and canonical spec. */
export interface Bound<C> {
  setup: C;
  spec: string;
}

/**
 * The shared half of every define helper: the declaration's variant data,
 * and `bind`, which resolves given parameters and options once (SpecError for
 * any mistake), runs `setup` and formats the canonical spec.
 */
export function declareVariant<P extends ParamMap, O extends OptionMap, C>(
  decl: VariantDeclaration<P, O, C>,
): { variant: Variant; bind(params?: Record<string, number>, options?: Record<string, string>): Bound<C> } {
  for (const name of [decl.name, ...(decl.aliases ?? [])]) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) throw new TypeError(`invalid name '${name}': a letter, then letters, digits, _ or -`);
  }
  for (const alias of Object.keys(decl.aliasSources ?? {})) {
    if (!decl.aliases?.includes(alias)) throw new TypeError(`${decl.name}: aliasSources names '${alias}', which is not an alias`);
  }
  const params: ParamMap = decl.params ?? {};
  for (const [key, p] of Object.entries(params)) {
    if ((p.default === undefined) === (p.absent === undefined)) {
      throw new TypeError(`${decl.name}: parameter '${key}' must declare exactly one of a default and \`absent\``);
    }
  }
  const variant: Variant = {
    name: decl.name,
    ...(decl.aliases ? { aliases: decl.aliases } : {}),
    ...(decl.aliasSources ? { aliasSources: decl.aliasSources } : {}),
    summary: decl.summary,
    reference: decl.reference,
    params,
    ...(decl.options ? { options: decl.options } : {}),
  };
  return {
    variant,
    bind(given, givenOptions) {
      const resolved = resolveArgs(variant, given, givenOptions);
      const values = { ...resolved.params, ...resolved.options } as Values<P, O>;
      const setup = decl.setup ? decl.setup(values) : (values as unknown as C);
      const printed = decl.canonical ? decl.canonical(setup) : values;
      const shown = Object.entries(printed).filter(([k, v]) => !(Object.hasOwn(params, k) && params[k].omitAt === v));
      return { setup, spec: formatSpec(decl.name, Object.fromEntries(shown)) };
    },
  };
}

/** `name(p=default, …)` as a user would write it with every default spelled out; an `absent` parameter as what its absence means (`alie(z=z_max(n, f))`). */
export function usage(def: Variant): string {
  const entries = [
    ...Object.entries(def.params).map(([k, v]) => `${k}=${v.default ?? v.absent}`),
    ...Object.entries(def.options ?? {}).map(([k, v]) => `${k}=${v.default}`),
  ];
  return entries.length === 0 ? def.name : `${def.name}(${entries.join(', ')})`;
}
