/**
 * A child process that runs the scenarios the malformed-scenario property
 * sends it, one at a time, and answers with the outcome: the parent kills it
 * when a run passes its time bound, which no in-process timer could do to a
 * synchronous simulation.
 */
import { runScenario } from '../../src/run/run.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

export interface RunRequest {
  id: number;
  scenario: Scenario;
}

export type RunReply = { id: number; ok: true; events: number } | { id: number; ok: false; error: string };

process.on('message', (request: RunRequest) => {
  const reply = (r: RunReply) => process.send!(r);
  runScenario(request.scenario, { backend: 'ts' }).then(
    (result) => reply({ id: request.id, ok: true, events: result.events }),
    (err: unknown) => reply({ id: request.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.send!({ ready: true });
