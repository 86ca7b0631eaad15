/**
 * Reports raised at the moment something goes wrong, while the run goes on
 * (WARN, sleeping in atomic context) or stops at once (a task taking a mutex
 * it holds, a task that threw).
 */
import { HUNG_TASK_TIMEOUT_SECS } from './stuck.js';
import { NSEC_PER_SEC } from '../clock.js';
import type { Kernel } from '../kernel.js';
import type { LockBase } from '../locking/lock-base.js';
import { captureCallTrace, frameFunction } from '../sched/call-trace.js';
import { describeOp } from '../sched/describe.js';
import type { Op } from '../sched/op.js';
import type { Task } from '../sched/task.js';
import type { KernelReport } from './report.js';
import { snapshotTask } from './snapshot.js';

function base(kernel: Kernel, task: Task): Pick<KernelReport, 'ns' | 'step' | 'task' | 'others' | 'chain' | 'stuckSeconds'> {
  return { ns: kernel.clock.ns, step: kernel.stepCount, task: snapshotTask(kernel, task), others: [], chain: [], stuckSeconds: 0 };
}

/** The function that called the checking primitive: the WARN's location. Costs a stack capture, and WARNs are rare. */
function warnSite(skip: RegExp): string {
  for (const frame of captureCallTrace()) {
    const fn = frameFunction(frame);
    if (!skip.test(fn)) return fn;
  }
  return '<unknown>';
}

/** A task blocks on a mutex it already owns: it can never wake. The hung-task detector would report it. */
export function reportSelfDeadlock(kernel: Kernel, task: Task, lock: LockBase): KernelReport {
  kernel.clock.advanceTo(task.pendingSince + 2 * HUNG_TASK_TIMEOUT_SECS * NSEC_PER_SEC);
  return {
    ...base(kernel, task), kind: 'hung-task', fatal: true,
    signature: `hung-task:${task.comm}@${lock.lockClass.name}:self`,
    title: `self-deadlock: ${task.comm} takes ${lock.label}, which it already holds`,
    message: `${task.label} is blocked on a mutex likely owned by task ${task.label}`,
    location: lock.lockClass.name, stuckSeconds: HUNG_TASK_TIMEOUT_SECS,
  };
}

/** __might_sleep(): a sleeping lock taken in atomic context. */
export function reportSleepInAtomic(kernel: Kernel, task: Task, op: Op): KernelReport {
  const site = warnSite(/^(mutex_|wait_for_completion|device_lock|__might_sleep)/);
  return {
    ...base(kernel, task), kind: 'sleep-in-atomic', fatal: false,
    signature: `sleep-in-atomic:${site}`,
    title: `sleeping function called from invalid context: ${describeOp(op)} in ${site}`,
    message: describeOp(op), location: site,
  };
}

/** WARN_ON / lockdep_assert_held failure: printed, and the run goes on. */
export function reportWarn(kernel: Kernel, task: Task, message: string, condition: string): KernelReport {
  const site = warnSite(/^(WARN|lockdep_assert|device_lock_assert|mutex_unlock|raw_spin_unlock)/);
  return {
    ...base(kernel, task), kind: 'warn', fatal: false,
    signature: `warn:${site}:${condition}`,
    title: `WARNING in ${site}: ${message}`,
    message: `${condition}: ${message}`, location: site,
  };
}

/** Kernel code threw: the emulator's oops. The stack is the thrown error's. */
export function reportOops(kernel: Kernel, task: Task, error: unknown): KernelReport {
  const err = error instanceof Error ? error : new Error(String(error));
  const snapshot = snapshotTask(kernel, task);
  const trace = (err.stack ?? '').split('\n').slice(1).map((l) => l.trim().replace(/^at /, '')).filter((l) => !/node:internal|node_modules/.test(l));
  snapshot.callTrace = trace;
  const where = trace[0] ? frameFunction(trace[0]).replace(/^async /, '') : '<unknown>';
  return {
    ...base(kernel, task), task: snapshot, kind: 'oops', fatal: true,
    signature: `oops:${err.name}:${where}`,
    title: `${task.comm} threw ${err.name}: ${err.message}`,
    message: `${err.name}: ${err.message}`, location: where,
  };
}
