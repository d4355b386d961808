import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSpec, parseSpec, resolveParams, SpecError } from '../src/spec.ts';
import { createAggregator } from '../src/aggregators/index.ts';
import { createAttack, isNoAttack } from '../src/attacks/index.ts';
import { declareVariant, usage, type ParamMap } from '../src/registry.ts';

describe('parseSpec', () => {
  it('parses a bare name and a name with parameters', () => {
    expect(parseSpec('mean')).toEqual([{ name: 'mean', params: {}, options: {} }]);
    expect(parseSpec(' krum( m = 2 ) ')).toEqual([{ name: 'krum', params: { m: 2 }, options: {} }]);
    expect(parseSpec('geomed(T=8, nu=1e-6, tol=.5)')).toEqual([{ name: 'geomed', params: { T: 8, nu: 1e-6, tol: 0.5 }, options: {} }]);
    expect(parseSpec('alie(z=-1.5)')).toEqual([{ name: 'alie', params: { z: -1.5 }, options: {} }]);
    expect(parseSpec('mean()')).toEqual([{ name: 'mean', params: {}, options: {} }]);
  });

  it('parses > composition into stages, left to right', () => {
    expect(parseSpec('nnm > bucketing(s=2) > krum')).toEqual([
      { name: 'nnm', params: {}, options: {} },
      { name: 'bucketing', params: { s: 2 }, options: {} },
      { name: 'krum', params: {}, options: {} },
    ]);
  });

  it.each([
    ['', /empty spec/],
    ['   ', /empty spec/],
    ['krum(m=)', /expected a number, a name or a \[list\] for parameter 'm' at column 8/],
    ['krum(m 1)', /expected '=' after parameter 'm'/],
    ['krum(m=1,)', /expected a parameter name/],
    ['krum(m=1', /expected ',' or '\)'/],
    ['krum(m=1, m=2)', /parameter 'm' given twice/],
    ['krum(m=1) x', /unexpected 'x'/],
    ['krum >', /expected a name after '>'/],
    ['3krum', /expected a name at column 1/],
    ['krum(m=@)', /expected a number, a name or a \[list\]/],
  ])('rejects %j', (text, message) => {
    expect(() => parseSpec(text)).toThrow(SpecError);
    expect(() => parseSpec(text)).toThrow(message);
  });

  it('round-trips canonical specs', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    // `+ 0` turns −0 into 0: the canonical form prints both as `0`.
    const params = fc.dictionary(name, fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => x + 0), { maxKeys: 4 });
    fc.assert(
      fc.property(name, params, (n, p) => {
        const [stage] = parseSpec(formatSpec(n, p));
        expect(stage.name).toBe(n);
        expect(stage.params).toEqual(p);
      }),
    );
  });
});

describe('resolveParams', () => {
  const declared = { m: { default: 1, min: 1, max: 10, integer: true }, eps: { default: 0.1, min: 0 } };
  it('fills defaults and keeps given values', () => {
    expect(resolveParams('krum', declared, {})).toEqual({ m: 1, eps: 0.1 });
    expect(resolveParams('krum', declared, { eps: 2 })).toEqual({ m: 1, eps: 2 });
  });
  it('names the rule, the parameter and the allowed set', () => {
    expect(() => resolveParams('krum', declared, { x: 1 })).toThrow("unknown parameter 'x' for krum (allowed: m, eps)");
    expect(() => resolveParams('krum', declared, { m: 1.5 })).toThrow("parameter 'm' of krum must be an integer in [1, 10] (got 1.5)");
    expect(() => resolveParams('krum', declared, { m: 11 })).toThrow(/in \[1, 10\] \(got 11\)/);
    expect(() => resolveParams('krum', declared, { eps: -1 })).toThrow("parameter 'eps' of krum must be a number ≥ 0 (got -1)");
    expect(() => resolveParams('mean', {}, { a: 1 })).toThrow('mean takes no parameters');
  });
  it('does not treat prototype keys as declared', () => {
    expect(() => resolveParams('krum', declared, { constructor: 1 })).toThrow(/unknown parameter 'constructor'/);
  });
  it('leaves an `absent` parameter out when not given, and checks it like any other when given', () => {
    const optional = { z: { absent: 'z_max(n, f)' }, m: { absent: 'n − f', min: 1, integer: true } };
    expect(resolveParams('t', optional, {})).toEqual({});
    expect(resolveParams('t', optional, { z: 0 })).toEqual({ z: 0 });
    expect(() => resolveParams('t', optional, { m: 0 })).toThrow("parameter 'm' of t must be an integer ≥ 1 (got 0)");
    expect(() => resolveParams('t', { q: {} }, {})).toThrow(TypeError);
  });
});

