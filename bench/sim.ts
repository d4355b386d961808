/**
 * `npm run bench:sim`: rounds per second of whole runs, and the share of wall
 * time spent in the simulator itself (kernel, actors, streams, network, trace)
 * against the computations it drives: gradients, evaluation, aggregation, the
 * attack and the optimizer step.
 *
 * Two measurements per scenario, in the same process:
 *   1. the full run, with every computation wrapped in a timer: the simulator's
 *      share is what remains of the simulation's wall time;
 *   2. a reference: a bare loop making the same calls (n − f honest gradients,
 *      the attack, the rule, the step, the evaluations) with no simulator at all.
 *      full / bare is the simulator's overhead measured directly.
 * Each is warmed up, then the best of three is kept (timings on shared machines
 * are noisy). Usage: npm run bench:sim [-- --quick]
 */
import { loadScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/schema.ts';
import { buildScenarioTask, runScenario } from '../src/run/run.ts';
import { selectBackend } from '../src/learning/backend.ts';
import { alwaysTs } from '../src/learning/build.ts';
import { momentumSgd } from '../src/learning/optimizer.ts';
import { createStreams } from '../src/sim/rng.ts';
import { createAggregator } from '../src/aggregators/index.ts';
import { createAttack } from '../src/attacks/index.ts';
import { attackContext } from '../src/attacks/context.ts';
import { outsideSimulation } from '../src/sim/guard.ts';

const quick = process.argv.includes('--quick');
// The guard forbids every clock inside a run; a benchmark's timer is an observer of it.
const now = (): number => outsideSimulation(() => performance.now());

type Category = 'gradient' | 'evaluate' | 'aggregate' | 'attack' | 'step';
type Timers = Record<Category, number>;

function timed<A extends unknown[], R>(t: Timers, c: Category, fn: (...a: A) => R): (...a: A) => R {
  return (...a) => {
    const s = now();
    const r = fn(...a);
    t[c] += now() - s;
    return r;
  };
}

async function full(scenario: Scenario, backend: string) {
  const t: Timers = { gradient: 0, evaluate: 0, aggregate: 0, attack: 0, step: 0 };
  let simStart = 0;
  await runScenario(scenario, {
    backend,
    instrument: {
      task: (task) => {
        simStart = now();
        return { ...task, gradient: timed(t, 'gradient', task.gradient), evaluate: timed(t, 'evaluate', task.evaluate) };
      },
      aggregator: (a) => ({ ...a, spec: a.spec, name: a.name, requirement: a.requirement, aggregate: timed(t, 'aggregate', a.aggregate.bind(a)) }),
      attack: (a) => ({ ...a, spec: a.spec, name: a.name, needs: a.needs, craft: timed(t, 'attack', a.craft.bind(a)) }),
      optimizer: (o) => ({ step: timed(t, 'step', o.step) }),
    },
  });
  return { wall: now() - simStart, t };
}

/** The same computations with no simulator: a plain loop over rounds. */
async function bare(scenario: Scenario, backend: string) {
  const streams = createStreams(scenario.seed);
  const task = await buildScenarioTask(scenario, backend, streams);
  const rule = createAggregator(scenario.aggregator);
  const attack = createAttack(scenario.attack);
  const { workers: n } = scenario;
  const f = scenario.byzantine.f;
  const start = now();
  let theta = task.init();
  const sgd = momentumSgd(task.dim, scenario.optimizer.lr, scenario.optimizer.momentum);
  task.evaluate(theta);
  for (let r = 1; r <= scenario.rounds; r++) {
    const honest = Array.from({ length: n - f }, (_, i) => task.gradient(theta, i, streams.get(`worker/${i}`)));
    const byz = attack.craft(attackContext({ observed: honest, theta, n, f, round: r, rng: streams.get('adversary') }));
    const { aggregate } = rule.aggregate([...honest, ...byz], { f, rng: streams.get('server') });
    const stepped = sgd.step(theta, aggregate, r);
    if ('theta' in stepped) theta = stepped.theta;
    if (r % scenario.eval.every === 0 || r === scenario.rounds) task.evaluate(theta);
  }
  const wall = now() - start;
  task.dispose();
  return wall;
}

async function bench(file: string, rounds: number) {
  const { scenario: loaded } = await loadScenario(file);
  const scenario = { ...loaded, rounds };
  const backend = alwaysTs(scenario.data.dataset) ? 'ts' : (await selectBackend('auto')).name;
  await full({ ...scenario, rounds: Math.min(10, rounds) }, backend);
  await bare({ ...scenario, rounds: Math.min(10, rounds) }, backend);
  let f = await full(scenario, backend);
  let b = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    b = Math.min(b, await bare(scenario, backend));
    if (rep > 0) {
      const again = await full(scenario, backend);
      if (again.wall < f.wall) f = again;
    }
  }
  const work = Object.values(f.t).reduce((a, x) => a + x, 0);
  const pct = (x: number) => `${((100 * x) / f.wall).toFixed(1)}%`;
  return {
    scenario: `${scenario.name} (${scenario.data.dataset}, n=${scenario.workers}, f=${scenario.byzantine.f}, ${scenario.aggregator}, ${backend})`,
    rounds,
    'rounds/s': (rounds / (f.wall / 1000)).toFixed(1),
    'wall ms': f.wall.toFixed(0),
    gradient: pct(f.t.gradient),
    evaluate: pct(f.t.evaluate),
    aggregate: pct(f.t.aggregate),
    'attack+step': pct(f.t.attack + f.t.step),
    simulator: pct(f.wall - work),
    'bare ms': b.toFixed(0),
    'full/bare': (f.wall / b).toFixed(3),
  };
}

const rows = [
  await bench('scenarios/quickstart.yaml', quick ? 30 : 200),
  await bench('scenarios/mnist-logreg.yaml', quick ? 30 : 200),
];
console.table(rows);
console.log('\n| scenario | rounds/s | gradient | evaluate | aggregate | attack+step | simulator | full / bare |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.scenario} | ${r['rounds/s']} | ${r.gradient} | ${r.evaluate} | ${r.aggregate} | ${r['attack+step']} | ${r.simulator} | ${r['full/bare']} |`);
}
