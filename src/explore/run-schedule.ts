/**
 * Runs one schedule of a scenario: a fresh kernel, the scenario as its first
 * task, the given chooser deciding every step.
 *
 * A run happens entirely within one macrotask turn: every hand-off is a
 * microtask. If the event loop gets to run a macrotask while a run is still in
 * progress, the running task must have awaited something kemu does not control
 * (a timer, I/O, a foreign promise); the escape watchdog, one setImmediate
 * shared by all runs, catches that and stops the run with a clear error instead
 * of letting the test process hang.
 */
import { KemuError } from '../kernel/errors.js';
import { Kernel, type Chooser, type RunOutcome } from '../kernel/kernel.js';
import type { LockdepOptions } from '../kernel/lockdep/lockdep.js';
import type { FaultPlan } from '../kernel/fault-inject.js';
import { CALL_TRACE_FRAMES, lastSchedulingPoint } from '../kernel/sched/call-trace.js';
import { describeOp } from '../kernel/sched/describe.js';
import { runBegins, runEnds } from '../kernel/heartbeat.js';
import type { TaskIdentities } from '../kernel/sched/task-identities.js';

/** A scenario: builds a machine and spawns tasks. It runs as the first task (`swapper/0`, pid 1). */
export type Scenario = (kernel: Kernel) => Promise<unknown> | unknown;

export interface RunSettings {
  maxSteps: number;
  lockdep: LockdepOptions;
  faults: FaultPlan;
  capture: boolean;
  /** Shared by the runs of one search, so a task has the same identity in all of them. */
  identities?: TaskIdentities;
}

class EscapeWatchdog {
  private armed = false;
  private watched: Kernel | null = null;

  watch(kernel: Kernel): void {
    this.watched = kernel;
    if (this.armed) return;
    this.armed = true;
    setImmediate(() => this.check());
  }

  release(): void {
    this.watched = null;
  }

  private check(): void {
    this.armed = false;
    const kernel = this.watched;
    if (kernel === null || kernel.over) return;
    const task = kernel.running;
    const where = task ? `${task.label}, after its step ${kernel.stepCount} (${describeOp(task.pending)})` : 'no task';
    const trace = task?.callTrace ? lastSchedulingPoint(task.callTrace) : '';
    kernel.misuse = new KemuError('escaped-task',
      `task ${where} awaited a promise kemu does not control (a timer, I/O, or a promise made outside the run). ` +
      `Kernel code may only wait through kemu's primitives (mutex_lock, wait_for_completion, cpu_relax, …).${trace}`);
    kernel.abortRun();
  }
}

const watchdog = new EscapeWatchdog();

/** The run in progress in this thread, if any: runs share the thread's current task, so only one may go at a time. */
let inProgress: Kernel | null = null;

export async function runSchedule(scenario: Scenario, chooser: Chooser, settings: RunSettings): Promise<{ kernel: Kernel; outcome: RunOutcome }> {
  if (inProgress !== null && !inProgress.over) {
    throw new KemuError('bad-usage', 'another kemu run is in progress in this thread: two searches (or replays) at once would interleave their ' +
      'steps. Await one before starting the next, or run them in worker threads (exploreInWorker, searchInWorkers)');
  }
  const kernel = new Kernel({ chooser, maxSteps: settings.maxSteps, capture: settings.capture, lockdep: settings.lockdep, faults: settings.faults, identities: settings.identities });
  inProgress = kernel;
  watchdog.watch(kernel);
  // Errors thrown by model code are oopses: keep their whole stack (V8 keeps 10 frames by default).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(stackTraceLimit, CALL_TRACE_FRAMES);
  let outcome: RunOutcome;
  runBegins();
  try {
    outcome = await kernel.boot('swapper/0', () => scenario(kernel));
  } finally {
    runEnds();
    Error.stackTraceLimit = stackTraceLimit;
    inProgress = null;
  }
  watchdog.release();
  if (kernel.misuse !== null) throw kernel.misuse;
  return { kernel, outcome };
}
