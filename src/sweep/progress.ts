/**
 * A sweep's progress bar on stderr: `sweep [████░░░░] 12/40 | running 2 | failed 0 | eta 3m`.
 * Disabled (every method a no-op) when stderr is not a TTY.
 */
import cliProgress from 'cli-progress';

export interface SweepProgress {
  started(): void;
  ended(ok: boolean): void;
  /** Sets the counts at once (a queue's watch). */
  set(done: number, running: number, failed: number): void;
  stop(): void;
}

const NOOP: SweepProgress = { started() {}, ended() {}, set() {}, stop() {} };

export function createSweepProgress(total: number, done: number, enabled: boolean, stream: NodeJS.WritableStream = process.stderr): SweepProgress {
  if (!enabled) return NOOP;
  const bar = new cliProgress.SingleBar({
    format: 'sweep [{bar}] {value}/{total} | running {running} | failed {failed} | eta {eta_formatted}',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    barsize: 30,
    hideCursor: true,
    etaBuffer: 20,
    stream,
  });
  let running = 0;
  let failed = 0;
  let value = done;
  let stopped = false;
  bar.start(total, value, { running, failed });
  const draw = () => bar.update(value, { running, failed });
  return {
    started() {
      running++;
      draw();
    },
    ended(ok) {
      running = Math.max(0, running - 1);
      if (ok) value++;
      else failed++;
      draw();
    },
    set(d, r, f) {
      value = d;
      running = r;
      failed = f;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
