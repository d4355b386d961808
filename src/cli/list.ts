/** `byzsim list`: every variant byzsim knows, from the registries, and the scenario's other options. */
import { aggregators } from '../aggregators/index.ts';
import { preaggregators } from '../preaggregators/index.ts';
import { attacks, needsText } from '../attacks/index.ts';
import { schedules } from '../adversary/schedules/index.ts';
import { knowledgeModels } from '../adversary/knowledge/index.ts';
import { schedulingStrategies } from '../adversary/scheduling/index.ts';
import { orderings } from '../sim/orderings/index.ts';
import { datasets } from '../learning/datasets/index.ts';
import { partitions } from '../learning/partitions/index.ts';
import { models } from '../learning/models/index.ts';
import { lrSchedules } from '../learning/lr-schedules.ts';
import { resolveArgs, usage, type Variant } from '../registry.ts';
import { BACKENDS } from './backend.ts';
import { resolveSpec } from '../invariants/catalog.ts';

/** A registry as `byzsim list` shows it: a title, and per variant how to write it and what it needs ('' for nothing). */
export interface VariantSet {
  title: string;
  variants: readonly Variant[];
  needs(def: Variant): string;
  /** How to write a variant, when not as a spec with its defaults spelled out. */
  written?(def: Variant): string;
}

/** Every variant set, in the order `byzsim list` prints them. */
export function variantSets(): VariantSet[] {
  const set = <D extends Variant>(title: string, variants: readonly D[], needs: (def: D) => string, written?: (def: D) => string): VariantSet => ({
    title,
    variants,
    needs: needs as (def: Variant) => string,
    ...(written ? { written: written as (def: Variant) => string } : {}),
  });
  const none = () => '';
  return [
    set('aggregation rules (scenario key `aggregator`; compose as "nnm > krum(m=2)")', aggregators.list(), (d) => `requires ${d.requirement().text}; ${nonFiniteText(d.name)}`),
    set('pre-aggregators (stages before a rule, joined with ">")', preaggregators.list(), (d) =>
      [
        `${d.transform}; requires ${d.requirement().text}; passes non-finite inputs on to the rule`,
        ...(d.create({}).transform(10, 1).bound === 'expected' ? ['in a scenario only with server.allowInExpectation: true'] : []),
      ].join('; '),
    ),
    set('attacks (scenario key `attack`, or "none")', attacks.list(), needsText),
    set('Byzantine schedules (scenario key `byzantine.schedule`)', schedules.list(), (d) => (d.scripted ? 'reads byzantine.script' : '')),
    set('knowledge models (scenario key `adversary.knowledge`)', knowledgeModels.list(), (d) =>
      d.observes(resolveArgs(d).params) ? 'shows honest gradients' : 'shows no honest gradient',
    ),
    set('network orderings (scenario key `network.ordering`)', orderings.list(), (d) =>
      d.adversarial ? 'the adversary chooses delays within network.adversarialDelay' : 'delays drawn from network.delay',
    ),
    set('scheduling strategies (scenario key `adversary.scheduling`, under network.ordering: adversarial)', schedulingStrategies.list(), none),
    set(
      'datasets (scenario key `data.dataset`; parameters in the section data.<name>)',
      datasets.list(),
      (d) => `data.${d.name}: ${Object.entries(d.params).map(([k, p]) => `${k}=${p.default}`).join(', ')}`,
      (d) => d.name,
    ),
    set('partitions (scenario key `data.partition`)', partitions.list(), none),
    set('models (scenario key `model`)', models.list(), none),
    set('learning-rate schedules (scenario key `optimizer.schedule`)', lrSchedules.list(), none),
  ];
}

/** Whether the rule holds against non-finite inputs: what the invariant suite checks (its finite-output property). */
export function nonFiniteText(rule: string): string {
  return resolveSpec(rule).invariants.includes('finite-output')
    ? 'the output stays finite with up to f NaN or ±Infinity inputs'
    : 'NaN and ±Infinity inputs reach the output';
}

/** An alias as `byzsim list` and the README name it: `median — ByzFL's name` when it is a peer's. */
function aliasText(def: Variant, alias: string): string {
  const source = def.aliasSources?.[alias];
  return source ? `${alias} — ${source}'s name` : alias;
}

/** One variant: how to write it (defaults spelled out) and its aliases, then what it needs, its summary and its source. */
function entry(written: string, def: Variant, needs: string): string[] {
  const aliases = def.aliases?.length ? `   (also: ${def.aliases.map((a) => aliasText(def, a)).join(', ')})` : '';
  return [`  ${written}${aliases}`, `      ${needs ? `${needs}. ` : ''}${def.summary}`, `      ${def.reference}`];
}

export function listCommand(): number {
  const out: string[] = [];
  for (const { title, variants, needs, written = usage } of variantSets()) {
    if (out.length) out.push('');
    out.push(`${title}:`);
    for (const def of variants) out.push(...entry(written(def), def, needs(def)));
  }
  out.push(
    '',
    'options:',
    '  network.delay.kind    fixed | uniform | lognormal',
    '  server.quorum         <number> | n | n-f',
    '  server.missing        zero | drop',
    '  loss                  cross-entropy | mse',
    '  data.byzantine        none | shards | all',
    '  dp.clipping           example | batch',
    '  dp.workers            all | [<worker index>, …]',
    `  --backend             ${BACKENDS.join(' | ')}`,
    '  --kernels             auto | simd | scalar',
  );
  console.log(out.join('\n'));
  return 0;
}
