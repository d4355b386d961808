import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernel } from '../../src/sim/kernel.ts';
import { createNetwork, type Message, type NetworkConfig } from '../../src/sim/network.ts';
import { createRng } from '../../src/sim/rng.ts';
import { createTrace } from '../../src/sim/trace.ts';
import { orderings } from '../../src/sim/orderings/index.ts';

interface Config extends Omit<NetworkConfig, 'ordering'> {
  ordering: string;
  adversarialDelay: { min: number; max: number };
}

const base: Config = {
  delay: { kind: 'uniform', min: 0, max: 20 },
  drop: 0,
  duplicate: 0,
  ordering: 'fifo',
  adversarialDelay: { min: 1, max: 50 },
};

function harness({ ordering, adversarialDelay, ...config }: Config, seed = 1) {
  const kernel = createKernel();
  const trace = createTrace(() => kernel.now);
  const { def, params } = orderings.resolveSpec(ordering);
  const net = createNetwork(kernel, createRng(seed, 'network'), { ...config, ordering: def.create(params, { adversarialDelay }) }, trace);
  const delivered: (Message & { at: number })[] = [];
  net.delivered$.subscribe((m) => delivered.push({ ...m, at: kernel.now }));
  const send = (from: string, to: string, round: number) =>
    net.send({ kind: 'gradient', from, to, round, payload: new Float32Array([round]) });
  return { kernel, net, delivered, send, trace };
}

describe('network', () => {
  it('fifo keeps per-link send order under random delays', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 60 }), (seed, links) => {
        const h = harness(base, seed);
        links.forEach((l, i) => h.send(`worker/${l}`, 'server', i));
        h.kernel.run();
        for (let l = 0; l < 3; l++) {
          const rounds = h.delivered.filter((m) => m.from === `worker/${l}`).map((m) => m.round);
          expect(rounds).toEqual([...rounds].sort((a, b) => a - b));
        }
        expect(h.delivered).toHaveLength(links.length);
      }),
    );
  });

  it('random ordering can reorder a link', () => {
    const h = harness({ ...base, ordering: 'random' }, 5);
    for (let i = 0; i < 50; i++) h.send('worker/0', 'server', i);
    h.kernel.run();
    const rounds = h.delivered.map((m) => m.round);
    expect(rounds).not.toEqual([...rounds].sort((a, b) => a - b));
  });

  it('drop = 1 delivers nothing and traces every drop', () => {
    const h = harness({ ...base, drop: 1 });
    for (let i = 0; i < 10; i++) h.send('worker/0', 'server', i);
    h.kernel.run();
    expect(h.delivered).toHaveLength(0);
    expect(h.trace.count).toBe(20);
  });

  it('duplicate = 1 delivers every message twice with the same id', () => {
    const h = harness({ ...base, duplicate: 1 });
    for (let i = 0; i < 10; i++) h.send('worker/0', 'server', i);
    h.kernel.run();
    expect(h.delivered).toHaveLength(20);
    const ids = h.delivered.map((m) => m.id);
    for (let i = 0; i < 10; i++) expect(ids.filter((x) => x === i)).toHaveLength(2);
  });

  it('adversarial ordering uses the chooser, clamped to its bounds', () => {
    const h = harness({ ...base, ordering: 'adversarial', adversarialDelay: { min: 3, max: 40 } });
    h.net.setDelayChooser((m) => (m.from === 'worker/0' ? 1000 : 0));
    h.send('worker/0', 'server', 1);
    h.send('worker/1', 'server', 1);
    h.kernel.run();
    expect(h.delivered.map((m) => [m.from, m.at])).toEqual([
      ['worker/1', 3],
      ['worker/0', 40],
    ]);
  });

  it('only an adversarial ordering takes a delay chooser', () => {
    expect(() => harness(base).net.setDelayChooser(() => 0)).toThrow(/use ordering: adversarial/);
  });
});
