/**
 * Scenario errors are values with a place: the file, the line and column of the
 * offending YAML node, the dotted path of the field, and a sentence saying what is
 * wrong and what would be right. One ScenarioError carries every issue found, so a
 * user fixes a file in one pass rather than one error per run.
 */
import type { core } from 'zod';
import { UserError } from '../errors.ts';

export interface ScenarioIssue {
  file: string;
  /** 1-based; absent when the issue concerns the file as a whole. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Dotted field path, e.g. `network.delay.kind` or `byzantine.script[0].workers`; '' for the file. */
  path: string;
  message: string;
}

export class ScenarioError extends UserError {
  override readonly name = 'ScenarioError';
  override readonly placed = true;
  readonly issues: readonly ScenarioIssue[];

  constructor(issues: readonly ScenarioIssue[]) {
    super(formatIssues(issues));
    this.issues = issues;
  }

  /** One issue per line: `scenarios/x.yaml:12:3 aggregator: krum requires n ≥ 2f + 3 (n=5, f=2)`. */
  format(): string {
    return formatIssues(this.issues);
  }
}

export function formatIssue(issue: ScenarioIssue): string {
  let where = issue.file;
  if (issue.line !== undefined) {
    where += `:${issue.line}`;
    if (issue.column !== undefined) where += `:${issue.column}`;
  }
  return issue.path === '' ? `${where}: ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

function formatIssues(issues: readonly ScenarioIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

/** Longest stretch of a user's string (a value, a key) quoted in a message. */
const QUOTED = 60;

/** A string the user wrote, quoted, cut to QUOTED characters. */
export function quote(text: string): string {
  return text.length <= QUOTED ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, QUOTED)).slice(0, -1)}…" (${text.length} characters)`;
}

/**
 * `['byzantine', 'script', 0, 'workers']` → `byzantine.script[0].workers`. A key
 * that is not a plain word (an unknown key with a space, a dot or a control
 * character in it), or a very long one, is quoted: `network["de lay"]`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (String(segment).length > QUOTED || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) out += `[${quote(String(segment))}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** A number as YAML writes it: `.inf`, `-.inf` and `.nan` for the non-finite ones. */
function yamlNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  return String(value);
}

/** A value as the user wrote it, short enough to quote in a message. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return yamlNumber(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'a timestamp' : `the timestamp ${value.toISOString()}`;
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const type = yamlType(value);
    return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  }
  return String(value);
}

/**
 * The YAML word for a value's type, including the types YAML tags make
 * (`!!binary`, `!!timestamp`, `!!set`, `!!omap`), which are not mappings.
 */
function yamlType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'binary value (!!binary)';
  if (value instanceof Date) return 'timestamp (!!timestamp)';
  if (value instanceof Set) return 'set (!!set)';
  if (value instanceof Map) return 'ordered mapping (!!omap or !!pairs)';
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

function got(value: unknown): string {
  if (value === null || typeof value === 'object') return yamlType(value);
  return `${yamlType(value)} ${showValue(value)}`;
}

/** Zod checks every integer against the safe range ±(2^53 − 1), besides a field's own bounds. */
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Whether a zod issue is that implicit safe-integer bound. Beside another issue
 * on the same field (its own minimum, say) it says nothing more and is left out
 * (load.ts); alone, it is worded as the limit it is.
 */
export function isSafeIntegerBound(issue: core.$ZodIssue): boolean {
  return (
    (issue.code === 'too_small' && issue.origin === 'int' && issue.minimum === -SAFE) ||
    (issue.code === 'too_big' && issue.origin === 'int' && issue.maximum === SAFE)
  );
}

function bound(op: '<' | '≤' | '>' | '≥', limit: unknown, input: unknown, origin: string): string {
  if (origin === 'string') {
    return limit === 1 && op === '≥' ? 'must not be empty' : `length must be ${op} ${String(limit)}`;
  }
  if (origin === 'array') return `must have ${op} ${String(limit)} items`;
  const suffix = input === undefined ? '' : ` (got ${showValue(input)})`;
  return `must be ${op} ${String(limit)}${suffix}`;
}

/**
 * The message for one zod issue, in the loader's words. Zod's own message is kept
 * only where the schema wrote it (regexes, custom unions, refinements).
 */
export function describeZodIssue(issue: core.$ZodIssue): string {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (input === undefined) return `missing (expected ${expected})`;
      // YAML's .inf and .nan are numbers, just not finite ones.
      if (typeof input === 'number' && !Number.isFinite(input) && (issue.expected === 'number' || issue.expected === 'int')) {
        return `must be a finite number (got ${showValue(input)})`;
      }
      return `expected ${expected}, got ${got(input)}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : showValue(v)));
      const allowed = values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
      return input === undefined ? `missing (${allowed})` : `${allowed} (got ${showValue(input)})`;
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        // Zod reports the union's whole input; the discriminator's own value is what was wrong.
        // Zod 4 sets `options` on discriminator issues without declaring it in the issue type.
        const declared = (issue as { options?: unknown }).options;
        const options = Array.isArray(declared) ? declared.map(String) : [];
        const value =
          input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[issue.discriminator] : input;
        const allowed = `one of ${options.join(', ')}`;
        return value === undefined ? `missing (expected ${allowed})` : `must be ${allowed} (got ${showValue(value)})`;
      }
      return input === undefined ? `missing (${issue.message})` : `${issue.message} (got ${showValue(input)})`;
    }
    case 'too_small':
      if (isSafeIntegerBound(issue)) return `must be ≥ −(2^53 − 1), the integers a number holds exactly (got ${showValue(input)})`;
      return bound(issue.inclusive ? '≥' : '>', issue.minimum, input, issue.origin);
    case 'too_big':
      if (isSafeIntegerBound(issue)) return `must be ≤ 2^53 − 1 = ${SAFE}, the largest integer a number holds exactly (got ${showValue(input)})`;
      return bound(issue.inclusive ? '≤' : '<', issue.maximum, input, issue.origin);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)} (got ${showValue(input)})`;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map(quote).join(', ')}`;
    default:
      return input === undefined ? issue.message : `${issue.message} (got ${showValue(input)})`;
  }
}

/** `unknown key (did you mean "delay"? allowed: delay, drop, …)`. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return 'unknown key';
  const near = closest(key, allowed);
  const hint = near === undefined ? '' : `did you mean "${near}"? `;
  return `unknown key (${hint}allowed: ${allowed.join(', ')})`;
}

/** The nearest allowed key within edit distance 2 of `key`, if any. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    // Lengths further apart than the distance sought cannot be closer: skip the O(|a|·|b|) table.
    if (Math.abs(candidate.length - key.length) >= bestDistance) continue;
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
