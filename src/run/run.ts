/**
 * The runner: a plan in, a deterministic result out. It builds the learning
 * task, then composes the roles in a world — the server, n workers and, when
 * the scenario gives it an attack, the adversary, each spawned by the effects
 * module beside its machine — and simulates in virtual time. Only loading
 * data and the tfjs backend happen before the simulation, asynchronously;
 * the simulation itself is synchronous within each slice.
 *
 * The result (trace hash, history, final evaluation) is a pure function of
 * the plan; wall time is the caller's to measure.
 */
import type { Scenario } from '../scenario/schema.ts';
import type { TraceSink } from '../sim/trace.ts';
import type { Aggregator } from '../aggregators/types.ts';
import type { Attack } from '../attacks/types.ts';
import type { LearningTask, Evaluation } from '../learning/task.ts';
import { sgd, type Optimizer } from '../learning/optimizer.ts';
import { createLrSchedule } from '../learning/lr-schedules.ts';
import { withWorkerMomentum } from './worker-momentum.ts';
import { createAggregator, type Registries } from '../aggregators/index.ts';
import { withMedianReference } from '../aggregators/reference.ts';
import type { Rng } from '../sim/rng.ts';
import { createAttack, isNoAttack } from '../attacks/index.ts';
import { createLedger } from '../adversary/ledger.ts';
import { createSchedule } from '../adversary/schedules/index.ts';
import { knowledgeModels } from '../adversary/knowledge/index.ts';
import { schedulingStrategies } from '../adversary/scheduling/index.ts';
import { orderings } from '../sim/orderings/index.ts';
import { knowledgeSpec, resolveQuorum, scriptRanges } from '../scenario/resolve.ts';
import { spawnServer, type HistoryPoint, type RunCounts } from '../actors/server/effects.ts';
import { spawnWorker } from '../actors/worker/effects.ts';
import { spawnAdversary, type AdversaryRole } from '../actors/adversary/effects.ts';
import { SERVER } from '../sim/address.ts';
import { createPlan, type ModuleRecord, type RunPlan } from './plan.ts';
import { recordedModules } from '../scenario/modules.ts';
import { createWorld, type SliceOptions } from '../sim/world.ts';
import { kernelPath } from '../kernels/path.ts';
import { buildScenarioTask } from './task.ts';
import type { ThreadsFor } from '../learning/parallel/index.ts';
import { createMonitor, type CheckerSetup } from '../sim/checkers/index.ts';
import { createMetricsCollector, observeHonest, type PerRoundMetrics, type VnCondition } from './metrics.ts';
import { dpNoiseVariance, dpSetup, privacySpent, withDpNoise, type PrivacySpent } from './dp.ts';
import type { GradientFn } from './worker-momentum.ts';



export type { HistoryPoint, RunCounts } from '../actors/server/effects.ts';
export type { PerRoundMetrics, VnCondition } from './metrics.ts';
export type { PrivacySpent } from './dp.ts';
export { buildScenarioTask } from './task.ts';

export interface PlanRunOptions {
  sinks?: TraceSink[];
  /** Called after every round, with the evaluation when one was made (an observer: outside the simulation). */
  onRound?: (round: number, evaluation?: Evaluation) => void;
  /** Run in slices of this many events, yielding to the event loop between them; the trace is the same. */
  slice?: SliceOptions;
  /** Wrap the computations the simulator drives, e.g. to time them (bench:sim) or watch them (tests). */
  instrument?: Instrument;
  /**
   * Check the protocol's safety properties as the run goes (src/sim/checkers/; default true): a
   * violation stops the run with a CheckerViolation. Off only to measure the simulator without them.
   */
  checkers?: boolean;
  /** Record the per-round learning metrics (./metrics.ts; default true). Off only to measure what they cost. */
  metrics?: boolean;
  /**
   * Threads computing honest gradients, the main thread included (src/learning/parallel/; default 1).
   * Not part of the plan: it changes when gradients are computed, never a result or the trace.
   */
  threads?: number;
  /** Which models use the threads: 'tfjs' (default: those only tfjs computes, the CNNs) or 'all'. */
  threadsFor?: ThreadsFor;
}

export interface RunOptions extends PlanRunOptions {
  /** Resolved compute backend: `ts`, `cpu`, `wasm` or `tfjs-node`. */
  backend: string;
  /** The user modules the scenario names, as loadScenario found them. */
  modules?: ModuleRecord[];
}

export interface Instrument {
  task?: (task: LearningTask) => LearningTask;
  aggregator?: (aggregator: Aggregator) => Aggregator;
  attack?: (attack: Attack) => Attack;
  optimizer?: (optimizer: Optimizer) => Optimizer;
}

