/**
 * One run of a scenario under a choice function of the harness's own, with
 * every step recorded: which task took it and what it touched. This is the
 * harness's only way into kemu: the Kernel and runSchedule execute the run,
 * and nothing of the explorer's strategies is used.
 */
import { KemuError, type Chooser, type Kernel, type RunOutcome, type Task } from '../../src/kernel/index.js';
import { runSchedule, type Scenario } from '../../src/explore/run-schedule.js';
import type { Step } from './trace-class.js';

/** Picks the task for decision number `decision` (0-based) among `enabled` (pid order). */
export type ChooseFn = (enabled: readonly Task[], decision: number) => Task;

export interface RecordedRun {
  readonly kernel: Kernel;
  readonly outcome: RunOutcome;
  readonly steps: Step[];
}

/** Steps a generated program or a test scenario may take in one run before the run counts as endless. */
export const MAX_STEPS = 10_000;

export async function recordedRun(scenario: Scenario, choose: ChooseFn): Promise<RecordedRun> {
  const steps: Step[] = [];
  let decision = 0;
  const chooser: Chooser = {
    choose: (enabled) => choose(enabled, decision++),
    stepEnded: (task, accesses) => void steps.push({ task: task.comm, accesses: [...accesses] }),
  };
  const { kernel, outcome } = await runSchedule(scenario, chooser, { maxSteps: MAX_STEPS, lockdep: { enabled: false }, faults: {}, capture: false });
  if (outcome.kind === 'step-bound') {
    throw new KemuError('bad-usage', `a run took more than ${MAX_STEPS} steps: the scenario does not end under the schedule ${scheduleText(steps.map((s) => s.task))}`);
  }
  return { kernel, outcome, steps };
}

/** Reruns a schedule given as the pid of each step (what explore's onRunEnd reports), with the harness's own chooser. */
export function replaySchedule(scenario: Scenario, pids: readonly number[]): Promise<RecordedRun> {
  return recordedRun(scenario, (enabled, decision) => {
    const task = enabled.find((t) => t.pid === pids[decision]);
    if (task === undefined) {
      throw new KemuError('replay-mismatch', `the schedule ${pids.join(' ')} does not replay: pid ${pids[decision]} cannot run at decision ${decision + 1}`);
    }
    return task;
  });
}

/** A schedule as a person reads it: the task of each step, repeats folded (`swapper/0 t1×3 t2 t1`). */
export function scheduleText(tasks: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < tasks.length; ) {
    let j = i;
    while (j < tasks.length && tasks[j] === tasks[i]) j++;
    parts.push(j - i > 1 ? `${tasks[i]}×${j - i}` : tasks[i]!);
    i = j;
  }
  return parts.join(' ');
}
