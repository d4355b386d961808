/**
 * What an online checker raises when a run breaks a safety property: the
 * checker's name, the event index (its `seq`, also its position in the trace
 * file after the header), what was violated, and the event's line. Its own
 * module, with no imports, so that the command line can recognize it without
 * loading the simulator.
 */
export class CheckerViolation extends Error {
  override name = 'CheckerViolation';

  constructor(
    /** The checker that failed, e.g. `quorum`. */
    readonly checker: string,
    /** The violating event's `seq`. */
    readonly seq: number,
    /** What was violated, in words. */
    readonly what: string,
    /** The violating event's trace line. */
    readonly line: string,
  ) {
    super(`online checker ${checker} failed at event ${seq}: ${what}\n  event: ${line}`);
  }
}
