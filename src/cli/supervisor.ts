/**
 * The `kemu` program's main thread (bin/kemu.ts): it runs the command
 * (main.ts) in a worker thread (command-worker.ts) and supervises it. Output
 * and Ctrl-C pass through. The command's runs are watched
 * (src/explore/watchdog.ts): a task that runs --watchdog seconds without a
 * scheduling point is stopped, with where it loops and what was found before
 * it (exit 4). A second Ctrl-C quits at once, whatever the worker is doing,
 * with the tokens found so far.
 */
import { superviseWorker } from '../explore/watchdog.js';
import { EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_WATCHDOG, internalErrorMessage } from './exit-codes.js';
import { sigint, unshrunk, type InterruptSource } from './interrupt.js';
import { terminalOutput, type StdoutKind, type Terminal } from './output.js';

/** What the command worker tells the main thread. */
export type CommandMessage =
  | { kind: 'print' | 'error' | 'progress'; text: string }
  | { kind: 'endProgress' }
  /** A failure found, kept in case the command is stopped before it prints its result. */
  | { kind: 'found'; signature: string; replayCommand: string }
  /** Whether the command stops cleanly at an interrupt now (an exploration does; a boot, a replay does not, and quits at once). */
  | { kind: 'listening'; on: boolean }
  | { kind: 'done'; code: number };

/** What the main thread tells the command worker. */
export interface InterruptMessage {
  kind: 'interrupt';
}

export interface CommandWorkerData {
  argv: string[];
  plugins: readonly string[];
  /** What the main thread's stdout is, for formatting (colours, width). */
  stdout: StdoutKind;
}

/** Runs the command in a supervised worker thread; resolves to its exit code. */
export async function superviseCommand(argv: string[], plugins: readonly string[],
  terminal: Terminal = { stdout: process.stdout, stderr: process.stderr, env: process.env }, interrupts: InterruptSource = sigint): Promise<number> {
  const out = terminalOutput(terminal);
  const found: string[] = [];
  let code: number | null = null;
  let listening = false;
  let quit!: () => void;
  const quitting = new Promise<{ kind: 'quit' }>((resolve) => (quit = () => resolve({ kind: 'quit' })));
  const { worker, ended } = superviseWorker(new URL('./command-worker.js', import.meta.url), {
    workerData: { argv, plugins, stdout: { isTTY: terminal.stdout.isTTY, columns: terminal.stdout.columns } } satisfies CommandWorkerData,
    env: terminal.env,
  }, (message) => {
    const m = message as CommandMessage;
    switch (m.kind) {
      case 'print': return out.print(m.text);
      case 'error': return out.error(m.text);
      case 'progress': return out.progress(m.text);
      case 'endProgress': return out.endProgress();
      case 'found': return void found.push(unshrunk(m.signature, m.replayCommand));
      case 'listening': return void (listening = m.on);
      case 'done': return void (code = m.code);
    }
  });
  // The first Ctrl-C of a command that listens for it stops it cleanly; any other quits at once, whatever the worker does.
  let interrupted = false;
  const stop = interrupts.listen(() => {
    if (interrupted || !listening) return quit();
    interrupted = true;
    worker.postMessage({ kind: 'interrupt' } satisfies InterruptMessage);
  });
  try {
    const how = await Promise.race([ended, quitting]);
    if (how.kind === 'exited') return code ?? how.code;
    await worker.terminate();
    out.endProgress();
    switch (how.kind) {
      case 'quit':
        for (const line of found) out.error(line);
        return EXIT_INTERRUPTED;
      case 'failed':
        out.error(internalErrorMessage(how.error));
        return EXIT_INTERNAL;
      case 'stalled':
        out.error(`kemu: watchdog: ${how.message}`);
        out.error('--watchdog <seconds> sets how long a step may run (0: no limit).');
        if (found.length > 0) out.error(`Found before it:\n  ${found.join('\n  ')}`);
        return EXIT_WATCHDOG;
    }
  } finally {
    stop();
  }
}
