/**
 * The visible operations: every place where kernel code can be interleaved with
 * another CPU or with hardware. A task announces its next operation and stops;
 * the scheduler sees every task's pending operation, picks one task, executes
 * that operation atomically, and lets the task run to its next announcement.
 */
import type { SharedObject } from '../shared-object.js';

export const enum OpKind {
  Start,          // a new task's first step
  Read,           // READ_ONCE, atomic_read
  Write,          // WRITE_ONCE, atomic_set
  Rmw,            // atomic read-modify-write (xchg, cmpxchg, add_return)
  MmioRead,       // readl/readq on a device register
  MmioWrite,      // writel/writeq on a device register
  MutexLock,
  MutexTrylock,
  MutexUnlock,
  SpinLock,
  SpinUnlock,
  CpuRelax,       // spin-wait: runnable again only once something it read has changed
  Complete,
  WaitCompletion,
  Schedule,       // a plain scheduling point with no shared access (cond_resched, yield)
  MutexIsLocked,  // mutex_is_locked: a look at the owner word (appended last: tokens record kinds by number)
}

/** Names a kernel developer recognises, for reports, traces and replay messages. */
export const OP_NAMES: readonly string[] = [
  'start', 'READ_ONCE', 'WRITE_ONCE', 'atomic_rmw', 'readl', 'writel', 'mutex_lock', 'mutex_trylock',
  'mutex_unlock', 'raw_spin_lock', 'raw_spin_unlock', 'cpu_relax', 'complete', 'wait_for_completion', 'schedule',
  'mutex_is_locked',
];

/** A pending operation. `obj` is the shared object it touches (absent for Start/Schedule/CpuRelax). */
export interface Op {
  kind: OpKind;
  obj: SharedObject | null;
  /** Written value (Write, MmioWrite), update function (Rmw), irqsave flag (SpinLock/SpinUnlock). */
  arg: unknown;
  /** What the operation will access (see access.ts), worked out once by the kernel when the explorer asks. */
  footprint?: number[];

}
