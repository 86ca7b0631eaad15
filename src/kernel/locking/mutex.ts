/**
 * Sleeping mutexes (kernel/locking/mutex.c). mutex_lock is a scheduling point:
 * a task that finds the mutex held blocks (TASK_UNINTERRUPTIBLE) until the
 * owner unlocks it, which is how the hung-task detector gets to see it.
 */
import { LockBase, type LockClass, type LockWaitType } from './lock-base.js';
import { OpKind } from '../sched/op.js';
import { visible } from '../sched/visible.js';

export class Mutex extends LockBase {
  readonly waitType: LockWaitType = 'sleep';

  /** `name` is the instance; `lockClass` defaults to a class of the same name. */
  constructor(name: string, lockClass: LockClass = { name }) {
    super(name, lockClass);
  }
}

/** Models mutex_lock() (kernel/locking/mutex.c): might_sleep, then acquire or block. */
export function mutex_lock(lock: Mutex): Promise<void> {
  return visible(OpKind.MutexLock, lock);
}

/** Models mutex_trylock(): 1 if acquired, 0 if the mutex was held. */
export function mutex_trylock(lock: Mutex): Promise<number> {
  return visible(OpKind.MutexTrylock, lock);
}

/** Models mutex_unlock(). */
export function mutex_unlock(lock: Mutex): Promise<void> {
  return visible(OpKind.MutexUnlock, lock);
}

/**
 * Models mutex_is_locked() (include/linux/mutex.h): an atomic read of the
 * owner word, so a visible operation another CPU's lock or unlock can race with.
 */
export function mutex_is_locked(lock: Mutex): Promise<boolean> {
  return visible(OpKind.MutexIsLocked, lock);
}
