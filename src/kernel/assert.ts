/**
 * Runtime assertions kernel code makes: WARN_ON, WARN and lockdep_assert_held. A
 * failure prints a WARNING report and the run goes on, as in the kernel.
 */
import { reportWarn } from './detect/inline-reports.js';
import type { LockBase } from './locking/lock-base.js';
import { current } from './sched/current.js';

/** Models WARN_ON(): reports when `condition` is true, and returns it. */
export function WARN_ON(condition: boolean, what = 'WARN_ON(condition)'): boolean {
  if (condition) warned(what, 'WARN_ON');
  return condition;
}

/** Models WARN() (include/asm-generic/bug.h): reports `message` when `condition` is true, and returns it. */
export function WARN(condition: boolean, message: string): boolean {
  if (condition) warned(message, 'WARN');
  return condition;
}

/** A WARN fired: its report, and a note in the timeline where it fired, as KASAN's reports leave one. */
function warned(message: string, condition: string): void {
  const task = current();
  const report = reportWarn(task.kernel, task, message, condition);
  task.kernel.report(report);
  kemu_note(report.title);
}

/** What BUG() throws: an oops of the current task (include/asm-generic/bug.h). */
export class KernelBug extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'BUG';
  }
}

/**
 * Models BUG(): the task oopses. kemu reports it with the task's call trace,
 * kills the task (its locks stay held) and runs the machine on, as the kernel
 * does without panic_on_oops.
 */
export function BUG(what = 'BUG()'): never {
  throw new KernelBug(what);
}

/** Models BUG_ON(): BUG() when `condition` holds. */
export function BUG_ON(condition: boolean, what = 'BUG_ON(condition)'): void {
  if (condition) BUG(what);
}

/** Models lockdep_assert_held() (include/linux/lockdep.h): the current task must hold `lock`. */
export function lockdep_assert_held(lock: LockBase): void {
  const task = current();
  if (!task.holds(lock)) warned(`${lock.label} is not held by ${task.label}`, `lockdep_assert_held(${lock.lockClass.name})`);
}

/** Adds a note to the step in progress when the run is captured (a trace_printk for timelines). */
export function kemu_note(text: string | (() => string)): void {
  const kernel = current().kernel;
  if (kernel.capture) kernel.note(typeof text === 'string' ? text : text());
}

/**
 * Whether this run keeps its notes (it is captured, for a timeline): model
 * code that gathers state only to describe it in a note asks first, so a
 * search's runs, which keep none, do not pay for it.
 */
export function kemu_noting(): boolean {
  return current().kernel.capture;
}
