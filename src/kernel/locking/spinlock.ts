/**
 * Raw spinlocks (include/linux/spinlock.h). Holding one disables preemption;
 * the _irqsave forms also disable local interrupts. A task waiting for a held
 * spinlock spins on its CPU, so a spinlock that is never released shows up as
 * a lockup of the waiting CPU, not as a hung task.
 */
import { LockBase, type LockClass, type LockWaitType } from './lock-base.js';
import { OpKind } from '../sched/op.js';
import { current } from '../sched/current.js';
import { visible } from '../sched/visible.js';

export class RawSpinlock extends LockBase {
  readonly waitType: LockWaitType = 'spin';

  constructor(name: string, lockClass: LockClass = { name }) {
    super(name, lockClass);
  }
}

/** Saved interrupt state, as returned by raw_spin_lock_irqsave (true: IRQs were already off). */
export type IrqFlags = boolean;

export function raw_spin_lock(lock: RawSpinlock): Promise<void> {
  return visible(OpKind.SpinLock, lock, false);
}

export function raw_spin_unlock(lock: RawSpinlock): Promise<void> {
  return visible(OpKind.SpinUnlock, lock);
}

/** Disables local interrupts, takes the lock, and returns the previous interrupt state. */
export function raw_spin_lock_irqsave(lock: RawSpinlock): Promise<IrqFlags> {
  return visible(OpKind.SpinLock, lock, true);
}

/** Releases the lock and restores the interrupt state saved by raw_spin_lock_irqsave. */
export function raw_spin_unlock_irqrestore(lock: RawSpinlock, flags: IrqFlags): Promise<void> {
  return visible(OpKind.SpinUnlock, lock, flags);
}

/** local_irq_save(): not a scheduling point; returns the previous state. */
export function local_irq_save(): IrqFlags {
  const task = current();
  const flags = task.irqsDisabled;
  task.irqsDisabled = true;
  return flags;
}

export function local_irq_restore(flags: IrqFlags): void {
  current().irqsDisabled = flags;
}
