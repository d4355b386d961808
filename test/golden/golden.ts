/**
 * The golden trace hashes: scenarios in scenarios/golden/ covering every rule
 * family and pre-aggregator, attack, Byzantine schedule, knowledge model,
 * network ordering and learning backend, each with the trace hash its run
 * gives. A change that is not meant to change results keeps this table; one
 * that is updates it (`npm run golden:update`) in the same commit and says why.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface GoldenEntry {
  scenario: string;
  backend: string;
  hash: string;
  events: number;
}

export const GOLDEN_FILE = fileURLToPath(new URL('./hashes.json', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function goldenTable(): GoldenEntry[] {
  return JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenEntry[];
}