export interface RunResult {
  traceHash: string;
  events: number;
  history: HistoryPoint[];
  /** What went wrong, as the server counted it: skipped rounds, timeouts, refused steps, ignored gradients. */
  counts: RunCounts;
  final: Evaluation;
  rounds: number;
  virtualTime: number;
  dim: number;
  /** Honest gradients' mean norm and variance, the aggregate against their mean, selections, Byzantine sets; absent with `metrics: false`. */
  perRound?: PerRoundMetrics;
  /** Each worker's training-label counts (zeros for a worker holding nothing). */
  holdings: number[][];
  /** The VN ratios against the rule's bound k_F(n, f) (./metrics.ts); absent with `metrics: false`. */
  vnCondition?: VnCondition;
  /** The privacy the honest workers spent (./dp.ts), with a dp section. */
  privacy?: PrivacySpent;
}

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const plan = createPlan(scenario, { backend: options.backend, kernels: kernelPath(), modules: options.modules });
  return runPlan(plan, options);
}

export async function runPlan(plan: RunPlan, options: PlanRunOptions = {}): Promise<RunResult> {
  const s = plan.scenario;
  const n = s.workers;
  const f = s.byzantine.f;
  const instrument = options.instrument ?? {};
  const wrap = <T>(value: T, by?: (v: T) => T): T => (by ? by(value) : value);
  // A plan names its modules by content: load them again (and refuse one that changed).
  const registries = await recordedModules(plan.modules);
  const ordering = resolveOrdering(s);
  const ledger = createLedger(n, f);
  const dp = dpSetup(s);
  const rule = wrap(createAggregator(s.aggregator, registries), instrument.aggregator);
  let dim = 0;
  // An observer of the trace and of the gradients sent: it changes neither.
  const metrics =
    options.metrics === false
      ? undefined
      : createMetricsCollector(ledger, {
          noiseVariance: () => (dp ? dpNoiseVariance(dp, dim) : 0),
          vnBound: rule.vnBound?.(n, f),
          rule: s.aggregator,
          // Without noise or momentum the VN ratio is of the gradients sent; otherwise of the gradients as computed.
          computedChannel: dp !== undefined || s.optimizer.workerMomentum > 0,
        });
  // The checkers stand in front of the other sinks; a violation stops the run (the world rethrows it).
  const sinks = [
    ...(options.checkers === false ? (options.sinks ?? []) : [createMonitor(checkerSetup(s), { sinks: options.sinks }).sink]),
    ...(metrics ? [metrics.sink] : []),
  ];
  const world = createWorld(s.seed, { delay: s.network.delay, drop: s.network.drop, duplicate: s.network.duplicate, ordering }, sinks);
  if (metrics) world.network.sent$.subscribe((m) => metrics.sent(m));

  const built = await buildScenarioTask(s, plan.backend, world.streams, { threads: options.threads, threadsFor: options.threadsFor });
  try {
    const task = instrument.task ? instrument.task(built) : built;
    dim = task.dim;
    const { lr, momentum, weightDecay, schedule } = s.optimizer;
    const optimizer = wrap(sgd(task.dim, { lr, momentum, weightDecay, schedule: createLrSchedule(schedule) }), instrument.optimizer);
    // The task's gradient (clipped under DP), then DP noise, then worker momentum; metrics see it before noise.
    const computed: GradientFn = (theta, w, rng, labels, forAdversary) => task.gradient(theta, w, rng, labels, forAdversary);
    const noise = dp ? withDpNoise(computed, dp, world.streams, metrics && metrics.computed) : undefined;
    const honest = noise ? noise.gradient : metrics && s.optimizer.workerMomentum > 0 ? observeHonest(computed, metrics.computed) : computed;
    const gradient = withWorkerMomentum(honest, s.optimizer.workerMomentum);

    const server = spawnServer(world, {
      n,
      f,
      rounds: s.rounds,
      quorum: resolveQuorum(s),
      timeout: s.server.timeout,
      missing: s.server.missing,
      evalEvery: s.eval.every,
      perClass: s.eval.perClass,
      dim: task.dim,
      rule,
      optimizer,
      theta: task.init(),
      evaluate: (theta) => task.evaluate(theta),
      ...(task.trustedGradient ? { trusted: (theta: Float32Array) => task.trustedGradient!(theta) } : {}),
      onRound: options.onRound,
    });
    // The adversary exists only when there is an attack to run.
    const attack = !isNoAttack(s.attack) && f > 0 ? wrap(createAttack(s.attack), instrument.attack) : undefined;
    // Its workers compute for it when its attack needs their own gradients (handed over once it exists).
    let handOver: AdversaryRole['handOver'] | undefined;
    const forAdversary =
      attack && (attack.needs.own || attack.needs.labels)
        ? { labels: attack.needs.labels, handOver: (w: number, round: number, g: Float32Array) => handOver!(w, round, g) }
        : undefined;
    for (let i = 0; i < n; i++) {
      spawnWorker(world, i, {
        computeTime: s.worker.computeTime,
        ledger,
        gradient,
        ...(forAdversary ? { forAdversary } : {}),
      });
    }
    if (attack) {
      const adversary = spawnAdversary(world, {
        n,
        tolerated: f,
        ledger,
        attack,
        schedule: createSchedule(s.byzantine.schedule, {
          n,
          f,
          rng: world.streams.get('adversary'),
          script: scriptRanges(s.byzantine),
          holdings: task.holdings,
        }),
        knowledge: resolveKnowledge(s),
        staleness: s.adversary.staleness,
        ...ruleKnowledge(s, registries, world.streams.get('adversary/rule')),
        patience: s.server.timeout / 2,
        craftTime: s.adversary.craftTime,
        flood: s.adversary.flood,
      });
      handOver = adversary.handOver;
    }
    // Under an adversarial ordering the adversary plays the network, whether or not it controls workers.
    if (ordering.setDelayChooser) {
      const { def, params } = schedulingStrategies.resolveSpec(s.adversary.scheduling);
      world.network.setDelayChooser(def.create(params, { n, isByzantine: ledger.isByzantine, holdings: task.holdings }));
    }

    await world.run(() => {
      const noised = dp && { sigma: dp.sigma, clip: dp.clipping.norm, clipping: dp.clipping.scope };
      world.trace.record({ kind: 'run-start', data: { n, f, rounds: s.rounds, dim: task.dim, rule: rule.spec, attack: s.attack, ...(noised ? { dp: noised } : {}) } });
      server.evaluate(0);
      world.trace.record({ kind: 'start', to: SERVER });
      server.actor.send({ type: 'START' });
    }, options.slice);

    const snapshot = server.actor.getSnapshot();
    if (snapshot.status !== 'done') {
      throw new Error(`simulation stalled at virtual time ${world.kernel.now} in round ${snapshot.context.round}: no events left`);
    }
    const last = server.history[server.history.length - 1];
    const privacy = dp && noise ? privacySpent(dp, noise.released(), task.holdings.map((c) => c.reduce((a, b) => a + b, 0))) : undefined;
    world.trace.record({ kind: 'run-end', data: { rounds: s.rounds, accuracy: last.accuracy, loss: last.loss } });
    world.stop();
    return {
      traceHash: world.trace.hash(),
      events: world.trace.count,
      history: server.history.slice(),
      counts: structuredClone(server.counts),
      final: { accuracy: last.accuracy, loss: last.loss },
      rounds: s.rounds,
      virtualTime: world.kernel.now,
      dim: task.dim,
      holdings: task.holdings.map((c) => c.slice()),
      ...(metrics ? { perRound: metrics.result(), vnCondition: metrics.vnCondition() } : {}),
      ...(privacy ? { privacy } : {}),
    };
  } finally {
    built.dispose();
  }
}

