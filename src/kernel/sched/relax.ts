/**
 * cpu_relax() and plain scheduling points.
 *
 * A polling loop calls cpu_relax() between polls. kemu does not run the loop
 * again until another task or a device has changed something the task read
 * since its previous cpu_relax(): polls that would read the same values cannot
 * behave differently, so they are skipped. If nothing can ever change what it
 * reads, the task is provably stuck: a lockup.
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
 * changes that cannot end the loop.
 */
export function spin_begin(): void {
  const task = current();
  task.observedCells = [];
  task.observedValues = [];
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
