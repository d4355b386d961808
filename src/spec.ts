/**
 * Compact spec strings for rules and attacks, as written in scenario files and
 * on the command line: `name`, `name(k=v, k2=v2)` with numeric values, and
 * stages composed with `>` (`nnm > krum(m=2)`), parsed left to right.
 *
 * Parsing only checks syntax; `resolveParams` checks values against a declared
 * parameter map once, when a rule or attack is constructed.
 */

import { UserError } from './errors.ts';

/** A user-facing spec mistake; the message is meant to be shown as is. */
export class SpecError extends UserError {
  override name = 'SpecError';
}

export interface SpecStage {
  name: string;
  /** Numeric parameters, e.g. `m=2`. */
  params: Record<string, number>;
  /**
   * Word-valued options: a name, a nested spec or a bracketed list, kept as
   * written (`inner=krum(p=2)`, `pool=[krum, cwmed]`) for the rule to parse.
   */
  options: Record<string, string>;
}

/** A declared word-valued option (an inner rule, a pool of rules). */
export interface OptionSpec {
  description: string;
  default: string;
  /** When given, the value must be one of these names. */
  choices?: readonly string[];
}

/** The subset of a parameter declaration (ParamDeclaration in registry.ts) that validation needs. */
export interface NumericParam {
  /** The value when the parameter is not given; none for an `absent` parameter. */
  default?: number;
  /**
   * An optional parameter without a default, instead of `default`: what the
   * variant uses when it is not given, in words (`z_max(n, f)`, `n − f`). Not
   * given, it is left out of the resolved values, so the variant can tell
   * "absent" from every value a user may write.
   */
  absent?: string;
  min?: number;
  max?: number;
  integer?: boolean;
  /** `min` itself is excluded (a value must be > min). */
  exclusiveMin?: boolean;
}

const NAME = /[A-Za-z][A-Za-z0-9_-]*/y;
/**
 * A user's module where a name may stand: a path to a .ts, .mts, .js or .mjs
 * file (`./my-rule.ts`, `rules/trim.mjs`, `/abs/x.ts`), without spaces or the
 * spec's own punctuation. Names have no dot, so the two never overlap.
 */
const MODULE = /[^\s()[\],>=]*\.(?:ts|mts|js|mjs)(?![^\s()[\],>])/y;

/** Whether a stage name is a user's module path rather than a registered name. */
export function isModuleName(name: string): boolean {
  MODULE.lastIndex = 0;
  const m = MODULE.exec(name);
  return m !== null && m[0].length === name.length;
}
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

export function parseSpec(text: string): SpecStage[] {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SpecError(`spec '${text}': ${what} at column ${pos + 1}`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const match = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return null;
    pos += m[0].length;
    return m[0];
  };

  // A word value: a name with an optional balanced (…) part, or a balanced […] list.
  const balanced = (): string | null => {
    const start = pos;
    if (text[pos] !== '[' && match(MODULE) === null && match(NAME) === null) return null;
    if (text[pos] !== '(' && text[pos] !== '[') return text.slice(start, pos);
    const open: string[] = [];
    for (; pos < text.length; pos++) {
      const c = text[pos];
      if (c === '(' || c === '[') open.push(c === '(' ? ')' : ']');
      else if (c === ')' || c === ']') {
        if (open.pop() !== c) return fail('unbalanced brackets');
        if (open.length === 0) {
          pos++;
          return text.slice(start, pos);
        }
      }
    }
    return fail('unbalanced brackets');
  };

  if (text.trim() === '') throw new SpecError('empty spec: expected a name such as `mean` or `krum(m=2)`');
  const stages: SpecStage[] = [];
  for (;;) {
    skipSpace();
    const name = match(MODULE) ?? match(NAME) ?? fail(stages.length ? "expected a name after '>'" : 'expected a name');
    const params: Record<string, number> = Object.create(null);
    const options: Record<string, string> = Object.create(null);
    skipSpace();
    if (text[pos] === '(') {
      pos++;
      skipSpace();
      if (text[pos] !== ')') {
        for (;;) {
          skipSpace();
          const key = match(NAME) ?? fail(`expected a parameter name in ${name}(…)`);
          skipSpace();
          if (text[pos] !== '=') fail(`expected '=' after parameter '${key}'`);
          pos++;
          skipSpace();
          if (key in params || key in options) fail(`parameter '${key}' given twice`);
          const number = match(NUMBER);
          let raw: string;
          if (number !== null) {
            raw = number;
            params[key] = Number(raw);
          } else {
            raw = balanced() ?? fail(`expected a number, a name or a [list] for parameter '${key}'`);
            options[key] = raw;
          }
          skipSpace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ')') break;
          fail(`expected ',' or ')' after ${key}=${raw}`);
        }
      }
      pos++;
      skipSpace();
    }
    stages.push({ name, params: { ...params }, options: { ...options } });
    if (pos === text.length) return stages;
    if (text[pos] !== '>') fail(`unexpected '${text[pos]}'`);
    pos++;
  }
}

