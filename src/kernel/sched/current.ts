/**
 * The running task, as the kernel's `current`. Only one run executes at a time
 * in a JavaScript thread (a whole run happens within one macrotask turn), so a
 * module-level pointer is exact, and kernel code can call `mutex_lock(&m)`
 * without threading a context through every call, as it does in C.
 */
import { KemuError } from '../errors.js';
import type { Task } from './task.js';
import type { Watched } from './poll-window.js';

/** What shared objects need from the run they belong to. */
export interface RunContext {
  /** Ids for `count` new shared objects, consecutive, the first returned (creation order within the run). */
  registerObjects(count: number): number;
  /** Records a read by the running step of `obj`, which held `value`. */
  recordRead(obj: Watched, value: unknown): void;
  /** Records a write by the running step; `changed` is false when it stored the value already there. */
  recordWrite(obj: Watched, changed: boolean): void;
}

let runningKernel: RunContext | null = null;
let runningTask: Task | null = null;

export function setCurrent(kernel: RunContext | null, task: Task | null): void {
  runningKernel = kernel;
  runningTask = task;
}

export function setCurrentTask(task: Task | null): void {
  runningTask = task;
}

export function currentKernelOrNull(): RunContext | null {
  return runningKernel;
}

/** The task whose code is running now (`current` in the kernel). */
export function current(): Task {
  if (runningTask === null) {
    throw new KemuError('bad-usage', 'kernel code called outside a kemu task: run it from a scenario or a spawned task');
  }
  return runningTask;
}
