/**
 * A queue's address, `redis://[user:password@]host:port[/db]` or `rediss://…`
 * (TLS), as ioredis options, and the means to keep its password out of every
 * message: `display` is the URL with the password replaced by `***`, and
 * `redact` does the same to any text (an ioredis error, a stack) that might
 * quote it, raw or percent-encoded.
 *
 * `connectRedis` is the one way byzsim opens a connection: it checks the
 * server answers within a short timeout (a UserError naming host:port
 * otherwise), then leaves reconnection to ioredis, so a worker or a watch
 * rides through a Redis restart.
 */
import { wallMs } from '../report/stopwatch.ts';
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../errors.ts';

export interface RedisTarget {
  options: RedisOptions;
  /** The URL as it may be printed: the password, if any, replaced by `***`. */
  display: string;
  /** host:port, for messages. */
  where: string;
  tls: boolean;
  /** `text` without the password. */
  redact(text: string): string;
}

const FORM = 'redis://[user:password@]host:port[/db] or rediss://… (TLS)';

/** Masks anything that looks like the password part of a URL, for a URL that did not parse. */
function maskUserInfo(text: string): string {
  return text.replace(/\/\/([^/@:]*):[^@/]*@/g, '//$1:***@');
}

export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparsed, it may still hold a password: show it only when it has no user part.
    throw new UserError(`--queue ${url.includes('@') ? '(not shown: it has a user part)' : url} is not a URL: give ${FORM}`);
  }
  const tls = parsed.protocol === 'rediss:';
  if (parsed.protocol !== 'redis:' && !tls) {
    throw new UserError(`--queue ${maskUserInfo(url)}: the scheme must be redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UserError(`--queue ${maskUserInfo(url)} names no host: give ${FORM}`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) {
    throw new UserError(`--queue ${maskUserInfo(url)}: the path must be a database number (/0, /1, …), not /${path}`);
  }
  if (parsed.search || parsed.hash) throw new UserError(`--queue ${maskUserInfo(url)}: no query or fragment is understood; give ${FORM}`);
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const secrets = password ? [...new Set([password, parsed.password])] : [];
  const redact = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), maskUserInfo(text));
  const shown = new URL(parsed.href);
  if (shown.password) shown.password = '***';
  const where = `${parsed.hostname}:${port}`;
  return {
    options: {
      host,
      port,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      db: path === '' ? 0 : Number(path),
      ...(tls ? { tls: { servername: host } } : {}),
    },
    display: shown.href.replace('%2A%2A%2A', '***'),
    where,
    tls,
    redact,
  };
}

export interface ConnectOptions {
  /** How long the first connection may take (ms; default BYZSIM_QUEUE_CONNECT_TIMEOUT_MS, else 5000). */
  timeoutMs?: number;
  /** A name for CLIENT LIST (e.g. `byzsim-worker`). */
  name?: string;
  /** Told of each error after the first connection (already redacted); default: a line on stderr, each message at most once per 10 s. */
  onError?: (message: string) => void;
}

/** Reports each distinct message at most once per 10 s: a Redis outage is a few lines, not one per retry. */
export function quietReporter(write: (line: string) => void = (line) => process.stderr.write(line + '\n')): (message: string) => void {
  const last = new Map<string, number>();
  return (message) => {
    const now = wallMs();
    if ((last.get(message) ?? -Infinity) > now - 10_000) return;
    last.set(message, now);
    write(`byzsim: redis: ${message}`);
  };
}

/**
 * A connection to `target` that has answered PING, or a UserError naming
 * host:port (never the password). Once up, it queues commands through a
 * Redis restart and reconnects (maxRetriesPerRequest null, as BullMQ's
 * blocking connections require).
 */
export async function connectRedis(target: RedisTarget, options: ConnectOptions = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? envInt('BYZSIM_QUEUE_CONNECT_TIMEOUT_MS', 5000);
  let connected = false;
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: null,
    ...(options.name ? { connectionName: options.name } : {}),
    // Fail fast on the first connection; afterwards reconnect for ever, with a capped backoff.
    retryStrategy: (times) => (connected ? Math.min(200 * times, 2000) : null),
  });
  let lastError: Error | undefined;
  const onError = (err: Error) => {
    lastError = err;
  };
  client.on('error', onError);
  const timer = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    t.unref();
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timer]);
    connected = true;
  } catch (err) {
    client.disconnect();
    const why = (lastError ?? (err as Error)).message;
    throw new UserError(`cannot reach Redis at ${target.where}${target.tls ? ' (TLS)' : ''}: ${target.redact(why)}`);
  } finally {
    client.off('error', onError);
  }
  const report = options.onError ?? quietReporter();
  client.on('error', (err: Error) => report(target.redact(err.message)));
  return client;
}

/**
 * A connection that waits for Redis however long it is down, queueing
 * commands meanwhile: for a worker's child, whose worker has checked the
 * address already and which must ride through a restart, even at its start.
 */
export function patientRedis(target: RedisTarget, name: string): Redis {
  const client = new Redis({ ...target.options, maxRetriesPerRequest: null, connectionName: name, retryStrategy: (times) => Math.min(200 * times, 2000) });
  const report = quietReporter();
  client.on('error', (err: Error) => report(target.redact(err.message)));
  return client;
}

/** A positive integer from the environment, else `fallback`; a bad value is a UserError. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new UserError(`${name}=${raw}: must be a positive integer`);
  return value;
}
