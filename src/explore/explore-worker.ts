/**
 * The worker thread of exploreInWorker (explore-in-worker.ts): it loads the
 * scenario from its module, asks its supervisor to watch its runs, explores,
 * and sends back each failure as it is found, then the result (or what
 * explore() threw).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExploreWork, ExploreWorkerMessage } from './explore-in-worker.js';

const { source, options, watchdogMs } = workerData as ExploreWork;
// Call traces name the .ts files, as the kemu command's do (a thread's own setting): on before the modules are loaded.
process.setSourceMapsEnabled(true);
const { KemuError } = await import('../kernel/errors.js');
const { beatInto } = await import('../kernel/heartbeat.js');
const { DEFAULT_MAX_STEPS, explore } = await import('./explore.js');
const { loadScenario } = await import('./scenario-source.js');
const { requestWatch } = await import('./watchdog.js');

const post = (message: ExploreWorkerMessage) => parentPort!.postMessage(message);
try {
  const scenario = await loadScenario(source);
  if (watchdogMs > 0) {
    const settings = { lockdep: options.lockdep ?? {}, faults: options.faults ?? {} };
    beatInto(requestWatch(parentPort!, { source, settings, limitMs: watchdogMs }, options.maxSteps ?? DEFAULT_MAX_STEPS));
  }
  post({ kind: 'result', result: await explore(scenario, { ...options, onFailure: (found) => post({ kind: 'found', found }) }) });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  post({ kind: 'threw', error: e, kemuKind: KemuError.is(error) ? error.kind : null });
}
