/**
 * `byzsim replay <trace.jsonl>`: re-run the plan in the trace's header and
 * compare event by event. Exit 0 when identical; at the first difference stop,
 * exit 1 and print the event index, the expected line and the actual line,
 * and what differs between the recording and this replay (byzsim version,
 * kernel path, tfjs backend flavour) when something does.
 */
import { platformOf, readTraceFile, type TraceHeader } from '../run/trace-file.ts';
import { runPlan } from '../run/run.ts';
import { createPlan } from '../run/plan.ts';
import { ScenarioSchema } from '../scenario/schema.ts';
import { selectBackend, type BackendName } from '../learning/backend.ts';
import { kernelPath } from '../kernels/path.ts';
import { VERSION } from '../version.ts';

class Divergence extends Error {
  constructor(
    readonly index: number,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`trace diverges at event ${index}`);
  }
}

export async function replayCommand(file: string): Promise<number> {
  const { header, lines } = readTraceFile(file);
  const scenario = ScenarioSchema.parse(header.scenario);
  if (header.backend !== 'ts') await selectBackend(header.backend as BackendName);
  const plan = createPlan(scenario, { backend: header.backend, kernels: kernelPath(), modules: header.modules });
  let index = 0;
  try {
    await runPlan(plan, {
      slice: { maxEvents: 20_000 },
      sinks: [
        (line) => {
          const expected = lines[index];
          if (expected !== line) throw new Divergence(index, expected ?? '<end of recorded trace>', line);
          index++;
        },
      ],
    });
  } catch (e) {
    if (!(e instanceof Divergence)) throw e;
    report(e, header, plan.kernels);
    return 1;
  }
  if (index < lines.length) {
    report(new Divergence(index, lines[index], '<end of replayed run>'), header, plan.kernels);
    return 1;
  }
  console.log(`replay ok: ${index} events identical (${file})`);
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