function resolveOrdering(s: Scenario) {
  const { def, params } = orderings.resolveSpec(s.network.ordering);
  return def.create(params, { adversarialDelay: s.network.adversarialDelay });
}

/**
 * What the adversary knows of the server's rule (`adversary.knows`): a private
 * instance built from the server's spec, drawing from its own stream, and its
 * pool's members (MixTailor's; any other rule is a pool of one) — never the
 * server's instance or draws.
 */
function ruleKnowledge(s: Scenario, registries: Registries, rng: Rng): { rule?: Aggregator; pool?: readonly Aggregator[] } {
  if (s.adversary.knows === 'nothing') return {};
  // Nor the server's trusted gradient (fltrust's g₀): its private instance scores against a stand-in (../aggregators/reference.ts).
  const withStream = (given: Aggregator): Aggregator => {
    const rule = withMedianReference(given);
    return { ...rule, aggregate: (v, ctx) => rule.aggregate(v, { f: ctx.f, rng: ctx.rng ?? rng }) };
  };
  const own = createAggregator(s.aggregator, registries);
  const pool = (own.members ?? [own]).map(withStream);
  return s.adversary.knows === 'rule' ? { rule: withStream(own), pool } : { pool };
}

/** What the online checkers know of the run. */
function checkerSetup(s: Scenario): CheckerSetup {
  const { def, params } = knowledgeModels.resolveSpec(knowledgeSpec(s.adversary));
  return {
    n: s.workers,
    f: s.byzantine.f,
    quorum: resolveQuorum(s),
    timeout: s.server.timeout,
    knowledge: { name: def.name, params, observes: def.observes(params) },
  };
}

function resolveKnowledge(s: Scenario) {
  const { def, params } = knowledgeModels.resolveSpec(knowledgeSpec(s.adversary));
  return def.create(params);
}
