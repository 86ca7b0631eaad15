/**
 * A kernel thread (or a hardware agent) under kemu's scheduler. It runs an
 * ordinary async function; every visible operation it performs is announced to
 * the scheduler as its pending operation, and it resumes only when chosen.
 */
import type { Op } from './op.js';
import type { Kernel } from '../kernel.js';
import { PollWindow } from './poll-window.js';
import type { LockBase } from '../locking/lock-base.js';
import type { KernelReport } from '../detect/report.js';

export type TaskKind = 'thread' | 'hardware';
/** `dead`: killed by an oops, with whatever locks it held still held (do_exit after die()). */
export type TaskState = 'ready' | 'done' | 'dead';

/** A lock a task holds, in acquisition order (lockdep's held_locks). */
export interface HeldLock {
  lock: LockBase;
  /** Kernel function that took it, known when call traces are captured. */
  acquiredIn: string | null;
}

export interface SpawnOptions {
  /** CPU the task runs on; defaults to the next free CPU number. */
  cpu?: number;
  /** Hardware agents and background workers do not keep a run alive. */
  daemon?: boolean;
  kind?: TaskKind;
  /**
   * This task runs the same code on the same data as `twinOf` (spawned by the
   * same parent in the same step, each on a CPU of its own or both on one):
   * the two are interchangeable, and the explorer's symmetry reduction
   * explores one of each pair of executions that differ only by swapping them
   * (docs/explorer.md, "Symmetric tasks").
   */
  twinOf?: Task;
}

export class Task {
  state: TaskState = 'ready';
  pending: Op;
  /** Resolves the task's wait at its pending operation with the operation's result. */
  resume: ((value: unknown) => void) | null = null;
  /** The task has reached a kernel call that has not yet returned into its code. */
  inCall = false;
  /** Ends inCall, from the microtask before the task's code resumes (a reused callback, so a step allocates nothing). */
  readonly callReturned = (): void => {
    this.inCall = false;
  };

  readonly heldLocks: HeldLock[] = [];
  /** Spinlocks held: while non-zero the task cannot be preempted on its CPU. */
  preemptCount = 0;
  irqsDisabled = false;

  /** What the task did since its poll window opened: what a cpu_relax() parks on (poll-window.ts). */
  readonly poll = new PollWindow();

  /** Virtual time the pending operation was announced (how long a blocked task has waited). */
  pendingSince = 0;
  /** Virtual time the task last slept or started: the soft-lockup watchdog's touch time. */
  lastScheduled = 0;
  /** Call trace at the last scheduling point (kernel frames), captured in replays only. */
  callTrace: string[] | null = null;
  /** Set when the task blocked on a mutex it holds: the report already made about it. */
  selfDeadlock: KernelReport | null = null;
  /** Id of the task as a shared object: spawning it and starting it are ordered accesses. */
  objId = 0;
  /** Another task runs on the same CPU, so preemption rules between them apply. */
  cpuShared = false;
  /** The step during which this task was spawned (0: before the first step). */
  spawnedAtStep = 0;
  /** Tasks this one has spawned so far (the next child's place in its lineage). */
  childrenSpawned = 0;
  /** The tasks declared interchangeable with this one, in spawn order, this one included (SpawnOptions.twinOf); null: none. */
  twins: Task[] | null = null;

  constructor(
    readonly kernel: Kernel,
    readonly pid: number,
    /** The same task in every run of the scenario (task-identities.ts); the pid is only its creation order in this run. */
    readonly uid: number,
    readonly comm: string,
    readonly cpu: number,
    readonly kind: TaskKind,
    readonly daemon: boolean,
    readonly body: () => Promise<unknown> | unknown,
    startOp: Op,
  ) {
    this.pending = startOp;
  }

  /** `comm:pid`, as the kernel prints a task. */
  get label(): string {
    return `${this.comm}:${this.pid}`;
  }

  holds(lock: LockBase): boolean {
    for (const held of this.heldLocks) if (held.lock === lock) return true;
    return false;
  }
}
