/**
 * A user's mistake — a bad scenario, flag, file, spec or module — as opposed
 * to a bug. The command line prints its message (one line, or one per issue)
 * without a stack trace and exits 2; a bug keeps its stack.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** Whether the message already says where (file:line:column), so the CLI prints it without its `byzsim:` prefix. */
  readonly placed: boolean = false;
}
