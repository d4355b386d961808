import { describe, expect, it } from 'vitest';
import { aggregators, createAggregator, defineRule, honestMajority } from '../../src/aggregators/index.ts';
import { createPreAggregator, preaggregators } from '../../src/preaggregators/index.ts';
import { attacks, createAttack } from '../../src/attacks/index.ts';
import { defineAggregator } from '../../src/invariants/define.ts';
import { parseSpec, SpecError } from '../../src/spec.ts';

const xs = [Float32Array.of(1, 10), Float32Array.of(2, 20), Float32Array.of(3, 30), Float32Array.of(4, 40), Float32Array.of(100, -1000)];

describe('defineRule', () => {
  let setups = 0;
  const shift = defineRule({
    name: 'shift',
    aliases: ['offset'],
    summary: 'the first input plus a constant',
    reference: '—',
    params: {
      by: { description: 'added to every coordinate', default: 0, omitAt: 0 },
      k: { description: 'unused', default: 1, integer: true, min: 1 },
    },
    options: { mode: { description: 'how', default: 'add', choices: ['add', 'sub'] } },
    setup: ({ by, k, mode }) => {
      setups++;
      return { delta: mode === 'add' ? by : -by, k, mode };
    },
    requirement: ({ k }) => ({ text: `n ≥ ${k}`, check: (n) => n >= k }),
    aggregate: (vectors, _ctx, { delta }) => ({ aggregate: vectors[0].map((v) => v + delta), diagnostics: {} }),
  });

  it('resolves parameters once per instance and prints the canonical spec, omitting a parameter at its omitAt value', () => {
    setups = 0;
    const rule = shift.create({ by: 2, k: 3 }, { mode: 'sub' });
    expect(setups).toBe(1);
    expect(rule.spec).toBe('shift(by=2, k=3, mode=sub)');
    expect(rule.aggregate(xs, { f: 0 }).aggregate).toEqual(Float32Array.of(-1, 8));
    expect(setups).toBe(1);
    expect(shift.create().spec).toBe('shift(k=1, mode=add)');
    expect(rule.requirement.text).toBe('n ≥ 3');
    expect(shift.requirement({ k: 4 }).text).toBe('n ≥ 4');
    expect({ name: rule.name, stateful: rule.stateful, randomized: rule.randomized }).toEqual({ name: 'shift', stateful: false, randomized: false });
  });

  it('rejects what the declarations do not allow, with SpecError', () => {
    expect(() => shift.create({ q: 1 })).toThrow("unknown parameter 'q' for shift (allowed: by, k)");
    expect(() => shift.create({ k: 0.5 })).toThrow(SpecError);
    expect(() => shift.create({}, { mode: 'mul' })).toThrow("parameter 'mode' of shift must be one of add, sub (got mul)");
    expect(() => defineRule({ name: 'x', summary: '', reference: '', requirement: honestMajority, aggregate: () => ({ aggregate: new Float32Array(), diagnostics: {} }) }).create({}, { w: 'a' })).toThrow(
      "parameter 'w' of x must be a number (got a)",
    );
    expect(() => defineRule({ name: '2x', summary: '', reference: '', requirement: honestMajority, aggregate: () => ({ aggregate: new Float32Array(), diagnostics: {} }) })).toThrow(TypeError);
  });

  it('gives a stateful rule fresh state per instance through init', () => {
    const counter = defineRule({
      name: 'counter',
      summary: 'how many calls this instance has seen, in every coordinate',
      reference: '—',
      requirement: honestMajority,
      stateful: true,
      init: () => {
        let calls = 0;
        return {
          get calls() {
            return calls;
          },
          aggregate: (vectors: readonly Float32Array[]) => ({ aggregate: new Float32Array(vectors[0].length).fill(++calls), diagnostics: {} }),
        };
      },
    });
    const a = counter.create();
    const b = counter.create();
    a.aggregate(xs, { f: 0 });
    expect(a.aggregate(xs, { f: 0 }).aggregate).toEqual(Float32Array.of(2, 2));
    expect(b.aggregate(xs, { f: 0 }).aggregate).toEqual(Float32Array.of(1, 1));
    expect({ calls: a.calls, spec: a.spec, stateful: a.stateful }).toEqual({ calls: 2, spec: 'counter', stateful: true });
  });

  it('is what defineAggregator builds on: a user rule keeps its name as spec and its checks', () => {
    const user = defineAggregator({ name: 'first', aggregate: (vectors) => vectors[0].slice() });
    const rule = user.create();
    expect(rule.spec).toBe('first');
    expect(rule.requirement.text).toBe('n > 2f');
    expect(() => rule.aggregate(xs.slice(0, 2), { f: 1 })).toThrow('first requires n > 2f (got n=2, f=1)');
    expect(() => user.create({ m: 1 })).toThrow(SpecError);
  });
});

