/**
 * The record of one run's choices: which task ran at each step and what
 * operation it executed. It counts preemptions (switching away from a task
 * that could have gone on) and turns into a replay token.
 */
import type { Chooser, Kernel } from '../kernel/kernel.js';
import type { Task } from '../kernel/sched/task.js';

export class ScheduleRecorder implements Chooser {
  readonly pids: number[] = [];
  readonly ops: number[] = [];
  preemptions = 0;

  constructor(private readonly inner: Chooser) {}

  choose(enabled: readonly Task[], kernel: Kernel): Task | null {
    const next = this.inner.choose(enabled, kernel);
    if (next === null) return null;
    const previous = kernel.running;
    if (previous !== null && previous !== next && enabled.includes(previous)) this.preemptions++;
    this.pids.push(next.pid);
    this.ops.push(next.pending.kind);
    return next;
  }

  stepEnded(task: Task, accesses: readonly number[], kernel: Kernel): void {
    this.inner.stepEnded?.(task, accesses, kernel);
  }
}