describe('declareVariant', () => {
  const decl = (params: ParamMap, aliasSources?: Record<string, string>) =>
    declareVariant({ name: 't', aliases: ['tee'], summary: '', reference: '', params, ...(aliasSources ? { aliasSources } : {}) });
  it('prints an `absent` parameter only when given, and as what it stands for in usage', () => {
    const { bind, variant } = decl({ z: { description: '', absent: 'z_max(n, f)' } });
    expect(bind().spec).toBe('t');
    expect(bind({ z: 0 }).spec).toBe('t(z=0)');
    expect(usage(variant)).toBe('t(z=z_max(n, f))');
  });
  it('refuses a parameter with both or neither of a default and `absent`, and a source for a name that is no alias', () => {
    expect(() => decl({ z: { description: '' } })).toThrow("t: parameter 'z' must declare exactly one of a default and `absent`");
    expect(() => decl({ z: { description: '', default: 0, absent: 'z_max' } })).toThrow(/exactly one/);
    expect(decl({}, { tee: 'ByzFL' }).variant.aliasSources).toEqual({ tee: 'ByzFL' });
    expect(() => decl({}, { median: 'ByzFL' })).toThrow("t: aliasSources names 'median', which is not an alias");
  });
});

describe('createAggregator / createAttack', () => {
  it('builds rules with canonical specs', () => {
    expect(createAggregator('krum').spec).toBe('krum(m=1)');
    expect(createAggregator('mean').spec).toBe('mean');
    expect(createAggregator('geomed(T=3)').spec).toBe('geomed(T=3, nu=0.000001, tol=1e-8)');
    expect(createAttack('alie').spec).toBe('alie');
    expect(createAttack('alie(z=0)').spec).toBe('alie(z=0)');
  });
  it('lists the available rules for an unknown name', () => {
    expect(() => createAggregator('foo')).toThrow(SpecError);
    expect(() => createAggregator('foo')).toThrow(/^unknown aggregator 'foo' \(available: mean, cwmed, cwtm, krum, multikrum, geomed, .*\)$/);
    expect(() => createAggregator('toString')).toThrow(/unknown aggregator 'toString'/);
    expect(() => createAttack('bar')).toThrow(/^unknown attack 'bar' \(available: signflip, bitflip, .*, alie, .*, none\)$/);
  });
  it('builds compositions of pre-aggregators and a rule, and rejects malformed ones', () => {
    expect(createAggregator('nnm > krum').spec).toBe('nnm > krum(m=1)');
    expect(() => createAggregator('krum > nnm')).toThrow(SpecError);
  });
  it('rejects bad parameters through the rule’s declaration', () => {
    expect(() => createAggregator('krum(x=1)')).toThrow("unknown parameter 'x' for krum (allowed: m, p)");
    expect(() => createAggregator('krum(m=0)')).toThrow(SpecError);
    expect(() => createAttack('gaussian(sigma=-1)')).toThrow(/sigma' of gaussian must be a number ≥ 0/);
  });
  it('recognises none', () => {
    expect(isNoAttack('none')).toBe(true);
    expect(isNoAttack(' none ')).toBe(true);
    expect(isNoAttack('alie')).toBe(false);
  });
});

describe('word-valued options', () => {
  it('parses names, nested specs and bracketed lists as options', async () => {
    const { parseSpec, splitList } = await import('../src/spec.ts');
    const [stage] = parseSpec('mixtailor(pool=[krum(p=2), cwmed, geomed(T=4)], seed=3)');
    expect(stage.params).toEqual({ seed: 3 });
    expect(stage.options).toEqual({ pool: '[krum(p=2), cwmed, geomed(T=4)]' });
    expect(splitList(stage.options.pool)).toEqual(['krum(p=2)', 'cwmed', 'geomed(T=4)']);
    expect(parseSpec('bulyan(inner=krum(p=1)) > x')[0].options).toEqual({ inner: 'krum(p=1)' });
    expect(() => parseSpec('bulyan(inner=[krum, cwmed)')).toThrow(/unbalanced/);
  });

  it('rejects a word where a rule or attack expects a number', async () => {
    const { createAggregator } = await import('../src/aggregators/index.ts');
    const { createAttack } = await import('../src/attacks/index.ts');
    expect(() => createAggregator('krum(m=two)')).toThrow(/parameter 'm' of krum must be a number \(got two\)/);
    expect(() => createAttack('alie(z=big)')).toThrow(/parameter 'z' of alie must be a number/);
  });
});
