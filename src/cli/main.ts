/**
 * The byzsim command line. User mistakes (a bad scenario, a missing file, a
 * wrong flag) print a one-line-per-problem message and exit 2 without a stack
 * trace; anything else is a bug and prints its stack.
 *
 * Each command's module is imported when the command runs, so a command
 * loads only what it uses (`byzsim list` loads neither the simulator, nor
 * fast-check, nor vega, nor tfjs).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { VERSION } from '../version.ts';
import { UserError } from '../errors.ts';
import { KERNEL_REQUESTS, kernelPath, setKernelPath, type KernelRequest } from '../kernels/path.ts';
import { CheckerViolation } from '../sim/checkers/violation.ts';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function kernelRequest(value: string): KernelRequest {
  if (!(KERNEL_REQUESTS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${KERNEL_REQUESTS.join(', ')}`);
  }
  return value as KernelRequest;
}

function threadCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const THREADS_HELP = 'threads computing honest gradients, the main thread included; results are identical (default: the number of cores)';

const KERNELS_HELP = 'vector kernels: auto (SIMD when available), simd or scalar; results are identical (default: $BYZSIM_KERNELS or auto)';

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  // Commander's own errors (unknown option or command, a missing or invalid argument) are user
  // mistakes too: exit 2, as every other one, instead of commander's exit 1.
  const program = new Command()
    .name('byzsim')
    .description('Deterministic simulator for Byzantine-robust distributed learning')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description('run a scenario; writes trace.jsonl, metrics.json and report.html to its output dir')
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--seed <n>', 'override the scenario seed', integer)
    .option('--out <dir>', 'output directory (default: out/<scenario name>)')
    .option('--force', 'overwrite the outputs of an earlier run in the output directory')
    .option('--backend <name>', 'compute backend: auto, tfjs-node, wasm, cpu or ts')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .option('--threads <n>', THREADS_HELP, threadCount)
    .action(async (file: string, opts) => {
      code = await (await import('./run.ts')).runCommand(file, opts);
    });

  program
    .command('replay')
    .description('re-run a recorded trace and compare event by event (exit 0 identical, 1 diverged)')
    .argument('<trace>', 'trace.jsonl written by `byzsim run`')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .option('--threads <n>', THREADS_HELP, threadCount)
    .action(async (file: string, opts: { threads?: number }) => {
      code = await (await import('./replay.ts')).replayCommand(file, { threads: opts.threads });
    });

  program
    .command('validate')
    .description('check a scenario file and print its problems with file:line:column')
    .argument('<scenario>', 'scenario file (YAML)')
    .action(async (file: string) => {
      code = await (await import('./validate.ts')).validateCommand(file);
    });

  program
    .command('data')
    .description("print what each worker holds: its shard and its label histogram, as the scenario's run draws them")
    .argument('<scenario>', 'scenario file (YAML)')
    .option('--seed <n>', 'override the scenario seed', integer)
    .option('--json', 'print JSON instead of a table')
    .action(async (file: string, opts) => {
      code = await (await import('./data.ts')).dataCommand(file, opts);
    });

  program
    .command('aggregate')
    .description('apply one aggregation rule, or pre-aggregators alone, to vectors from a .json or .npy file (no simulator)')
    .requiredOption('--rule <spec|module>', 'rule spec, e.g. cwtm, krum(m=2), "nnm > cwtm", "nnm > ./my-rule.ts"; or stages alone: nnm, "nnm > bucketing(s=2)"')
    .requiredOption('--f <n>', 'number of Byzantine inputs to tolerate', integer)
    .requiredOption('--input <file>', 'vectors: .json (array of arrays) or .npy (float32/float64, shape [n, d])')
    .option('--output <file>', 'write the aggregate (stages alone: the n′ × d outputs) to .npy (float32), or the result to .json, instead of stdout')
    .option('--seed <n>', 'seed of the server stream for randomized rules (default 1)', integer)
    .option('--allow-in-expectation', 'accept a rule whose requirement holds only in expectation (after resample-wr)')
    .option('--reference <file>', 'the server’s trusted gradient g₀ (one vector, .json or .npy), for fltrust')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .action(async (opts) => {
      code = await (await import('./aggregate.ts')).aggregateCommand(opts);
    });

  program
    .command('attack')
    .description("craft one round's Byzantine vectors from honest gradients in a .json or .npy file (no simulator)")
    .requiredOption('--attack <spec>', 'attack spec, e.g. ipm(eps=0.1), alie, opt-ipm, minmax-pool')
    .requiredOption('--n <n>', 'number of workers, honest and Byzantine', integer)
    .requiredOption('--f <n>', 'number of Byzantine vectors to craft (also the f the rule tolerates)', integer)
    .requiredOption('--input <file>', 'the honest gradients seen: .json or .npy, shape [n − f, d] (fewer rows: partial knowledge)')
    .option('--rule <spec|module>', "the server's rule, for attacks that need the rule or its pool")
    .option('--own <file>', "the Byzantine workers' own gradients, shape [f, d], for attacks that need them")
    .option('--output <file>', 'write the vectors to .npy (float32, [f, d]) or .json instead of stdout')
    .option('--seed <n>', 'seed of the adversary streams (default 1)', integer)
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .action(async (opts) => {
      code = await (await import('./attack.ts')).attackCommand(opts);
    });

  program
    .command('fuzz')
    .description("check a rule against byzsim's robustness invariants (property-based, with shrinking)")
    .requiredOption('--rule <spec|module>', 'a built-in rule spec, or a module whose default export is defineAggregator({...})')
    .requiredOption('--n <n>', 'number of inputs', integer)
    .requiredOption('--f <n>', 'number of Byzantine inputs', integer)
    .option('--dim <d>', 'vector dimension (default 16)', integer)
    .option('--runs <r>', 'runs per property (default 200)', integer)
    .option('--seed <s>', 'fast-check seed (default 1)', integer)
    .option('--property <name>', 'check one invariant only (to replay a printed failure)')
    .option('--path <path>', 'fast-check path of a printed failure (with --property and --seed)')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .action(async (opts) => {
      code = await (await import('./fuzz.ts')).fuzzCommand(opts);
    });

  program
    .command('swarm')
    .description('swarm testing: run N scenarios drawn from a seed with the online checkers on, replaying each (exit 1 at the first failure)')
    .requiredOption('--seed <s>', 'seed of the draw: run i is drawn from (seed, i) alone', integer)
    .requiredOption('--runs <n>', 'scenarios to draw and run', integer)
    .option('--first <i>', 'index of the first run (default 0): --first i --runs 1 reproduces run i', integer)
    .option('--rounds <r>', 'most rounds per scenario (default 12)', integer)
    .option('--out <dir>', 'where a failing scenario is written (default: a new temporary directory)')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .action(async (opts) => {
      code = await (await import('./swarm.ts')).swarmCommand(opts);
    });

  program
    .command('sweep')
    .description('run a sweep file: a grid of scenarios × seeds, on this machine (--jobs) or a Redis queue (--queue); writes summary.csv and summary.json')
    .argument('<sweep>', 'sweep file (YAML)')
    .option('--jobs <n>', 'runs at a time on this machine (default: the number of cores)', threadCount)
    .option('--quick', "the sweep file's quick profile: fewer rounds, seeds and test samples")
    .option('--set <path=value>', 'override a scenario field in every run, after the quick profile (repeatable), e.g. --set rounds=2', (v: string, acc: string[] = []) => [...acc, v])
    .option('--dry-run', 'expand and check every run, list them with their ids, run nothing')
    .option('--out <dir>', 'sweep directory (default: output.dir, else out/sweeps/<name>)')
    .option('--backend <name>', 'compute backend: auto, tfjs-node, wasm, cpu or ts')
    .option('--queue <url>', 'enqueue the incomplete runs on redis://[user:password@]host:port[/db] (or rediss://) for `byzsim worker`s')
    .option('--watch', 'with --queue: follow the progress of every worker until the sweep is done')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .action(async (file: string, opts) => {
      code = await (await import('./sweep.ts')).sweepCommand(file, opts);
    });

  program
    .command('worker')
    .description('take sweep runs from a Redis queue and run them, as `byzsim run` would')
    .requiredOption('--queue <url>', 'redis://[user:password@]host:port[/db] or rediss://')
    .option('--concurrency <n>', 'runs at a time (default 1)', threadCount)
    .option('--out <dir>', 'a shared sweep directory to write runs into (default: results kept in Redis)')
    .option('--allow-modules', 'run scenarios that name user modules (code from the submitter)')
    .option('--kernels <path>', KERNELS_HELP, kernelRequest)
    .action(async (opts) => {
      code = await (await import('./worker.ts')).workerCommand(opts);
    });

  program
    .command('collect')
    .description("gather a queued sweep's results from Redis into a sweep directory and write its summary")
    .argument('<sweep>', 'the sweep file that was submitted')
    .requiredOption('--queue <url>', 'redis://[user:password@]host:port[/db] or rediss://')
    .option('--quick', 'the quick profile, as submitted')
    .option('--set <path=value>', 'the overrides, as submitted (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--out <dir>', 'sweep directory (default: output.dir, else out/sweeps/<name>)')
    .option('--backend <name>', 'compute backend, as submitted')
    .action(async (file: string, opts) => {
      code = await (await import('./worker.ts')).collectCommand(file, opts);
    });

  program
    .command('report')
    .description('write report.html for a run or a sweep directory (or each chart as SVG or PNG)')
    .argument('<dir>', 'a run directory (metrics.json, trace.jsonl) or a sweep directory (sweep.json)')
    .option('--format <format>', 'html (default), svg or png')
    .option('--out <dir>', 'where svg/png charts go (default: <dir>/figures)')
    .option('--round <r>', 'the round of the event timeline (default: the last)', integer)
    .action(async (dir: string, opts) => {
      code = await (await import('./report.ts')).reportCommand(dir, opts);
    });

  program
    .command('list')
    .description('list aggregation rules, attacks and scenario options')
    .action(async () => {
      code = (await import('./list.ts')).listCommand();
    });

  // --kernels takes effect before the command runs; without it, BYZSIM_KERNELS is read now, so a
  // bad value is refused before any work rather than at the first kernel call.
  program.hook('preAction', (_program, command) => {
    const requested = command.opts().kernels as KernelRequest | undefined;
    if (requested !== undefined) setKernelPath(requested);
    else kernelPath();
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version print and succeed; commander has already printed its error otherwise.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UserError) {
      console.error(e.placed ? e.message : `byzsim: ${e.message}`);
      return 2;
    }
    // An online checker failed (in `replay`, as in the run it replays): a bug, reported without a stack.
    if (e instanceof CheckerViolation) {
      console.error(`byzsim: ${e.message}`);
      return 1;
    }
    throw e;
  }
  return code;
}
