import { describe, expect, it } from 'vitest';
import { canonicalJson, createPlan } from '../../src/run/plan.ts';
import { smallScenario } from './fixtures.ts';

describe('run plans', () => {
  const plan = (overrides = {}, backend = 'ts', kernels: 'simd' | 'scalar' = 'simd') =>
    createPlan({ ...smallScenario(overrides) }, { backend, kernels });

  it('are plain data: a JSON round trip gives the same plan', () => {
    const p = plan();
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('have an id that depends on what the result depends on, and on nothing else', () => {
    const base = plan().id;
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(plan().id).toBe(base);
    // Not on the name, the output directory or the kernel path (bit-identical by construction).
    expect(plan({ name: 'other' }).id).toBe(base);
    expect(plan({ output: { dir: 'elsewhere' } }).id).toBe(base);
    expect(plan({}, 'ts', 'scalar').id).toBe(base);
    // On the seed, any field of the scenario, and the backend.
    expect(plan({ seed: 4 }).id).not.toBe(base);
    expect(plan({ aggregator: 'cwmed' }).id).not.toBe(base);
    expect(plan({ network: { drop: 0.1 } }).id).not.toBe(base);
    expect(plan({}, 'cpu').id).not.toBe(base);
  });

  it('do not carry the output settings', () => {
    expect(plan({ output: { dir: 'elsewhere' } }).scenario.output).toEqual({});
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
  });
});
