/**
 * The kemu command's exit codes, which scripts and CI rely on. 1 means only
 * "a failure was found": anything that goes wrong in kemu itself has its own
 * code, so a crash can never pass for a finding.
 */
import { sourceMappedStack } from '../kernel/sched/call-trace.js';

export const EXIT_OK = 0;
/** A schedule failed: a hang, lockup, WARN, lockdep splat or oops was found (or replayed). */
export const EXIT_FAILURE_FOUND = 1;
/** Bad usage or bad input: an unknown name, a malformed token or shard file, an unwritable output path. */
export const EXIT_USAGE = 2;
/** kemu itself failed (a bug in kemu, not in the modelled kernel): the message asks for a report. */
export const EXIT_INTERNAL = 3;
/** The watchdog stopped a task that ran --watchdog seconds without a scheduling point (an endless loop in model code): what was found up to then has been printed. */
export const EXIT_WATCHDOG = 4;
/** Interrupted (Ctrl-C, 128 + SIGINT): what was found up to then has been printed. */
export const EXIT_INTERRUPTED = 130;

/** The exit-code table, for `--help` and the docs. */
export const EXIT_CODES_HELP = `Exit codes:
  0    no failure found
  1    a failure was found (or the replayed schedule fails)
  2    bad usage or bad input
  3    internal error in kemu (please report it, with the command line)
  4    stopped by the watchdog: a task ran --watchdog seconds without a
       scheduling point (a loop kemu cannot preempt); what was found
       before it was printed
  130  interrupted (Ctrl-C); the partial result was printed`;

/** What the command says on an internal error (EXIT_INTERNAL): that it is kemu's bug, and the stack to report. */
export function internalErrorMessage(error: unknown): string {
  const stack = (error as Error)?.stack;
  return `kemu: internal error (a bug in kemu, not a finding; please report it with the command line):\n${stack ? sourceMappedStack(stack) : String(error)}`;
}
