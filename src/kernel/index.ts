/** The kernel runtime's public API: what model code and scenarios use. */
export { Kernel, type Chooser, type RunOutcome, type TraceStep } from './kernel.js';
export { KemuError, type KemuErrorKind } from './errors.js';
export * from './errno.js';
export { current } from './sched/current.js';
export type { Task, SpawnOptions } from './sched/task.js';
export { cpu_relax, cond_resched } from './sched/relax.js';
export { Mutex, mutex_lock, mutex_unlock, mutex_trylock, mutex_is_locked } from './locking/mutex.js';
export { RawSpinlock, raw_spin_lock, raw_spin_unlock, raw_spin_lock_irqsave, raw_spin_unlock_irqrestore, local_irq_save, local_irq_restore, type IrqFlags } from './locking/spinlock.js';
export { Completion, complete, complete_all, wait_for_completion } from './locking/completion.js';
export type { LockClass } from './locking/lock-base.js';
export { Cell } from './memory/cell.js';
export { READ_ONCE, WRITE_ONCE, atomic_rmw, atomic_read, atomic_set, atomic_add_return, atomic_inc_return, atomic_dec_return, atomic_xchg, atomic_cmpxchg } from './memory/once.js';
export { Register, readl, writel, readq, writeq, type RegisterBehaviour } from './memory/mmio.js';
export { PhysMemory, type DmaBuffer } from './memory/phys-memory.js';
export { WARN_ON, lockdep_assert_held, kemu_note } from './assert.js';
export { printk, pr_info, pr_warn, pr_err, pr_emerg, pr_debug } from './printk.js';
export type { KernelReport, ReportKind, TaskSnapshot, LockSnapshot } from './detect/report.js';
export type { LockdepOptions } from './lockdep/lockdep.js';