describe('registries', () => {
  const mine = defineAggregator({ name: 'mine', aggregate: (vectors) => vectors[vectors.length - 1].slice() });

  it('a derived registry adds a rule for one call without touching the shared one', () => {
    const registries = { aggregators: aggregators.with(mine) };
    expect(createAggregator('mine', registries).aggregate(xs, { f: 1 }).aggregate).toEqual(xs[4]);
    expect(createAggregator('nnm > mine', registries).spec).toBe('nnm > mine');
    expect(aggregators.has('mine')).toBe(false);
    expect(() => createAggregator('mine')).toThrow(/unknown aggregator 'mine'/);
  });

  it('accepts the peers’ names as aliases and records the canonical spec', () => {
    const cases: [string, string][] = [
      ['median', 'cwmed'],
      ['trmean', 'cwtm'],
      ['average', 'mean'],
      ['geometric-median(T=4)', 'geomed(T=4, nu=0.000001, tol=1e-8)'],
      ['centeredclipping(tau=1)', 'cc(tau=1, L=1, init=zero)'],
      ['clipping(tau=2) > trmean', 'clip(tau=2) > cwtm'],
      ['bulyan(inner=median)', 'bulyan(inner=cwmed)'],
    ];
    const seven = [...xs, Float32Array.of(5, 50), Float32Array.of(-3, 7)];
    for (const [alias, spec] of cases) {
      const rule = createAggregator(alias);
      expect(rule.spec, alias).toBe(spec);
      expect(rule.aggregate(seven, { f: 1 }), alias).toEqual(createAggregator(spec).aggregate(seven, { f: 1 }));
    }
    expect(createAttack('signflipping').spec).toBe('signflip(scale=1)');
    // ByzFL's MultiKrum (m = n − f) is a rule of its own, not an alias of krum (m = 1).
    expect(aggregators.get('multikrum')?.name).toBe('multikrum');
    expect(createAggregator('multikrum').spec).toBe('multikrum');
  });

  it('every registered variant’s canonical spec reads back as itself', () => {
    for (const name of aggregators.names()) {
      const spec = createAggregator(name).spec;
      expect(createAggregator(spec).spec, name).toBe(spec);
    }
    for (const name of preaggregators.names()) {
      const { spec } = createPreAggregator(parseSpec(name)[0]);
      expect(createPreAggregator(parseSpec(spec)[0]).spec, name).toBe(spec);
    }
    for (const name of attacks.names()) {
      const { spec } = createAttack(name);
      expect(createAttack(spec).spec, name).toBe(spec);
    }
  });

  it('names are unique across rules and pre-aggregators, aliases included, so a composition is never ambiguous', () => {
    const names = (list: { name: string; aliases?: readonly string[] }[]) => list.flatMap((d) => [d.name, ...(d.aliases ?? [])]);
    const all = [...names(aggregators.list()), ...names(preaggregators.list())];
    expect(new Set(all).size).toBe(all.length);
  });
});
