/**
 * Ctrl-C during an exploration: the first SIGINT asks the search to stop
 * between runs (it keeps what it found, which the command then shrinks and
 * prints); a second one quits at once, after a last word from the command
 * (the tokens found so far), with exit code 130.
 */
import { EXIT_INTERRUPTED } from './exit-codes.js';

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

export interface Interruptible {
  /** Aborts at the first interrupt. */
  readonly signal: AbortSignal;
  /** What to print if a second interrupt quits before the command is done (e.g. the unshrunk tokens). */
  lastWords(say: () => void): void;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Listens for interrupts while a command explores. `notice` tells the person
 * what the first Ctrl-C does; `quit` ends the process on the second.
 */
export function interruptible(source: InterruptSource, notice: (text: string) => void, quit: (code: number) => void = (code) => process.exit(code)): Interruptible {
  const controller = new AbortController();
  let say: () => void = () => {};
  const stop = source.listen(() => {
    if (!controller.signal.aborted) {
      notice('interrupted: finishing the current run, then printing what was found (Ctrl-C again to quit now)');
      controller.abort();
      return;
    }
    say();
    quit(EXIT_INTERRUPTED);
  });
  return { signal: controller.signal, lastWords: (fn) => void (say = fn), dispose: stop };
}
