/**
 * A word of memory that more than one task (or a device) can see: a DMA status
 * word, a lock-protected counter, a device register. Plain `get`/`set` are not
 * scheduling points (use them for data a lock protects, or inside a step); the
 * visible accesses are READ_ONCE/WRITE_ONCE/atomics and MMIO. Every access is
 * recorded, so the explorer knows which steps depend on each other and a
 * spinning task knows what it is waiting for.
 */
import { SharedObject, type ReservedId } from '../shared-object.js';
import type { Watched } from '../sched/poll-window.js';

export type ValueFormatter<T> = (value: T) => string;

export class Cell<T = number> extends SharedObject implements Watched {
  /** `reserved`: the id taken for it in advance (a cell of a CellArray); otherwise it takes the next. */
  constructor(name: string, public value: T, readonly format?: ValueFormatter<T>, reserved?: ReservedId) {
    super(name, reserved);
  }

  watchedValue(): T {
    return this.value;
  }

  /** Plain load (not a scheduling point). */
  get(): T {
    this.run.recordRead(this, this.value);
    return this.value;
  }

  /** Plain store (not a scheduling point). */
  set(value: T): void {
    const changed = value !== this.value;
    this.value = value;
    this.run.recordWrite(this, changed);
  }

  describe(value: T = this.value): string {
    return this.format ? this.format(value) : readable(value);
  }
}

/**
 * A value as a timeline shows it: its own toString, or for a plain object
 * with a name (a struct of ops, say) that name, as `%ps` prints a symbol.
 */
function readable(value: unknown): string {
  if (typeof value === 'object' && value !== null && value.toString === Object.prototype.toString) {
    const name = (value as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return String(value);
}
