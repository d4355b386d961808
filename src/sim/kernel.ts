/**
 * The discrete-event kernel: a virtual clock and an event queue ordered by
 * (time, sequence number). Time only advances when the next event is popped;
 * nothing here reads a wall clock. The kernel implements xstate's `Clock`
 * interface, so delayed transitions and delayed sends of every actor run on
 * virtual time, and the network schedules its deliveries through it too.
 *
 * A run can be sliced: `run({ maxEvents })` returns after that many events
 * with status `paused`, and the next `run` resumes exactly where it stopped,
 * so a long simulation can yield to the event loop between slices (a job
 * queue renewing its lock, a progress bar drawing) without changing the
 * sequence of events: slicing only decides when control returns.
 */

/** xstate's clock interface (not exported by xstate's entry point). */
export interface Clock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface RunSlice {
  /** Return after this many events (the rest stay queued); default unbounded. */
  maxEvents?: number;
}

export type RunStatus = 'idle' | 'paused' | 'stopped';

interface Scheduled {
  time: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export interface Kernel extends Clock {
  /** Current virtual time (ms). */
  readonly now: number;
  /** Events executed so far. */
  readonly executed: number;
  /** Run `fn` after `delay` virtual ms; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, delay: number): unknown;
  clearTimeout(id: unknown): void;
  /**
   * Run events until the queue is empty (`idle`), `stop()` is called
   * (`stopped`), or `maxEvents` events have run in this call (`paused`).
   */
  run(options?: RunSlice): RunStatus;
  /** Ask `run` to return after the current event. */
  stop(): void;
  readonly pending: number;
}

/** Binary min-heap on (time, seq): the seq tiebreak makes equal-time order the scheduling order. */
class EventHeap {
  private items: Scheduled[] = [];
  get size(): number {
    return this.items.length;
  }
  push(e: Scheduled): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): Scheduled | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Marks an event that has run, so a late clearTimeout on its handle is a no-op. */
const done = (): void => {};

function before(x: Scheduled, y: Scheduled): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}

export function createKernel(): Kernel {
  const heap = new EventHeap();
  // The handle of a scheduled event is the event itself: cancelling marks it,
  // and the queue skips it when it comes up (no id → event map to maintain).
  let pending = 0;
  let now = 0;
  let seq = 0;
  let executed = 0;
  let stopped = false;

  return {
    get now() {
      return now;
    },
    get executed() {
      return executed;
    },
    get pending() {
      return pending;
    },
    setTimeout(fn, delay) {
      if (!Number.isFinite(delay) || delay < 0) {
        throw new RangeError(`kernel: delay must be a finite non-negative number (got ${delay})`);
      }
      const e: Scheduled = { time: now + delay, seq: seq++, fn, cancelled: false };
      heap.push(e);
      pending++;
      return e;
    },
    clearTimeout(handle) {
      const e = handle as Scheduled | undefined;
      if (e && !e.cancelled && e.fn !== done) {
        e.cancelled = true;
        pending--;
      }
    },
    run(options = {}) {
      const budget = options.maxEvents ?? Infinity;
      if (!(budget >= 1)) throw new RangeError(`kernel: maxEvents must be ≥ 1 (got ${budget})`);
      stopped = false;
      let ran = 0;
      while (!stopped) {
        if (ran >= budget) return 'paused';
        const e = heap.pop();
        if (!e) return 'idle';
        if (e.cancelled) continue;
        pending--;
        now = e.time;
        executed++;
        ran++;
        const fn = e.fn;
        e.fn = done;
        fn();
      }
      return 'stopped';
    },
    stop() {
      stopped = true;
    },
  };
}
