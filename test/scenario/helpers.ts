/** What the scenario tests share: a YAML builder and the formatted issues of a scenario expected to be rejected. */
import { expect } from 'vitest';
import { parseScenarioText } from '../../src/scenario/load.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';

export const FILE = 'scenarios/x.yaml';

export const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

export function errorsOf(text: string, file = FILE): string[] {
  try {
    parseScenarioText(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).format().split('\n');
  }
  throw new Error('expected a ScenarioError');
}
