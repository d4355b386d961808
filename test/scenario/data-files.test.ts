/** Datasets read from files: validation names a missing path or file at data.<name>.path, and a run refuses bad data with one line. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsOf, yaml } from './helpers.ts';
import { smallScenario } from '../run/fixtures.ts';
import { buildScenarioTask } from '../../src/run/task.ts';
import { createStreams } from '../../src/sim/rng.ts';
import { UserError } from '../../src/errors.ts';
import { ScenarioSchema } from '../../src/scenario/schema.ts';

describe('datasets read from files', () => {
  it('fashion-mnist without a path, or with one that lacks the files, is refused where it is written', () => {
    expect(errorsOf(yaml('data: { dataset: fashion-mnist }')).join('\n')).toMatch(/data\.fashion-mnist\.path is required: the directory holding the four IDX files/);
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-fm-'));
    expect(errorsOf(yaml(`data: { dataset: fashion-mnist, fashion-mnist: { path: ${dir} } }`))).toEqual([
      expect.stringMatching(new RegExp(`^scenarios/x\\.yaml:1:\\d+ data\\.fashion-mnist\\.path: ${dir} holds no train-images-idx3-ubyte \\(or train-images-idx3-ubyte\\.gz\\)$`)),
    ]);
    expect(errorsOf(yaml('data: { dataset: cifar10, cifar10: { path: /no/such/dir } }'))).toEqual([expect.stringMatching(/data\.cifar10\.path: \/no\/such\/dir does not exist$/)]);
  });

  it('a corrupt file found only when loading is a UserError naming the dataset (one line, no stack trace)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byzsim-cifar-'));
    for (const f of ['data_batch_1.bin', 'test_batch.bin']) writeFileSync(join(dir, f), Buffer.alloc(3073 + 5));
    const s = ScenarioSchema.parse({ ...smallScenario(), model: 'logreg', data: { dataset: 'cifar10', batchSize: 1, cifar10: { path: dir, trainSize: 1, testSize: 1 } } });
    const err = await buildScenarioTask(s, 'ts', createStreams(1)).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^data\.cifar10: .*3073/);
  });
});
