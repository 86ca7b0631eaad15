/**
 * The worker that replays a stalled run up to its stalled step (see
 * watchdog.ts): it loads the scenario from its source, is watched itself (a
 * replay of a scenario that is not deterministic could loop elsewhere), and
 * sends back what the task was doing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StallReplay } from './watchdog.js';

const { source, settings, limitMs, schedule, sourceMaps } = workerData as StallReplay;
// As in the thread that asked (source maps are a thread's setting); before the modules whose frames call traces show are loaded.
process.setSourceMapsEnabled(sourceMaps);
const { beatInto } = await import('../kernel/heartbeat.js');
const { loadScenario } = await import('./parallel.js');
const { replayToStall, requestWatch } = await import('./watchdog.js');

const scenario = await loadScenario(source);
beatInto(requestWatch(parentPort!, { source, settings, limitMs }, schedule.length));
parentPort!.postMessage(await replayToStall(scenario, schedule, settings));
