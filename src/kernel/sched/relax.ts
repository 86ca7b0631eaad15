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
import { visible } from './visible.js';

export function cpu_relax(): Promise<void> {
  return visible(OpKind.CpuRelax, null);
}

/** cond_resched()/schedule(): a scheduling point that touches nothing shared. */
export function cond_resched(): Promise<void> {
  return visible(OpKind.Schedule, null);
}
