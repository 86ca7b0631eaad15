/**
 * Snapshots of tasks and locks for reports: what each task is doing, what it
 * waits for and who owns that, what it holds, and where it is.
 */
import type { Kernel } from '../kernel.js';
import { LockBase } from '../locking/lock-base.js';
import { Cell } from '../memory/cell.js';
import type { SpinWait } from '../sched/poll-window.js';
import { describeOp } from '../sched/describe.js';
import { OpKind } from '../sched/op.js';
import type { Task } from '../sched/task.js';
import type { LockSnapshot, PolledValue, TaskSnapshot } from './report.js';

export function snapshotLock(lock: LockBase, acquiredIn: string | null = null): LockSnapshot {
  return {
    name: lock.name,
    className: lock.lockClass.name,
    waitType: lock.waitType,
    novalidate: lock.lockClass.novalidate === true,
    owner: lock.owner ? { comm: lock.owner.comm, pid: lock.owner.pid } : null,
    acquiredIn,
  };
}

/** The cells a parked poller watches, each with the value it read (in read order; lock observer slots left out). */
function polledValues(task: Task): PolledValue[] | null {
  if (task.pending.kind !== OpKind.CpuRelax || task.pending.arg === null) return null;
  const spin = task.pending.arg as SpinWait;
  const polled: PolledValue[] = [];
  spin.objects.forEach((object, i) => {
    if (object instanceof Cell) polled.push({ name: object.name, value: object.describe(spin.values[i]) });
    else if (object instanceof LockBase) polled.push({ name: object.label, value: spin.values[i] ? 'locked' : 'unlocked' });
  });
  return polled;
}

export function snapshotTask(kernel: Kernel, task: Task): TaskSnapshot {
  const op = task.pending;
  const waitsOnLock = (op.kind === OpKind.MutexLock || op.kind === OpKind.SpinLock) && task.state === 'ready';
  const blocked = task.state === 'ready' && !kernel.isEnabled(task);
  const sleeping = blocked && (op.kind === OpKind.MutexLock || op.kind === OpKind.WaitCompletion);
  return {
    pid: task.pid,
    comm: task.comm,
    cpu: task.cpu,
    kind: task.kind,
    state: task.state !== 'ready' ? 'X' : sleeping ? 'D' : 'R',
    at: task.state === 'done' ? 'exited' : task.state === 'dead' ? 'killed by an oops' : describeOp(op),
    waitsFor: waitsOnLock ? snapshotLock(op.obj as LockBase) : null,
    heldLocks: task.heldLocks.map((h) => snapshotLock(h.lock, h.acquiredIn)),
    callTrace: task.callTrace,
    polls: polledValues(task),
    irqsDisabled: task.irqsDisabled,
    preemptCount: task.preemptCount,
    pendingSinceNs: task.pendingSince,
    lastScheduledNs: task.lastScheduled,
  };
}
