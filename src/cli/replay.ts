/**
 * `byzsim replay <trace.jsonl>`: re-run the plan in the trace's header and
 * compare event by event — every event, or those the trace's detail kept —
 * then the event count and trace hash of its trailer. Exit 0 when identical;
 * at the first difference stop, exit 1 and print the event index, the
 * expected line and the actual line, and what differs between the recording
 * and this replay (byzsim version, kernel path, machine) when something does.
 * A trace without a trailer was cut short (a killed run): replay checks the
 * events it has and says where it ends, exit 3.
 */
import { keeps, platformOf, readTraceFile, TraceFileError, type TraceHeader } from '../run/trace-file.ts';
import { availableParallelism } from 'node:os';
import { runPlan } from '../run/run.ts';
import { createPlan } from '../run/plan.ts';
import { ScenarioSchema, type Scenario } from '../scenario/schema.ts';
import { checkScenario } from '../scenario/load.ts';
import { describeZodIssue, formatPath } from '../scenario/errors.ts';
import { isTfjsBackend, selectBackend, type BackendName } from '../learning/backend.ts';
import { recordedModules } from '../scenario/modules.ts';
import { kernelPath } from '../kernels/path.ts';
import { VERSION } from '../version.ts';

/** Thrown by the comparing sink once every recorded event of a cut-short trace has been matched. */
class EndOfRecording extends Error {}

class Divergence extends Error {
  constructor(
    readonly index: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`trace diverges at event ${index}`);
  }
}

/**
 * The scenario and backend of a trace's header, checked as `validate` checks
 * a scenario file (a header may be hand-edited or come from another
 * version): TraceFileError naming the file and the field otherwise.
 */
async function checkedHeader(file: string, header: TraceHeader): Promise<Scenario> {
  const fail = (problems: string[]): never => {
    const shown = problems.slice(0, 10);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    throw new TraceFileError(`${file}:1: the trace header's scenario is not valid: ${shown.join('; ')}`);
  };
  const field = (path: readonly PropertyKey[]) => (path.length === 0 ? 'scenario' : `scenario.${formatPath(path)}`);
  const parsed = ScenarioSchema.safeParse(header.scenario, { reportInput: true });
  if (!parsed.success) fail(parsed.error.issues.map((i) => `${field(i.path)}: ${describeZodIssue(i)}`));
  const scenario = parsed.data!;
  if (!Array.isArray(header.modules ?? [])) throw new TraceFileError(`${file}:1: the trace header's modules must be a list`);
  if (header.backend !== 'ts' && !isTfjsBackend(header.backend)) {
    throw new TraceFileError(`${file}:1: the trace header's backend must be one of ts, cpu, wasm, tfjs-node (got ${JSON.stringify(header.backend)})`);
  }
  const registries = await recordedModules(header.modules ?? []);
  // Replay writes nothing: the name names no directory here.
  const findings = checkScenario({ ...scenario, output: { dir: file, trace: 'off' } }, registries);
  if (findings.length > 0) fail(findings.map((f) => `${field(f.path)}: ${f.message}`));
  return scenario;
}

/** `threads`: threads computing honest gradients, the main thread included (default: the number of cores); the replay is the same. */
export async function replayCommand(file: string, options: { threads?: number } = {}): Promise<number> {
  const { header, lines, detail, trailer } = readTraceFile(file);
  const scenario = await checkedHeader(file, header);
  if (header.backend !== 'ts') await selectBackend(header.backend as BackendName);
  const plan = createPlan(scenario, { backend: header.backend, kernels: kernelPath(), modules: header.modules ?? [] });
  let index = 0;
  let result;
  try {
    result = await runPlan(plan, {
      slice: { maxEvents: 20_000 },
      threads: options.threads ?? availableParallelism(),
      sinks: [
        (line, event) => {
          if (!keeps(detail, event.kind)) return;
          if (index === lines.length && !trailer) throw new EndOfRecording();
          const expected = lines[index];
          if (expected !== line) throw new Divergence(index, expected ?? '<end of recorded trace>', line);
          index++;
        },
      ],
    });
  } catch (e) {
    if (e instanceof EndOfRecording) {
      console.log(`replay: ${file} was cut short after ${lines.length} ${detail === 'full' ? '' : `${detail} `}events (no trailer: the run did not complete); those ${lines.length} are identical`);
      return 3;
    }
    if (!(e instanceof Divergence)) throw e;
    report(e, header, plan.kernels);
    return 1;
  }
  if (index < lines.length) {
    report(new Divergence(index, lines[index], '<end of replayed run>'), header, plan.kernels);
    return 1;
  }
  if (!trailer) {
    console.log(`replay: ${file} has no trailer (the run did not complete); all ${lines.length} events it holds are identical`);
    return 3;
  }
  if (trailer.events !== result.events || trailer.hash !== result.traceHash) {
    console.error(`replay diverged: the recorded run had ${trailer.events} events with hash ${trailer.hash}; the replay has ${result.events} with hash ${result.traceHash}`);
    return 1;
  }
  const checked = detail === 'full' ? `${index} events identical` : detail === 'off' ? `trace hash and ${result.events} events identical` : `${index} ${detail} events and the trace hash identical`;
  console.log(`replay ok: ${checked} (${file})`);
  return 0;
}

function report(d: Divergence, header: TraceHeader, kernels: string): void {
  console.error(`replay diverged at event ${d.index} (line ${d.index + 2} of the trace file)`);
  console.error(`  expected: ${d.expected}`);
  console.error(`  actual:   ${d.actual}`);
  const differences: string[] = [];
  if (header.byzsim !== VERSION) differences.push(`recorded by byzsim ${header.byzsim}, replayed by ${VERSION}: results may change between versions`);
  if (header.kernels !== undefined && header.kernels !== kernels) {
    differences.push(
      `recorded on the ${header.kernels} kernel path, replayed on ${kernels}: the two are meant to be bit-identical, so this divergence is a byzsim bug worth reporting`,
    );
  }
  if (header.platform !== undefined && header.platform !== platformOf()) {
    differences.push(`recorded on ${header.platform}, replayed on ${platformOf()}: a run must not depend on the machine, so this is worth reporting`);
  }
  for (const line of differences) console.error(`  note: ${line}`);
}
