/**
 * What mutexes and spinlocks share: an owner, a lock class for lockdep, and the
 * name reports print. The class is what lockdep validates (every lock made at
 * one site shares one class); the instance name tells which object it was.
 */
import { SharedObject } from '../shared-object.js';
import { derivedObjectId } from '../sched/access.js';
import type { Watched } from '../sched/poll-window.js';
import type { Task } from '../sched/task.js';

/** How a lockdep that validates device mutexes gives them classes: one per device, per driver or per bus. */
export type DeviceLockClasses = 'device' | 'driver' | 'bus';

/** The class a validated lock gets: a key, and a subclass that annotates nesting within the key. */
export interface LockdepKey {
  readonly key: string;
  readonly subclass: number;
}

export interface LockClass {
  /** As lockdep prints it: `&dev->mutex`, `&qi->q_lock`. */
  readonly name: string;
  /** `lockdep_set_novalidate_class`: tracked as held, never checked for order or recursion. */
  readonly novalidate?: boolean;
  /**
   * For a novalidate class that kemu can validate on request (device mutexes):
   * the class this lock would get, as lockdep_set_class_and_subclass() would
   * give it. Asked when the lock is taken.
   */
  readonly validateAs?: (classes: DeviceLockClasses) => LockdepKey;
}

export type LockWaitType = 'sleep' | 'spin';

/**
 * Counts the tasks that announced a mutex_trylock() or mutex_is_locked() of a
 * lock. A poller whose skipped iterations would have held the lock watches it,
 * so such a look can still see the lock held by one (see poll-window.ts).
 */
export class LockObservers implements Watched {
  count = 0;
  constructor(readonly id: number) {}

  watchedValue(): number {
    return this.count;
  }
}

export abstract class LockBase extends SharedObject implements Watched {
  owner: Task | null = null;
  abstract readonly waitType: LockWaitType;
  private observerSlot: LockObservers | null = null;

  constructor(name: string, readonly lockClass: LockClass) {
    super(name);
  }

  /** Whether the lock is held: what a mutex_is_locked() or failed trylock reads. */
  watchedValue(): boolean {
    return this.owner !== null;
  }

  get observers(): LockObservers {
    return (this.observerSlot ??= new LockObservers(derivedObjectId(this.id)));
  }

  /** `&dev->mutex (4a066000.mmu)`: the class, and the instance when it adds something. */
  get label(): string {
    return this.name === this.lockClass.name ? this.name : `${this.lockClass.name} (${this.name})`;
  }
}
