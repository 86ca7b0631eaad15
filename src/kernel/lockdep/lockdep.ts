/**
 * Lock-order validation in the manner of lockdep (kernel/locking/lockdep.c):
 * it validates lock classes, not instances. When a task tries to take a lock of
 * class B while holding one of class A, the dependency A -> B is recorded; a
 * dependency that closes a cycle is a possible deadlock, reported from the run
 * that created it even if that run did not deadlock. Taking a class already
 * held is possible recursive locking.
 *
 * Device mutexes are novalidate in the kernel (device_initialize() calls
 * lockdep_set_novalidate_class), so lockdep says nothing about device_lock
 * order or recursion and such bugs show up only as hangs. kemu does the same
 * unless `validateDeviceMutex` is set, and says so in the report when it is.
 */
import type { Kernel } from '../kernel.js';
import type { LockBase } from '../locking/lock-base.js';
import type { Task } from '../sched/task.js';
import { lockCaller } from '../sched/call-trace.js';
import type { KernelReport, LockdepChainLink } from '../detect/report.js';
import { snapshotTask } from '../detect/snapshot.js';

export interface LockdepOptions {
  /** Lockdep on (default) or off. */
  enabled?: boolean;
  /** Also validate novalidate classes such as &dev->mutex (a hypothetical kernel). */
  validateDeviceMutex?: boolean;
}

export class Lockdep {
  private readonly dependencies = new Map<string, Map<string, LockdepChainLink>>();
  private readonly enabled: boolean;
  private readonly validateNovalidate: boolean;

  constructor(private readonly kernel: Kernel, options: LockdepOptions) {
    this.enabled = options.enabled ?? true;
    this.validateNovalidate = options.validateDeviceMutex ?? false;
  }

  private validated(lock: LockBase): boolean {
    return lock.lockClass.novalidate !== true || this.validateNovalidate;
  }

  /** lock_acquire(): checks a lock `task` is about to take against the locks it holds. */
  check(task: Task, lock: LockBase): void {
    if (!this.enabled || task.heldLocks.length === 0 || !this.validated(lock)) return;
    const to = lock.lockClass.name;
    for (const held of task.heldLocks) {
      if (!this.validated(held.lock)) continue;
      const from = held.lock.lockClass.name;
      const link: LockdepChainLink = { from, to, comm: task.comm, pid: task.pid, acquiredIn: lockCaller(task.callTrace) };
      if (from === to) {
        this.kernel.report(this.recursive(task, lock, held.lock, link));
        continue;
      }
      let edges = this.dependencies.get(from);
      if (edges?.has(to)) continue;
      const cycle = this.path(to, from);
      if (!edges) this.dependencies.set(from, (edges = new Map()));
      edges.set(to, link);
      if (cycle) this.kernel.report(this.circular(task, lock, held.lock, [...cycle, link]));
    }
  }

  /** A path of recorded dependencies from class `from` to class `to`, or null. */
  private path(from: string, to: string): LockdepChainLink[] | null {
    const seen = new Set<string>([from]);
    const queue: { cls: string; path: LockdepChainLink[] }[] = [{ cls: from, path: [] }];
    while (queue.length > 0) {
      const { cls, path } = queue.shift()!;
      for (const [next, link] of this.dependencies.get(cls) ?? []) {
        if (next === to) return [...path, link];
        if (!seen.has(next)) {
          seen.add(next);
          queue.push({ cls: next, path: [...path, link] });
        }
      }
    }
    return null;
  }

  private note(lock: LockBase): string {
    return lock.lockClass.novalidate
      ? ' (kemu validates device mutexes on request; the kernel marks them novalidate and would print nothing here, only hang)'
      : '';
  }

  private recursive(task: Task, lock: LockBase, held: LockBase, link: LockdepChainLink): KernelReport {
    return {
      kind: 'lockdep-recursive', fatal: false, ns: this.kernel.clock.ns, step: this.kernel.stepCount,
      signature: `lockdep-recursive:${lock.lockClass.name}`,
      title: `possible recursive locking detected: ${task.comm} takes ${lock.label} while holding ${held.label}`,
      task: snapshotTask(this.kernel, task), others: [], chain: [link], stuckSeconds: 0,
      message: `trying to acquire ${lock.label}, already holding ${held.label}${this.note(lock)}`,
      location: lock.lockClass.name,
    };
  }

  private circular(task: Task, lock: LockBase, held: LockBase, chain: LockdepChainLink[]): KernelReport {
    const classes = [...new Set(chain.flatMap((l) => [l.from, l.to]))].sort();
    return {
      kind: 'lockdep-circular', fatal: false, ns: this.kernel.clock.ns, step: this.kernel.stepCount,
      signature: `lockdep-circular:${classes.join(',')}`,
      title: `possible circular locking dependency detected: ${chain.map((l) => l.from).join(' -> ')} -> ${chain[0]!.from}`,
      task: snapshotTask(this.kernel, task), others: [], chain, stuckSeconds: 0,
      message: `${task.label} is trying to acquire ${lock.label} while holding ${held.label}${this.note(lock)}`,
      location: classes.join(','),
    };
  }
}
