/**
 * The results store of a queued sweep when the workers share no directory:
 * one Redis hash per run, `byzsim:result:<id>`, holding its run.json, its
 * metrics.json and its trace gzip-compressed (a trace whose compressed size
 * passes the cap is left out and the size noted; `byzsim collect` then writes
 * the run without it). report.html is not kept: collect rebuilds it.
 *
 * A result is committed as job.ts commits a run directory: written whole
 * under a staging key, then renamed into place with RENAMENX, so a reader
 * sees a run's result complete or not at all, and of two completions of the
 * same run the first is kept and the second checked equal to it by trace hash.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RunRecord } from './job.ts';

export const RESULT_PREFIX = 'byzsim:result:';
const STAGING_TTL_S = 3600;

export const resultKey = (id: string): string => `${RESULT_PREFIX}${id}`;

export interface StoredResult {
  record: RunRecord;
  metrics: string;
  /** The trace, gzip-compressed; absent when it passed the cap. */
  traceGz?: Buffer;
  /** The compressed size of a trace left out. */
  traceOmittedBytes?: number;
}

export type StoreOutcome = { duplicate: false } | { duplicate: true; first: RunRecord };

/** The trace at `file`, gzip-compressed, or its compressed size once it passes `capBytes`. */
async function gzipCapped(file: string, capBytes: number): Promise<{ gz?: Buffer; bytes: number }> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const gzip = createGzip({ level: 6 });
  createReadStream(file).pipe(gzip);
  for await (const chunk of gzip as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= capBytes) chunks.push(chunk);
    else chunks.length = 0;
  }
  return bytes <= capBytes ? { gz: Buffer.concat(chunks), bytes } : { bytes };
}

/** Stores the complete run directory `runDir` (run.json, metrics.json, trace.jsonl) as the result of `record.id`. */
export async function storeResult(redis: Redis, runDir: string, record: RunRecord, capBytes: number): Promise<StoreOutcome> {
  const key = resultKey(record.id);
  const trace = join(runDir, 'trace.jsonl');
  const { gz, bytes } = existsSync(trace) ? await gzipCapped(trace, capBytes) : { gz: undefined, bytes: 0 };
  const fields: Record<string, string | Buffer> = {
    'run.json': readFileSync(join(runDir, 'run.json'), 'utf8'),
    'metrics.json': readFileSync(join(runDir, 'metrics.json'), 'utf8'),
    ...(gz ? { 'trace.jsonl.gz': gz } : { 'trace.omitted': String(bytes) }),
  };
  const staging = `${key}:staging:${process.pid}-${randomBytes(4).toString('hex')}`;
  // The staging key expires if this process dies before the rename; the rename and PERSIST are one transaction.
  await redis.multi().hset(staging, fields).expire(staging, STAGING_TTL_S).exec();
  const replies = await redis.multi().renamenx(staging, key).persist(key).exec();
  const renamed = replies?.[0]?.[1] === 1;
  if (renamed) return { duplicate: false };
  await redis.del(staging);
  const first = await redis.hget(key, 'run.json');
  return { duplicate: true, first: first ? (JSON.parse(first) as RunRecord) : record };
}

/** The ids among `ids` whose result is stored. */
export async function storedIds(redis: Redis, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000);
    const pipeline = redis.pipeline();
    for (const id of batch) pipeline.exists(resultKey(id));
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([err, n], j) => {
      if (err) throw err;
      if (n === 1) found.add(batch[j]);
    });
  }
  return found;
}

/** The stored run.json of `id`, if any. */
export async function storedRecord(redis: Redis, id: string): Promise<RunRecord | undefined> {
  const text = await redis.hget(resultKey(id), 'run.json');
  return text ? (JSON.parse(text) as RunRecord) : undefined;
}

export async function fetchResult(redis: Redis, id: string): Promise<StoredResult | undefined> {
  const fields = await redis.hgetallBuffer(resultKey(id));
  const run = fields['run.json'];
  const metrics = fields['metrics.json'];
  if (!run || !metrics) return undefined;
  const omitted = fields['trace.omitted'];
  return {
    record: JSON.parse(run.toString('utf8')) as RunRecord,
    metrics: metrics.toString('utf8'),
    ...(fields['trace.jsonl.gz'] ? { traceGz: fields['trace.jsonl.gz'] } : {}),
    ...(omitted ? { traceOmittedBytes: Number(omitted.toString('utf8')) } : {}),
  };
}

/**
 * Writes a stored result into runsDir/<id>/ as job.ts writes a run: into a
 * temporary directory renamed into place (its `.tmp-` name is one that
 * prepareSweepDir removes if this is killed half-way).
 */
export function writeStoredResult(runsDir: string, result: StoredResult): string {
  const final = join(runsDir, result.record.id);
  const temp = join(runsDir, `.tmp-${result.record.id}-collect-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, 'run.json'), JSON.stringify(result.record, null, 2) + '\n');
  writeFileSync(join(temp, 'metrics.json'), result.metrics);
  if (result.traceGz) writeFileSync(join(temp, 'trace.jsonl'), gunzipSync(result.traceGz));
  renameSync(temp, final);
  return final;
}
