/**
 * Reports raised at the moment something goes wrong, while the run goes on
 * (WARN, sleeping in atomic context) or stops at once (a task taking a mutex
 * it holds, a task that threw).
 */
import { HUNG_TASK_TIMEOUT_SECS, WATCHDOG_THRESH_SECS } from './stuck.js';
import { NSEC_PER_SEC } from '../clock.js';
import type { Kernel } from '../kernel.js';
import type { LockBase } from '../locking/lock-base.js';
import { captureCallTrace, frameFunction, kernelFrames } from '../sched/call-trace.js';
import { describeOp } from '../sched/describe.js';
import type { Op } from '../sched/op.js';
import type { Task } from '../sched/task.js';
import type { KernelReport } from './report.js';
import { snapshotTask } from './snapshot.js';
import { grouped } from '../grouped.js';

function base(kernel: Kernel, task: Task, trace?: string[]): Pick<KernelReport, 'ns' | 'step' | 'task' | 'others' | 'chain' | 'stuckSeconds'> {
  const snapshot = snapshotTask(kernel, task);
  if (trace) snapshot.callTrace = trace;
  return { ns: kernel.clock.ns, step: kernel.stepCount, task: snapshot, others: [], chain: [], stuckSeconds: 0 };
}

/**
 * The current call trace from the frame that called the checking primitive:
 * its first frame, `fn (file:line)`, is the WARN's location. Costs a stack
 * capture, and WARNs are rare.
 */
function warnTrace(skip: RegExp): string[] {
  const trace = captureCallTrace();
  const site = trace.findIndex((frame) => !frame.includes('(src/kernel/') && !skip.test(frameFunction(frame)));
  return site < 0 ? trace : trace.slice(site);
}

/**
 * A task blocks on a mutex it already owns: it can never wake. Reported at
 * once, stamped with the time the hung-task detector would print it; the run
 * goes on, as the kernel's would, with the task blocked for good.
 */
export function reportSelfDeadlock(kernel: Kernel, task: Task, lock: LockBase): KernelReport {
  const timeout = HUNG_TASK_TIMEOUT_SECS * NSEC_PER_SEC;
  return {
    ...base(kernel, task), kind: 'hung-task', fatal: false,
    ns: Math.ceil((task.pendingSince + timeout) / timeout) * timeout,
    signature: `hung-task:${lock.lockClass.name}:self`,
    title: `self-deadlock: ${task.comm} takes ${lock.label}, which it already holds`,
    message: `${task.label} is blocked on a mutex likely owned by task ${task.label}`,
    location: lock.lockClass.name, stuckSeconds: HUNG_TASK_TIMEOUT_SECS,
  };
}

/**
 * A step that loops over memory without ever reaching a scheduling point: the
 * CPU never comes back, which the soft-lockup watchdog reports (a hard lockup
 * with interrupts off). `trace` is where the loop was when kemu stopped it.
 */
export function reportRunaway(kernel: Kernel, task: Task, trace: string[], accesses: number): KernelReport {
  // The loop is in the model's code: the first frame past kemu's own memory accessors.
  const site = trace.find((frame) => !frame.includes('(src/kernel/'));
  const where = site ? frameFunction(site) : '<unknown>';
  return {
    ...base(kernel, task, trace), kind: 'soft-lockup', fatal: true,
    signature: `soft-lockup:runaway:${where}`,
    title: `soft lockup: ${task.comm} loops forever in ${where} without a scheduling point`,
    message: `${task.label} made ${grouped(accesses)} memory accesses in one step, with no scheduling point: a loop that never ends`,
    location: where, stuckSeconds: 2 * WATCHDOG_THRESH_SECS + 2,
  };
}

/** __might_sleep(): a sleeping lock taken in atomic context. */
export function reportSleepInAtomic(kernel: Kernel, task: Task, op: Op): KernelReport {
  const trace = warnTrace(/^(mutex_|wait_for_completion|device_lock)/);
  const site = trace[0] ?? '<unknown>';
  return {
    ...base(kernel, task, trace), kind: 'sleep-in-atomic', fatal: false,
    signature: `sleep-in-atomic:${frameFunction(site)}`,
    title: `sleeping function called from invalid context: ${describeOp(op)} in ${frameFunction(site)}`,
    message: describeOp(op), location: site,
  };
}

/** WARN_ON / lockdep_assert_held failure: printed, and the run goes on. */
export function reportWarn(kernel: Kernel, task: Task, message: string, condition: string): KernelReport {
  const trace = warnTrace(/^(WARN|dev_WARN|lockdep_assert|device_lock_assert|mutex_unlock|raw_spin_unlock)/);
  const site = trace[0] ?? '<unknown>';
  return {
    ...base(kernel, task, trace), kind: 'warn', fatal: false,
    signature: `warn:${frameFunction(site)}:${condition}`,
    title: `WARNING in ${frameFunction(site)}: ${message}`,
    message: `${condition}: ${message}`, location: site,
  };
}

/**
 * Kernel code threw (BUG_ON, or a JavaScript error in model code): the
 * emulator's oops. The stack is the thrown error's. As in the kernel, the task
 * is killed and the machine runs on; `fatal` marks that the task never goes on.
 */
export function reportOops(kernel: Kernel, task: Task, error: unknown): KernelReport {
  const err = error instanceof Error ? error : new Error(String(error));
  const snapshot = snapshotTask(kernel, task);
  // BUG() and BUG_ON() are macros in the kernel: the oops is at their caller, so each BUG_ON site has its own signature.
  const trace = kernelFrames(err.stack ?? '').filter((frame) => !frame.includes('(src/kernel/assert.'));
  snapshot.callTrace = trace;
  // BUG() and BUG_ON() are macros in the kernel: the oops is at their caller.
  const site = trace.find((frame) => !/^BUG(_ON)?$/.test(frameFunction(frame)));
  const where = site ? frameFunction(site) : '<unknown>';
  return {
    ...base(kernel, task), task: snapshot, kind: 'oops', fatal: true,
    signature: `oops:${err.name}:${where}`,
    title: `${task.comm} threw ${err.name}: ${err.message}`,
    message: `${err.name}: ${err.message}`, location: where,
  };
}