function describeRange(p: NumericParam): string {
  const kind = p.integer ? 'an integer' : 'a number';
  if (p.min !== undefined && p.max !== undefined) return `${kind} in ${p.exclusiveMin ? '(' : '['}${p.min}, ${p.max}]`;
  if (p.min !== undefined) return `${kind} ${p.exclusiveMin ? '>' : '≥'} ${p.min}`;
  if (p.max !== undefined) return `${kind} ≤ ${p.max}`;
  return `a finite number`;
}

/**
 * Checks `given` against the declared parameters of `owner` and fills in
 * defaults; an `absent` parameter not given is left out. Throws SpecError for
 * unknown names, non-integers and values out of range.
 */
export function resolveParams(
  owner: string,
  declared: Record<string, NumericParam>,
  given: Record<string, number> = {},
): Record<string, number> {
  const allowed = Object.keys(declared);
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(declared, key)) {
      const hint = allowed.length ? `allowed: ${allowed.join(', ')}` : `${owner} takes no parameters`;
      throw new SpecError(`unknown parameter '${key}' for ${owner} (${hint})`);
    }
  }
  const out: Record<string, number> = {};
  for (const key of allowed) {
    const p = declared[key];
    const value = Object.hasOwn(given, key) ? given[key] : p.default;
    if (value === undefined) {
      if (p.absent !== undefined) continue;
      throw new TypeError(`parameter '${key}' of ${owner} declares neither a default nor what its absence means`);
    }
    const ok =
      Number.isFinite(value) &&
      (!p.integer || Number.isInteger(value)) &&
      (p.min === undefined || (p.exclusiveMin ? value > p.min : value >= p.min)) &&
      (p.max === undefined || value <= p.max);
    if (!ok) throw new SpecError(`parameter '${key}' of ${owner} must be ${describeRange(p)} (got ${value})`);
    out[key] = value;
  }
  return out;
}

/**
 * Checks word-valued options against their declarations and fills in defaults.
 */
export function resolveOptions(
  owner: string,
  declared: Record<string, OptionSpec>,
  given: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(declared, key)) {
      const allowed = Object.keys(declared);
      const hint = allowed.length ? `allowed: ${allowed.join(', ')}` : `${owner} takes no word-valued parameters`;
      throw new SpecError(`unknown parameter '${key}' for ${owner} (${hint})`);
    }
  }
  for (const [key, o] of Object.entries(declared)) {
    const value = Object.hasOwn(given, key) ? given[key] : o.default;
    if (o.choices && !o.choices.includes(value)) {
      throw new SpecError(`parameter '${key}' of ${owner} must be one of ${o.choices.join(', ')} (got ${value})`);
    }
    out[key] = value;
  }
  return out;
}

/** Splits a bracketed list `[a, b(x=1), c]` at its top-level commas. */
export function splitList(text: string): string[] {
  const inner = text.trim().replace(/^\[/, '').replace(/\]$/, '');
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = inner.slice(start).trim();
  if (last !== '' || parts.length > 0) parts.push(last);
  return parts;
}

/** Canonical form, e.g. `krum(m=1)`; parameters in declaration order, then options. */
export function formatSpec(name: string, params: Record<string, number | string>, options: Record<string, string> = {}): string {
  const entries: [string, string | number][] = [...Object.entries(params), ...Object.entries(options)];
  return entries.length ? `${name}(${entries.map(([k, v]) => `${k}=${v}`).join(', ')})` : name;
}

export function unknownName(kind: string, name: string, available: readonly string[]): SpecError {
  return new SpecError(`unknown ${kind} '${name}' (available: ${available.join(', ')})`);
}
