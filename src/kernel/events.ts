/**
 * A run's observation events, for tracers, reporters and progress displays:
 * each scheduling step, each lock taken or released, each printk line, each
 * probe's result. They are not part of the model (the kernel's notifier
 * chains are, and run as scheduled calls): listeners only watch, and must not
 * call kernel code. A run makes its emitter on the first observeKernel(), so
 * a run nobody observes pays one null check per event point.
 */
import { EventEmitter } from 'eventemitter3';
import type { LogLine } from './printk.js';
import { current } from './sched/current.js';
import type { Task } from './sched/task.js';
import type { Kernel } from './kernel.js';

/** A task executed an operation: step `step` of the run, at virtual time `ns`. */
export interface StepEvent {
  readonly step: number;
  readonly ns: number;
  readonly task: Task;
  /** The operation, readable: `mutex_lock(&dev->mutex (ff8f3f00.iommu))`. */
  readonly op: string;
}

/** A task took (`acquired`) or released a lock. */
export interface LockEvent {
  readonly step: number;
  readonly ns: number;
  readonly task: Task;
  /** The lock's label (`&dev->mutex (ff8f3f00.iommu)`) and class (`&dev->mutex`). */
  readonly lock: string;
  readonly lockClass: string;
  readonly acquired: boolean;
}

/** A line of dmesg, and the task whose code printed it (null between steps). */
export interface PrintkEvent extends LogLine {
  readonly task: Task | null;
}

/** A probe ended in really_probe(): 0 bound, or the negative errno (-EPROBE_DEFER, -ENODEV). */
export interface ProbeEvent {
  readonly step: number;
  readonly ns: number;
  readonly task: Task;
  readonly device: string;
  readonly driver: string;
  readonly ret: number;
}

export interface KernelEvents {
  step: (event: StepEvent) => void;
  lock: (event: LockEvent) => void;
  printk: (event: PrintkEvent) => void;
  probe: (event: ProbeEvent) => void;
}

export type KernelEventEmitter = EventEmitter<KernelEvents>;

/** The events of a run, made on first use: call it from a scenario (before the machine boots) to see the whole boot. */
export function observeKernel(kernel: Kernel): KernelEventEmitter {
  return (kernel.events ??= new EventEmitter<KernelEvents>());
}

/** Emits a probe result for the running task's kernel, if anyone observes it (really_probe's event point). */
export function emitProbe(device: string, driver: string, ret: number): void {
  const task = current();
  const events = task.kernel.events;
  if (events !== null) events.emit('probe', { step: task.kernel.stepCount, ns: task.kernel.clock.ns, task, device, driver, ret });
}
