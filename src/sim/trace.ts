/**
 * The event trace: one JSON line per event, each with virtual time, sequence
 * number, kind, endpoints, round and a 64-bit digest of any vector payload
 * (never the vector itself). A running SHA-256 over the event lines is the
 * trace hash: two runs are identical exactly when their hashes are.
 */
import { createHash, type Hash } from 'node:crypto';

export interface TraceEvent {
  /** Virtual time (ms). */
  t: number;
  /** Position of the event in the trace (0-based). */
  seq: number;
  kind: string;
  from?: string;
  to?: string;
  round?: number;
  /** Network events: the message's kind (`model`, `gradient`) and its id (duplicates share it). */
  msg?: string;
  id?: number;
  /** 64-bit digest (16 hex digits) of the vector payload, if any. */
  digest?: string;
  /** Small structured details: rule diagnostics, metrics, reasons. */
  data?: Record<string, unknown>;
  /**
   * The vector itself, for the sinks of this process only (the online
   * checkers read θ from `update`, the per-round metrics the aggregate from
   * `aggregate`): never serialized, so neither the line nor the hash depends on it.
   */
  payload?: Float32Array;
}

export type TraceInput = Omit<TraceEvent, 't' | 'seq'>;

/** Receives each event line as it is recorded (file writer, replay comparator, …). */
export type TraceSink = (line: string, event: TraceEvent) => void;

export interface Trace {
  record(event: TraceInput): void;
  readonly count: number;
  /** Hex SHA-256 of all event lines so far. */
  hash(): string;
}

const digests = new WeakMap<Float32Array | Float64Array, string>();

/**
 * 64-bit digest of a vector's bytes (16 hex digits). Four interleaved 32-bit
 * FNV-style lanes (h ← (h ⊕ w)·p over every fourth word: independent chains the
 * CPU runs in parallel), each avalanched with MurmurHash3's fmix32, then
 * cross-mixed into two 32-bit halves. Each step is a bijection of the lane
 * state, so a change in any single word always changes the digest. Not
 * cryptographic — it only tells vectors apart in a trace, and it runs over
 * every vector sent, so it must cost far less than computing one (SHA-256 cost
 * more than the rest of the simulator). Cached per array object (θ_t is
 * digested once, not once per recipient), so a vector must not be mutated after
 * it has been digested: byzsim's actors never mutate a vector they have sent.
 */
export function digestVector(v: Float32Array | Float64Array): string {
  let d = digests.get(v);
  if (d === undefined) {
    const words = new Uint32Array(v.buffer, v.byteOffset, v.byteLength >>> 2);
    const len = words.length;
    const P = 0x01000193;
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    let c = 0x5bd1e995;
    let e = 0x27d4eb2f;
    let i = 0;
    for (; i + 3 < len; i += 4) {
      a = Math.imul(a ^ words[i], P);
      b = Math.imul(b ^ words[i + 1], P);
      c = Math.imul(c ^ words[i + 2], P);
      e = Math.imul(e ^ words[i + 3], P);
    }
    for (; i < len; i++) a = Math.imul(a ^ words[i], P);
    a = fmix32(a ^ len);
    b = fmix32(b);
    c = fmix32(c);
    e = fmix32(e);
    d = hex32(fmix32(a ^ Math.imul(c, 0x85ebca6b))) + hex32(fmix32(b ^ Math.imul(e, 0xc2b2ae35) ^ a));
    digests.set(v, d);
  }
  return d;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex32(x: number): string {
  return x.toString(16).padStart(8, '0');
}

/** The canonical line of an event: fixed key order so equal events give equal lines. */
export function eventLine(e: TraceEvent): string {
  // Same output as JSON.stringify of an object with these keys in this order,
  // built directly: this runs for every event of every run.
  let line = `{"t":${num(e.t)},"seq":${e.seq},"kind":${quote(e.kind)}`;
  if (e.from !== undefined) line += `,"from":${quote(e.from)}`;
  if (e.to !== undefined) line += `,"to":${quote(e.to)}`;
  if (e.round !== undefined) line += `,"round":${num(e.round)}`;
  if (e.msg !== undefined) line += `,"msg":${quote(e.msg)}`;
  if (e.id !== undefined) line += `,"id":${num(e.id)}`;
  if (e.digest !== undefined) line += `,"digest":"${e.digest}"`;
  if (e.data !== undefined) line += `,"data":${JSON.stringify(e.data)}`;
  return line + '}';
}

/** JSON-quoted strings, memoized: a run uses a few dozen distinct kinds and addresses. */
const quoted = new Map<string, string>();
function quote(s: string): string {
  let q = quoted.get(s);
  if (q === undefined) {
    q = JSON.stringify(s);
    if (quoted.size < 4096) quoted.set(s, q);
  }
  return q;
}

/** A number as JSON writes it (non-finite numbers become null, as in JSON.stringify). */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/**
 * A trace over `sinks`. With `onSinkError`, an error a sink throws goes to it
 * instead of up the stack: a sink is called from inside actors' actions and
 * RxJS subscribers, where an exception is caught and turned into something
 * else (RxJS rethrows it on a real timer), so the world takes it and stops.
 */
export function createTrace(now: () => number, sinks: TraceSink[] = [], onSinkError?: (error: unknown) => void): Trace {
  const running: Hash = createHash('sha256');
  // Lines are hashed in batches: one native call per ~64 KiB instead of per event.
  let pending = '';
  let seq = 0;
  return {
    record(input) {
      const event = input as TraceEvent;
      event.t = now();
      event.seq = seq++;
      const line = eventLine(event);
      pending += line + '\n';
      if (pending.length > 65536) {
        running.update(pending);
        pending = '';
      }
      for (const sink of sinks) {
        if (onSinkError === undefined) sink(line, event);
        else {
          try {
            sink(line, event);
          } catch (error) {
            onSinkError(error);
          }
        }
      }
    },
    get count() {
      return seq;
    },
    hash() {
      running.update(pending);
      pending = '';
      return running.copy().digest('hex');
    },
  };
}
