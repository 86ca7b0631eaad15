/**
 * Completions (kernel/sched/completion.c): `complete` posts one wake-up,
 * `complete_all` releases every waiter for good, `wait_for_completion` sleeps
 * uninterruptibly until one is available.
 */
import { SharedObject } from '../shared-object.js';
import { OpKind } from '../sched/op.js';
import { visible } from '../sched/visible.js';

/** `done` value complete_all() leaves, as the kernel's UINT_MAX. */
export const COMPLETE_ALL = Number.MAX_SAFE_INTEGER;

export class Completion extends SharedObject {
  done = 0;
}

export function complete(x: Completion): Promise<void> {
  return visible(OpKind.Complete, x, false);
}

export function complete_all(x: Completion): Promise<void> {
  return visible(OpKind.Complete, x, true);
}

export function wait_for_completion(x: Completion): Promise<void> {
  return visible(OpKind.WaitCompletion, x);
}
