import { describe, expect, it } from 'vitest';
import { goldenTable } from './golden.ts';
import { computeEntry } from './compute.ts';

describe('golden trace hashes', () => {
  it.each(goldenTable().map((e) => [`${e.scenario} (${e.backend})`, e] as const))('%s', async (_, entry) => {
    expect(await computeEntry(entry)).toEqual(entry);
  });
});
