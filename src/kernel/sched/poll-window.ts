/**
 * The spin-wait rule: when may a task that calls cpu_relax() stop running
 * until something changes, and what is that something?
 *
 * A task's poll window is what it did since the window opened: at the task's
 * start, at spin_begin(), and at each return from cpu_relax(). At cpu_relax()
 * the window is one iteration of a poll loop. If the iteration changed no
 * shared value (it wrote nothing, or only values the cells already held), and
 * ended holding no lock it did not hold when the window opened, then running
 * it again in the same state would read the same values and do the same
 * thing: it is redundant until one of the values it read or rewrote changes.
 * The task parks on exactly those (each object with the value it got or
 * left), and on the observer slot of every lock the iteration took, which a
 * task bumps when it is about to try or test that lock (a skipped iteration
 * could have held it then). A task whose window is not parkable just goes on,
 * which is always sound. A parked task nothing can wake is a proven lockup.
 *
 * docs/explorer.md has the argument and the contract model code keeps: the
 * code between two cpu_relax() calls of a loop is one iteration, deterministic
 * in what its visible reads return; between cpu_relax() and the loop's next
 * check it only re-takes locks.
 */
import type { LockBase } from '../locking/lock-base.js';

/** Something a parked task can watch: it has an id (for the explorer) and a current value. */
export interface Watched {
  readonly id: number;
  watchedValue(): unknown;
}

/** What a parked cpu_relax() waits for: any of these objects to hold another value than the one seen. */
export interface SpinWait {
  readonly objects: Watched[];
  readonly values: unknown[];
  /** The step during which the poll began (its reads come after): writes since then may have woken it. */
  readonly since: number;
}

/** Distinct reads a window keeps; an iteration that reads more is not a poll, and does not park. */
const MAX_WATCHED = 256;

export class PollWindow {
  private objects: Watched[] = [];
  private values: unknown[] = [];
  private acquired: LockBase[] = [];
  private heldAtStart: LockBase[] = [];
  /** The iteration changed a value, or read more than a poll watches: it does not park. */
  private unparkable = false;
  private openedAt = 0;

  /** Opens a new window during step `step`; `held` are the locks the task holds now. */
  open(held: readonly { lock: LockBase }[], step: number): void {
    this.openedAt = step;
    this.objects = [];
    this.values = [];
    this.acquired = [];
    this.heldAtStart = held.map((h) => h.lock);
    this.unparkable = false;
  }

  read(object: Watched, value: unknown): void {
    if (this.unparkable) return;
    const objects = this.objects;
    for (let i = objects.length - 1; i >= 0; i--) if (objects[i] === object && this.values[i] === value) return;
    if (objects.length === MAX_WATCHED) {
      this.unparkable = true;
      return;
    }
    objects.push(object);
    this.values.push(value);
  }

  /**
   * A write to shared state (not a lock). One that changed a value makes the
   * iteration not redundant; one that stored the value already there is
   * watched like a read, since repeating it matters only if someone changes it.
   */
  write(object: Watched | null, changed: boolean): void {
    if (changed || object === null) this.unparkable = true;
    else this.read(object, object.watchedValue());
  }


  acquire(lock: LockBase): void {
    if (!this.acquired.includes(lock)) this.acquired.push(lock);
  }



  /** At cpu_relax(): what to park on, or null if the window is not a redundant-when-repeated iteration. */
  close(held: readonly { lock: LockBase }[]): SpinWait | null {
    if (this.unparkable) return null;
    for (const h of held) if (!this.heldAtStart.includes(h.lock)) return null;
    const objects = this.objects.slice();
    const values = this.values.slice();
    for (const lock of this.acquired) {
      const slot = lock.observers;
      objects.push(slot);
      values.push(slot.watchedValue());
    }
    return { objects, values, since: this.openedAt };
  }
}

/** Whether a parked task may run again: something it watches holds another value. */
export function spinWoken(spin: SpinWait): boolean {
  const { objects, values } = spin;
  for (let i = 0; i < objects.length; i++) if (objects[i]!.watchedValue() !== values[i]) return true;
  return false;
}
