/**
 * Wall-clock time, for what a person reads about a run from outside it: the
 * wall seconds in metrics.json and the reports, progress, how often a
 * repeated message is printed. It is never read inside a run (the guard of
 * src/sim/guard.ts makes the clock throw there), and no result depends on it;
 * this module is the one place outside the command line and the benchmarks
 * that reads it.
 */

/** A stopwatch started now: `seconds()` since. */
export function startStopwatch(): { seconds(): number } {
  const started = performance.now();
  return { seconds: () => (performance.now() - started) / 1000 };
}

/** Milliseconds since the epoch, for throttling what is printed. */
export function wallMs(): number {
  return Date.now();
}
