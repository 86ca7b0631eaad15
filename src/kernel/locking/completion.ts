/**
 * Completions (kernel/sched/completion.c): `complete` posts one wake-up,
 * `complete_all` releases every waiter for good, `wait_for_completion` sleeps
 * uninterruptibly until one is available.
 */
import { SharedObject } from '../shared-object.js';
import { OpKind } from '../sched/op.js';
import { current } from '../sched/current.js';

/** `done` value complete_all() leaves, as the kernel's UINT_MAX. */
export const COMPLETE_ALL = Number.MAX_SAFE_INTEGER;

export class Completion extends SharedObject {
  done = 0;
}

export function complete(x: Completion): Promise<void> {
  const task = current();
  return task.kernel.point(task, { kind: OpKind.Complete, obj: x, arg: false }) as Promise<void>;
}

export function complete_all(x: Completion): Promise<void> {
  const task = current();
  return task.kernel.point(task, { kind: OpKind.Complete, obj: x, arg: true }) as Promise<void>;
}

export function wait_for_completion(x: Completion): Promise<void> {
  const task = current();
  return task.kernel.point(task, { kind: OpKind.WaitCompletion, obj: x, arg: null }) as Promise<void>;
}
