/**
 * cpu_relax() and plain scheduling points.
 *
 * A polling loop calls cpu_relax() between polls. When the poll that just
 * ended wrote nothing and took no lock it kept, kemu does not run the loop
 * again until another task or a device changes something that poll read:
 * a poll that would read the same values cannot behave differently, so it is
 * skipped (poll-window.ts has the rule, docs/explorer.md the argument). If
 * nothing can ever change what it read, the task is provably stuck: a lockup.
 */
import { OpKind } from './op.js';
import { current } from './current.js';
import { visible } from './visible.js';

/**
 * Models spin_begin() (include/linux/processor.h): the start of a busy-wait
 * loop. Not a scheduling point. For kemu it marks where the loop's first
 * iteration begins, so the first cpu_relax() parks on what that iteration
 * read and not on what the code before the loop read (docs/explorer.md, the
 * spin-wait rule). Without it the first window starts at the task's previous
 * cpu_relax() or at its start, which is sound but wakes the poller for
 * changes that cannot end the loop. A loop whose cpu_relax() comes last in
 * each pass may also call it at the top of every pass.
 */
export function spin_begin(): void {
  const task = current();
  task.poll.open(task.heldLocks, task.kernel.stepCount);
}

/** Models spin_end(): the end of a busy-wait loop (nothing for kemu to do). */
export function spin_end(): void {}

export function cpu_relax(): Promise<void> {
  return visible(OpKind.CpuRelax, null);
}

/** cond_resched()/schedule(): a scheduling point that touches nothing shared. */
export function cond_resched(): Promise<void> {
  return visible(OpKind.Schedule, null);
}
