/**
 * The worker that replays a stalled run up to its stalled step (see
 * watchdog.ts): it loads the scenario from its source, is watched itself (a
 * replay of a scenario that is not deterministic could loop elsewhere), and
 * sends back what the task was doing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StallReplay } from './watchdog.js';

const { source, settings, limitMs, schedule } = workerData as StallReplay;
// Call traces name the .ts files, as the kemu command's do (a thread's own setting): on before the modules are loaded.
process.setSourceMapsEnabled(true);
const { beatInto } = await import('../kernel/heartbeat.js');
const { loadScenario } = await import('./scenario-source.js');
const { replayToStall, requestWatch } = await import('./watchdog.js');

const scenario = await loadScenario(source);
beatInto(requestWatch(parentPort!, { source, settings, limitMs }, schedule.length));
parentPort!.postMessage(await replayToStall(scenario, schedule, settings));
