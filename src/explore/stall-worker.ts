/**
 * The worker that replays a stalled run up to its stalled step (see
 * watchdog.ts): it loads the scenario from its source, is watched itself (a
 * replay of a scenario that is not deterministic could loop elsewhere), and
 * sends back what the task was doing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { beatInto } from '../kernel/heartbeat.js';
import { loadScenario } from './scenario-source.js';
import { replayToStall, requestWatch, type StallReplay } from './watchdog.js';

const { source, settings, limitMs, schedule } = workerData as StallReplay;

const scenario = await loadScenario(source);
beatInto(requestWatch(parentPort!, { source, settings, limitMs }, schedule.length));
parentPort!.postMessage(await replayToStall(scenario, schedule, settings));
