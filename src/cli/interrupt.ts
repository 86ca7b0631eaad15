/**
 * Ctrl-C during an exploration: the first SIGINT asks the search to stop
 * between runs (it keeps what it found, which the command then shrinks and
 * prints); a second one quits at once, after a last word from the command
 * (the tokens found so far), with exit code 130.
 */
import { EXIT_INTERRUPTED } from './exit-codes.js';
import type { Output } from './output.js';

/** A failure found but not yet shrunk, as the last words of a command that quits early print it. */
export function unshrunk(signature: string, replayCommand: string): string {
  return `${signature}: ${replayCommand} (not shrunk)`;
}

/** Where interrupts come from: the process's SIGINT, or a test's stand-in. */
export interface InterruptSource {
  /** Calls `listener` on each interrupt until the returned function is called. */
  listen(listener: () => void): () => void;
}

export const sigint: InterruptSource = {
  listen(listener) {
    process.on('SIGINT', listener);
    return () => void process.off('SIGINT', listener);
  },
};

/** What an interruptible piece of work gets: the signal, and a way to leave last words. */
export interface Interruptible {
  /** Aborts at the first interrupt. */
  readonly signal: AbortSignal;
  /** What to print if a second interrupt quits before the work is done (e.g. the unshrunk tokens). */
  lastWords(say: () => void): void;
}

/**
 * Runs `work` listening for interrupts: the first one clears the progress line,
 * tells the person what Ctrl-C does now and aborts the signal; the second says
 * the last words and quits (exit 130).
 */
export async function interruptibly<T>(source: InterruptSource, out: Pick<Output, 'endProgress' | 'error'>, work: (session: Interruptible) => Promise<T>,
  quit: (code: number) => void = (code) => process.exit(code)): Promise<T> {
  const controller = new AbortController();
  let say: () => void = () => {};
  const stop = source.listen(() => {
    if (!controller.signal.aborted) {
      out.endProgress();
      out.error('interrupted: finishing this run, then printing the findings (Ctrl-C: quit now)');
      controller.abort();
      return;
    }
    say();
    quit(EXIT_INTERRUPTED);
  });
  try {
    return await work({ signal: controller.signal, lastWords: (fn) => void (say = fn) });
  } finally {
    stop();
  }
}
