/**
 * `byzsim fuzz --rule <spec|module> --n N --f F [--dim D] [--runs R] [--seed S]`: checks a
 * rule against every invariant declared for it at fixed (n, f), searches for
 * its worst empirical κ, and prints how to replay any failure.
 *
 * <rule> is a built-in spec (`cwtm`, `krum(m=2)`, `nnm > cwtm`) or a module
 * path ending in .ts/.js/.mjs, resolved from the working directory, whose
 * default export is made with defineAggregator. Exit 0 when everything holds,
 * 1 on any violation, 2 on a user mistake (bad spec, missing module, f outside
 * the rule's requirement).
 */
import fc from 'fast-check';
import { SpecError } from '../spec.ts';
import { isModuleName } from '../spec.ts';
import { loadRuleModule } from '../scenario/modules.ts';
import { formatCase, type Case } from '../invariants/case.ts';
import { resolveDefinition, resolveSpec, type Resolved } from '../invariants/catalog.ts';
import { kappaAllowance, invariants, InvariantViolation, isInvariantName } from '../invariants/properties.ts';
import { kappaLowerBound, kappaLowerBoundCitation } from '../invariants/kappa.ts';
import { searchWorstKappa } from '../invariants/search.ts';
import { honestOf, magnitude, meanOf64, varianceOf } from '../invariants/case.ts';

export interface FuzzOptions {
  rule: string;
  n: number;
  f: number;
  dim?: number;
  runs?: number;
  seed?: number;
  /** Replay one invariant only (with `path`, one counterexample). */
  property?: string;
  /** fast-check path printed by a failing run. */
  path?: string;
  /** Where lines go; console.log by default. */
  print?: (line: string) => void;
}

class UserError extends Error {}

async function resolveRule(rule: string): Promise<Resolved> {
  try {
    return isModuleName(rule) ? resolveDefinition((await loadRuleModule(rule, process.cwd())).def, rule) : resolveSpec(rule);
  } catch (e) {
    if (e instanceof SpecError) throw new UserError(e.message);
    throw e;
  }
}

export async function fuzzCommand(opts: FuzzOptions): Promise<number> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const d = opts.dim ?? 16;
  const runs = opts.runs ?? 200;
  const seed = opts.seed ?? 1;
  const { n, f } = opts;
  let resolved: Resolved;
  try {
    for (const [flag, v, min] of [['--n', n, 1], ['--f', f, 0], ['--dim', d, 1], ['--runs', runs, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new UserError(`${flag} must be an integer ≥ ${min} (got ${v})`);
    }
    if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer (got ${seed})`);
    if (opts.property !== undefined && !isInvariantName(opts.property)) {
      throw new UserError(`unknown property '${opts.property}' (known: ${Object.keys(invariants).join(', ')})`);
    }
    resolved = await resolveRule(opts.rule);
    if (!resolved.rule.requirement.check(n, f)) {
      throw new UserError(`n=${n}, f=${f} is outside the requirement of ${resolved.rule.label}: ${resolved.rule.requirement.text}`);
    }
  } catch (e) {
    if (e instanceof UserError) {
      console.error(`byzsim fuzz: ${e.message}`);
      return 2;
    }
    throw e;
  }

  const { rule } = resolved;
  const shape = { n, f, d };
  print(`byzsim fuzz ${rule.label}  n=${n} f=${f} d=${d} runs=${runs} seed=${seed}`);
  if (!resolved.declared) print(`  note: no invariants are declared for ${rule.label}; checking only ${resolved.invariants.join(', ')}`);
  if (resolved.omitted) print(`  not applicable: ${resolved.omitted}`);
  let failed = false;

  const selected = opts.property ? resolved.invariants.filter((i) => i === opts.property) : resolved.invariants;
  if (opts.property && selected.length === 0) print(`  ${opts.property} is not declared for ${rule.label}`);
  for (const name of selected) {
    const details = fc.check(invariants[name].property(rule, shape), {
      numRuns: runs,
      seed,
      ...(opts.path !== undefined ? { path: opts.path, endOnFailure: true } : {}),
    });
    if (!details.failed) {
      print(`  ✓ ${name} (${details.numRuns} runs)`);
      continue;
    }
    failed = true;
    const error = details.errorInstance;
    print(`  ✗ ${name} after ${details.numRuns} runs, shrunk ${details.numShrinks} times`);
    print(`    replay: byzsim fuzz --rule '${opts.rule}' --n ${n} --f ${f} --dim ${d} --seed ${details.seed} --property ${name} --path '${details.counterexamplePath}'`);
    print(`    (fast-check: seed ${details.seed}, path "${details.counterexamplePath}")`);
    if (error instanceof InvariantViolation) print(indent(error.message));
    else {
      print(`    threw: ${error instanceof Error ? error.message : String(error)}`);
      const [c] = details.counterexample ?? [];
      if (c) print(formatCase(c as Case));
    }
  }

  if (!opts.property && f > 0 && n > 2 * f) {
    const search = searchWorstKappa(rule, { n, f, d, seed });
    const lower = kappaLowerBound(n, f);
    const published = rule.kappa && rule.kappa.condition.check(n, f) ? rule.kappa.value(n, f) : undefined;
    print(`  worst empirical κ (adversarial search, ${search.evaluations} evaluations): ${search.kappa.toPrecision(6)}`);
    print(
      published === undefined
        ? `  published κ: none for ${rule.label}`
        : `  published κ: ${published.toPrecision(6)} = ${rule.kappa!.formula} (${rule.kappa!.citation})`,
    );
    print(`  lower bound f/(n−2f): ${lower.toPrecision(6)} (${kappaLowerBoundCitation})`);
    if (published !== undefined) {
      const honest = honestOf(search.worst);
      const variance = varianceOf(honest, meanOf64(honest));
      const allowed = kappaAllowance(published, variance, d, magnitude(honest));
      if (!(search.kappa * variance <= allowed)) {
        failed = true;
        print(`  ✗ the search exceeded the published κ (replay: same flags, --seed ${seed}); input:`);
        print(formatCase(search.worst));
      }
    }
  }
  print(failed ? 'FAIL' : 'ok');
  return failed ? 1 : 0;
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => (l.startsWith('    ') ? l : `    ${l}`))
    .join('\n');
