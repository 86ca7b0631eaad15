/**
 * Lock-order validation in the manner of lockdep (kernel/locking/lockdep.c):
 * it validates lock classes, not instances. When a task tries to take a lock of
 * class B while holding one of class A, the dependency A -> B is recorded; a
 * dependency that closes a cycle is a possible deadlock, reported from the run
 * that created it even if that run did not deadlock. Taking a class already
 * held is possible recursive locking. A class is a key and a subclass, so
 * locks of one key nest without complaint when their subclasses say how
 * (lockdep_set_class_and_subclass, mutex_lock_nested).
 *
 * Device mutexes are novalidate in the kernel (device_initialize() calls
 * lockdep_set_novalidate_class), so lockdep says nothing about device_lock
 * order or recursion and such bugs show up only as hangs. kemu does the same
 * unless `validateDeviceMutex` is set: then each device mutex gets a class per
 * device, per driver or per bus, with its depth in the device tree as
 * subclass, the way CXL annotates its port locks; reports say the kernel would
 * print nothing. A run that took novalidate locks without validating them
 * says so in every report's notes.
 */
import type { Kernel } from '../kernel.js';
import type { DeviceLockClasses, LockBase } from '../locking/lock-base.js';
import type { Task } from '../sched/task.js';
import { lockCaller } from '../sched/call-trace.js';
import type { KernelReport, LockdepChainLink, TaskSnapshot } from '../detect/report.js';
import { snapshotTask } from '../detect/snapshot.js';

export interface LockdepOptions {
  /** Lockdep on (default) or off. */
  enabled?: boolean;
  /**
   * Also validate novalidate classes such as &dev->mutex (a hypothetical
   * kernel): `true` or `'device'` gives every device mutex its own class,
   * `'driver'` one class per bound driver (unbound devices share their bus's),
   * `'bus'` one class per bus.
   */
  validateDeviceMutex?: boolean | DeviceLockClasses;
}

/** The note on a splat about a device mutex: the kernel would not have printed it. */
const VALIDATED_NOTE = 'device mutexes validated on request (--validate-device-mutex): ' +
  'the kernel puts them in a novalidate class and would print nothing here, only hang';

export class Lockdep {
  private readonly dependencies = new Map<string, Map<string, LockdepChainLink>>();
  private readonly enabled: boolean;
  private readonly deviceClasses: DeviceLockClasses | null;
  /** The class each held lock had when it was taken (held_lock->class_idx). */
  private readonly heldClass = new WeakMap<LockBase, string>();
  private readonly skipped = new Set<string>();

  constructor(private readonly kernel: Kernel, options: LockdepOptions) {
    this.enabled = options.enabled ?? true;
    const v = options.validateDeviceMutex ?? false;
    this.deviceClasses = v === false ? null : v === true ? 'device' : v;
  }

  /** Novalidate classes taken in this run and left unvalidated (`&dev->mutex`), in first-use order. */
  get notValidated(): readonly string[] {
    return [...this.skipped];
  }

  /** The class lockdep checks `lock` under, or null when it does not validate it. */
  private classOf(lock: LockBase): string | null {
    const cls = lock.lockClass;
    if (!cls.novalidate) return cls.name;
    if (this.deviceClasses === null) {
      this.skipped.add(cls.name);
      return null;
    }
    if (!cls.validateAs) return cls.name;
    const { key, subclass } = cls.validateAs(this.deviceClasses);
    return subclass > 0 ? `${key}/${subclass}` : key;
  }

  /** lock_acquire(): checks a lock `task` is about to take against the locks it holds. */
  check(task: Task, lock: LockBase): void {
    if (!this.enabled) return;
    const to = this.classOf(lock);
    if (to === null) return;
    this.heldClass.set(lock, to);
    for (const held of task.heldLocks) {
      const from = this.heldClass.get(held.lock) ?? this.classOf(held.lock);
      if (from === null) continue;
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

  /** Adds the `kemu:` note for classes this run took without validating them. */
  annotate(report: KernelReport): void {
    if (this.skipped.size === 0) return;
    const classes = [...this.skipped].join(', ');
    (report.notes ??= []).push(`${classes} taken in this run and not validated by lockdep (novalidate, as in the kernel); ` +
      '--validate-device-mutex validates device mutexes');
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

  /** The task as a splat shows it: each lock named by the class lockdep checked it under, as lockdep prints it. */
  private snapshot(task: Task, wanted: LockBase, wantedClass: string): TaskSnapshot {
    const snap = snapshotTask(this.kernel, task);
    return {
      ...snap,
      waitsFor: snap.waitsFor && task.pending.obj === wanted ? { ...snap.waitsFor, className: wantedClass } : snap.waitsFor,
      heldLocks: snap.heldLocks.map((l, i) => ({ ...l, className: this.heldClass.get(task.heldLocks[i]!.lock) ?? l.className })),
    };
  }

  private notes(...locks: LockBase[]): string[] {
    return locks.some((l) => l.lockClass.novalidate) ? [VALIDATED_NOTE] : [];
  }

  private recursive(task: Task, lock: LockBase, held: LockBase, link: LockdepChainLink): KernelReport {
    return {
      kind: 'lockdep-recursive', fatal: false, ns: this.kernel.clock.ns, step: this.kernel.stepCount,
      signature: `lockdep-recursive:${link.to}`,
      title: `possible recursive locking detected: ${task.comm} takes ${lock.label} while holding ${held.label}`,
      task: this.snapshot(task, lock, link.to), others: [], chain: [link], stuckSeconds: 0,
      message: `trying to acquire ${lock.label}, already holding ${held.label}`,
      location: link.to, notes: this.notes(lock, held),
    };
  }

  private circular(task: Task, lock: LockBase, held: LockBase, chain: LockdepChainLink[]): KernelReport {
    const classes = [...new Set(chain.flatMap((l) => [l.from, l.to]))].sort();
    return {
      kind: 'lockdep-circular', fatal: false, ns: this.kernel.clock.ns, step: this.kernel.stepCount,
      signature: `lockdep-circular:${classes.join(',')}`,
      title: `possible circular locking dependency detected: ${chain.map((l) => l.from).join(' -> ')} -> ${chain[0]!.from}`,
      task: this.snapshot(task, lock, chain[chain.length - 1]!.to), others: [], chain, stuckSeconds: 0,
      message: `${task.label} is trying to acquire ${lock.label} while holding ${held.label}`,
      location: classes.join(','), notes: this.notes(lock, held),
    };
  }
}
