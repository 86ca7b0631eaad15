/**
 * How a primitive becomes a visible operation: the current task announces it
 * to its kernel and waits until the scheduler has executed it. Every primitive
 * (mutex_lock, READ_ONCE, readl, cpu_relax, …) is one call of this.
 */
import type { SharedObject } from '../shared-object.js';
import { current } from './current.js';
import type { OpKind } from './op.js';

export function visible<T>(kind: OpKind, obj: SharedObject | null, arg?: unknown): Promise<T> {
  const task = current();
  return task.kernel.point(task, { kind, obj, arg }) as Promise<T>;
}
