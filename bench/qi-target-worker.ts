/**
 * The repeats of one configuration of bench/qi-targets.ts, searched with
 * DPOR in the worker thread this module runs in: a heap of its own, with
 * the young generation every kemu search thread gets, as `kemu run` and
 * `--workers` search. Posts each repeat as it ends (a TargetRun).
 *
 * With `floorPasses`, it then measures the floor under the search: one more
 * search records every run's choices, and each pass runs all of those runs
 * again under a chooser that only follows them. A pass executes the same
 * visible steps as a search, in the same kernel and model, without the
 * explorer; it posts each pass (a FloorPass).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { search } from '../src/explore/index.js';
import { runSchedule, type RunSettings } from '../src/explore/run-schedule.js';
import { DEFAULT_MAX_STEPS } from '../src/explore/explore.js';
import type { Chooser, Kernel } from '../src/kernel/index.js';
import { observeKernel } from '../src/kernel/events.js';
import { TaskIdentities } from '../src/kernel/sched/task-identities.js';
import { qiZeroCount } from '../drivers/iommu/intel/scenarios.js';
import type { FloorPass, TargetConfig, TargetRun } from './qi-targets.js';

/** CPU (user + system) of the process: this thread's search, V8's helper threads, and a main thread that only waits. */
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const c = workerData as TargetConfig;
const scenarioOf = () => qiZeroCount({ variant: c.variant, counts: c.counts, queueLength: c.queueLength, submissions: c.submissions });

for (let i = 0; i < c.repeats; i++) {
  const scenario = scenarioOf();
  let steps = 0;
  let last: Kernel | null = null;
  const counted = (kernel: Kernel) => {
    if (last) steps += last.stepCount;
    last = kernel;
    return scenario(kernel);
  };
  const t = cpuMs();
  const result = await search(counted, { strategy: 'dpor', stopOnFirstFailure: c.expect === 'lockup' });
  const spent = cpuMs() - t;
  const run: TargetRun = {
    schedules: result.schedules, pruned: result.pruned, stoppedBy: result.stoppedBy, stepBounded: result.stepBounded,
    failures: result.found.map((f) => f.signature.split(':')[0]!), cpuMs: spent, steps: steps + ((last as Kernel | null)?.stepCount ?? 0),
  };
  parentPort!.postMessage(run);
}

if (c.floorPasses) {
  // The pids each run of the search chose, step by step (cut runs included).
  const recorded: number[][] = [];
  const scenario = scenarioOf();
  await search((kernel) => {
    // The scenario runs as the run's first step, which was announced before it could listen.
    const pids = [kernel.running!.pid];
    recorded.push(pids);
    observeKernel(kernel).on('step', (e) => void pids.push(e.task.pid));
    return scenario(kernel);
  }, { strategy: 'dpor', stopOnFirstFailure: c.expect === 'lockup' });

  const settings: RunSettings = { maxSteps: DEFAULT_MAX_STEPS, lockdep: {}, faults: {}, capture: false, identities: new TaskIdentities() };
  for (let pass = 0; pass < c.floorPasses; pass++) {
    let steps = 0;
    const t = cpuMs();
    for (const pids of recorded) {
      const { kernel } = await runSchedule(scenario, followChooser(pids), settings);
      steps += kernel.stepCount;
    }
    parentPort!.postMessage({ cpuMs: cpuMs() - t, steps } satisfies FloorPass);
  }
}

/**
 * Takes the recorded pids in turn; where they end, cuts the run as the search
 * did. Not ReplayChooser: a token cannot end a run early, and its checks at
 * every step would count in the floor.
 */
function followChooser(pids: readonly number[]): Chooser {
  let step = 0;
  return {
    choose(enabled) {
      if (step === pids.length) return null;
      const pid = pids[step++]!;
      const task = enabled.find((t) => t.pid === pid);
      if (!task) throw new Error(`the floor's run left the search's schedule at step ${step}: pid ${pid} cannot run`);
      return task;
    },
  };
}
