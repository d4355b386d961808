/**
 * `byzsim validate <file>`: load and check a scenario without running it.
 * Exit status 0 when valid, 2 when the scenario has issues (printed one per line,
 * with file:line:column, and no stack trace).
 */
import { ScenarioError } from '../scenario/errors.ts';
import { loadScenario } from '../scenario/load.ts';

export async function validateCommand(file: string): Promise<number> {
  try {
    const { scenario: s } = await loadScenario(file);
    console.log(`ok: ${file} (${s.name}, n=${s.workers}, f=${s.byzantine.f}, ${s.aggregator}, ${s.attack})`);
    return 0;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    console.error(err.format());
    return 2;
  }
}
