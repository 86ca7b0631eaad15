/**
 * The worker thread of exploreInWorker (explore-in-worker.ts): it loads the
 * scenario from its module, asks its supervisor to watch its runs, explores,
 * and sends back each failure as it is found, then the result (or what
 * explore() threw).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExploreWork, ExploreWorkerMessage } from './explore-in-worker.js';
import { KemuError } from '../kernel/errors.js';
import { beatInto } from '../kernel/heartbeat.js';
import { DEFAULT_MAX_STEPS, explore } from './explore.js';
import { loadScenario } from './scenario-source.js';
import { requestWatch } from './watchdog.js';

const { source, options, watchdogMs } = workerData as ExploreWork;

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
