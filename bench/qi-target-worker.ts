/**
 * The repeats of one configuration of bench/qi-targets.ts, searched with
 * DPOR in the worker thread this module runs in: a heap of its own, with
 * the young generation every kemu search thread gets, as `kemu run` and
 * `--workers` search. Posts each repeat as it ends (a TargetRun).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { search } from '../src/explore/index.js';
import type { Kernel } from '../src/kernel/index.js';
import { qiZeroCount } from '../drivers/iommu/intel/scenarios.js';
import type { TargetConfig, TargetRun } from './qi-targets.js';

/** CPU (user + system) of the process: this thread's search, V8's helper threads, and a main thread that only waits. */
const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const c = workerData as TargetConfig;
for (let i = 0; i < c.repeats; i++) {
  const scenario = qiZeroCount({ variant: c.variant, counts: c.counts, queueLength: c.queueLength, submissions: c.submissions });
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
