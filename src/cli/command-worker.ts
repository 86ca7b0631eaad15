/**
 * The worker thread the `kemu` program runs its command in (see
 * supervisor.ts): the command as main.ts has it, with an output and an
 * interrupt source that pass through the main thread, and the main thread as
 * the supervisor that watches its runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { InterruptSource } from './interrupt.js';
import type { CommandMessage, CommandWorkerData, InterruptMessage } from './supervisor.js';
import type { CommandSupervisor } from './watch.js';
import { requestWatch } from '../explore/watchdog.js';
import { main } from './main.js';
import { outputFormat, type Output } from './output.js';

const port = parentPort!;
const post = (message: CommandMessage) => port.postMessage(message);
const { argv, plugins, stdout } = workerData as CommandWorkerData;

const out: Output = {
  ...outputFormat(stdout, process.env),
  print: (text = '') => post({ kind: 'print', text }),
  error: (text) => post({ kind: 'error', text }),
  progress: (text) => post({ kind: 'progress', text }),
  endProgress: () => post({ kind: 'endProgress' }),
};

// Interrupts come from the main thread, which is told when the command listens for them.
const listeners = new Set<() => void>();
const interrupts: InterruptSource = {
  listen(listener) {
    listeners.add(listener);
    post({ kind: 'listening', on: true });
    return () => {
      listeners.delete(listener);
      post({ kind: 'listening', on: listeners.size > 0 });
    };
  },
};
const onMessage = (_: InterruptMessage) => listeners.forEach((listener) => listener());
port.on('message', onMessage);

const supervisor: CommandSupervisor = {
  watch: (runs, maxSteps) => requestWatch(port, runs, maxSteps),
  found: (signature, replayCommand) => post({ kind: 'found', signature, replayCommand }),
};

post({ kind: 'done', code: await main(argv, plugins, out, { interrupts, supervisor }) });
port.off('message', onMessage);
