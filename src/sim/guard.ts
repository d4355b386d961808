/**
 * Determinism guard: while a run is simulating, every source of wall-clock
 * time, ambient randomness and real scheduling throws a DeterminismError:
 *
 *   time        Date.now, new Date() and Date() without arguments,
 *               performance.now, process.hrtime, process.hrtime.bigint;
 *   randomness  Math.random, crypto.getRandomValues and crypto.randomUUID
 *               (Web Crypto), node:crypto's randomBytes, randomFill(Sync),
 *               randomInt, randomUUID and getRandomValues;
 *   scheduling  setTimeout, setInterval, setImmediate, queueMicrotask: a
 *               callback on a real timer would run at a moment the simulation
 *               does not control. Virtual time is the kernel's setTimeout.
 *
 * `new Date(value)` stays allowed: it reads no clock. Promise continuations
 * cannot be intercepted (await does not go through a patchable method); the
 * simulation itself is synchronous, so nothing inside a slice can wait on one.
 *
 * One exception, documented: xstate's scheduler stamps `startedAt: Date.now()`
 * on every delayed event (bookkeeping for persisted snapshots, never read to
 * decide anything). The world wraps each actor system's scheduler in
 * `permitClockStamp`, and within it `Date.now` returns the virtual time, so
 * the stamp is deterministic too. Observers of a run (`outsideSimulation`: a
 * progress bar, a user's onRound callback) see the real functions: nothing
 * they do feeds back into the run.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

export class DeterminismError extends Error {
  constructor(what: string) {
    super(
      `determinism violation: ${what} was called during simulation; a run must draw randomness from its named streams, time from the kernel, and schedule through the kernel`,
    );
    this.name = 'DeterminismError';
  }
}

let stampDepth = 0;
let observerDepth = 0;

/**
 * Run an observer of the simulation — a progress bar, a user's onRound
 * callback — with the real clock and Math.random: it may read them, since
 * nothing it does feeds back into the run.
 */
export function outsideSimulation<T>(fn: () => T): T {
  observerDepth++;
  try {
    return fn();
  } finally {
    observerDepth--;
  }
}

/** Run `fn` with `Date.now` answering virtual time instead of throwing (xstate's scheduler stamp). */
export function permitClockStamp<T>(fn: () => T): T {
  stampDepth++;
  try {
    return fn();
  } finally {
    stampDepth--;
  }
}

type AnyFunction = (...args: never[]) => unknown;

/** One property replaced while the guard is up. */
interface Patch {
  target: object;
  key: string;
  what: string;
  /** What to install, given the real value; by default a function that throws unless observing. */
  make?: (real: AnyFunction) => unknown;
}

const nodeCrypto = createRequire(import.meta.url)('node:crypto') as Record<string, AnyFunction> & { webcrypto?: object };

function patches(virtualNow: () => number): Patch[] {
  const list: Patch[] = [
    { target: Math, key: 'random', what: 'Math.random' },
    {
      target: Date,
      key: 'now',
      what: 'Date.now',
      make: (real) => () => (observerDepth > 0 ? real() : stampDepth > 0 ? virtualNow() : fail('Date.now')),
    },
    { target: globalThis, key: 'Date', what: 'new Date() (the current time)', make: (real) => guardedDate(real as unknown as DateConstructor) },
    { target: process, key: 'hrtime', what: 'process.hrtime', make: (real) => guardedHrtime(real as unknown as NodeJS.HRTime) },
    { target: globalThis, key: 'setTimeout', what: 'setTimeout (a real timer)' },
    { target: globalThis, key: 'setInterval', what: 'setInterval (a real timer)' },
    { target: globalThis, key: 'setImmediate', what: 'setImmediate (a real timer)' },
    { target: globalThis, key: 'queueMicrotask', what: 'queueMicrotask' },
  ];
  if (globalThis.performance) list.push({ target: globalThis.performance, key: 'now', what: 'performance.now' });
  const web = globalThis.crypto as object | undefined;
  if (web) {
    list.push({ target: web, key: 'getRandomValues', what: 'crypto.getRandomValues' }, { target: web, key: 'randomUUID', what: 'crypto.randomUUID' });
  }
  // node:crypto's getRandomValues is a fixed getter that calls Web Crypto's, guarded above.
  for (const key of ['randomBytes', 'randomFill', 'randomFillSync', 'randomInt', 'randomUUID']) {
    if (typeof nodeCrypto[key] === 'function') list.push({ target: nodeCrypto, key, what: `node:crypto ${key}` });
  }
  return list;
}

function fail(what: string): never {
  throw new DeterminismError(what);
}

/** Date whose no-argument forms (the current time) throw; `new Date(value)` and the statics stay usable. */
function guardedDate(real: DateConstructor): DateConstructor {
  return new Proxy(real, {
    construct(target, args, newTarget) {
      if (args.length === 0 && observerDepth === 0) fail('new Date() (the current time)');
      return Reflect.construct(target, args, newTarget);
    },
    apply(target, self, args) {
      if (observerDepth === 0) fail('Date() (the current time)');
      return Reflect.apply(target, self, args);
    },
  });
}

function guardedHrtime(real: NodeJS.HRTime): NodeJS.HRTime {
  const hrtime = ((time?: [number, number]) => (observerDepth > 0 ? real(time) : fail('process.hrtime'))) as NodeJS.HRTime;
  hrtime.bigint = () => (observerDepth > 0 ? real.bigint() : fail('process.hrtime.bigint'));
  return hrtime;
}

/**
 * Runs `body` with every source listed in the header guarded. Re-entrant: an
 * inner guard (a nested run) leaves the outer one's patches in place.
 */
let depth = 0;

export function withDeterminismGuard<T>(virtualNow: () => number, body: () => T): T {
  if (depth > 0) {
    depth++;
    try {
      return body();
    } finally {
      depth--;
    }
  }
  const installed: { target: Record<string, unknown>; key: string; real: unknown }[] = [];
  for (const patch of patches(virtualNow)) {
    const target = patch.target as Record<string, unknown>;
    const real = target[patch.key] as AnyFunction;
    const guarded =
      patch.make?.(real) ??
      function (this: unknown, ...args: never[]) {
        return observerDepth > 0 ? real.apply(this, args) : fail(patch.what);
      };
    installed.push({ target, key: patch.key, real });
    target[patch.key] = guarded;
  }
  syncBuiltinESMExports();
  depth++;
  try {
    return body();
  } finally {
    depth--;
    for (const { target, key, real } of installed.reverse()) target[key] = real;
    syncBuiltinESMExports();
  }
}
