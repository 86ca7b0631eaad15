/**
 * Dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005) with sleep
 * sets (Godefroid 1996).
 *
 * Two steps of different tasks conflict when they touch the same object and
 * reversing them could change what happens: a write and any other access to a
 * cell, or two acquisitions of one lock. Schedules that differ only in the
 * order of non-conflicting steps are equivalent, and only one of each class
 * needs running. After every step, for every live task, the search looks at the
 * task's next operation and finds the latest earlier step it conflicts with
 * that does not happen-before it (vector clocks); the decision point before
 * that step gets the task (or, if it could not run there, a task that leads to
 * it) as an alternative. Sleep sets then stop re-exploring an alternative
 * whose step commutes with what was chosen instead.
 *
 * It preserves every reachable deadlock and lockup state and every final
 * state; the tests check that against unreduced search.
 */
import type { Kernel, RunOutcome } from '../kernel/kernel.js';
import { ACC_ACQUIRE, ACC_READ, ACC_RELEASE, ACC_WRITE, accessesOrdered } from '../kernel/sched/access.js';
import type { Task } from '../kernel/sched/task.js';
import { TreeSearch, type SleepEntry, type TreeNode } from './tree-search.js';

/** Where each object was last touched, by step number (1-based; 0: never). */
interface ObjectHistory {
  lastWrite: number;
  /** Latest read of each task (indexed by pid) since the last write. */
  readsSinceWrite: number[];
  lastAcquire: number;
  lastRelease: number;
  /** The latest step that touched the object at all. */
  touched: number;
}

type VectorClock = number[];

export function footprintsDependent(a: readonly number[], b: readonly number[]): boolean {
  for (const x of a) for (const y of b) if (accessesOrdered(x, y)) return true;
  return false;
}

export class DporSearch extends TreeSearch {
  readonly name: string = 'dpor';
  protected override readonly keepsFootprints = true;

  // Per run: which task ran each step, each step's vector clock, each task's clock, each object's history.
  private stepTask: number[] = [0];
  private stepClock: VectorClock[] = [[]];
  private taskClock: (VectorClock | undefined)[] = [];
  private history: (ObjectHistory | undefined)[] = [];
  /** For each task, the pending operation last raced against the history, and when: unchanged ones need no new look. */
  private checkedOp: unknown[] = [];
  private checkedAt: number[] = [];

  override beginRun(): boolean {
    this.stepTask = [0];
    this.stepClock = [[]];
    this.taskClock = [];
    this.history = [];
    this.checkedOp = [];
    this.checkedAt = [];
    return super.beginRun();
  }

  protected initialAlternatives(_node: TreeNode): void {}

  protected override childSleep(parent: TreeNode): SleepEntry[] {
    const taken = parent.footprints.get(parent.chosen) ?? [];
    const sleep = parent.sleep.filter((s) => !footprintsDependent(s.footprint, taken));
    for (const pid of parent.done) {
      if (pid === parent.chosen || sleep.some((s) => s.pid === pid)) continue;
      const footprint = parent.footprints.get(pid);
      if (footprint && !footprintsDependent(footprint, taken)) sleep.push({ pid, footprint });
    }
    return sleep;
  }

  override choose(enabled: readonly Task[], kernel: Kernel): Task | null {
    this.checkPendingOperations(kernel);
    return super.choose(enabled, kernel);
  }

  override stepEnded(task: Task, accesses: readonly number[], kernel: Kernel): void {
    super.stepEnded(task, accesses, kernel);
    const step = kernel.stepCount;
    const before = this.clockOf(task);
    this.findRace(task.pid, accesses, before);
    const clock = before.slice();
    for (let i = 0; i < accesses.length; i++) this.joinPredecessors(clock, accesses[i]!);
    clock[task.pid] = step;
    this.stepTask[step] = task.pid;
    this.stepClock[step] = clock;
    this.taskClock[task.pid] = clock;
    for (let i = 0; i < accesses.length; i++) this.remember(accesses[i]!, task.pid, step);
  }

  override endRun(outcome: RunOutcome, kernel: Kernel): void {
    // A run that stopped with tasks blocked still owes them the check of their next operation.
    if (outcome.kind !== 'pruned') this.checkPendingOperations(kernel);
    super.endRun(outcome, kernel);
  }

  /**
   * Flanagan–Godefroid: for each live task, race its next operation against
   * the steps so far. The answer only changes when the operation does or when
   * a later step touched an object it touches, so unchanged ones are skipped.
   */
  private checkPendingOperations(kernel: Kernel): void {
    for (const task of kernel.tasks) {
      if (task.state !== 'ready') continue;
      const footprint = kernel.pendingAccesses(task);
      if (this.checkedOp[task.pid] === task.pending && !this.touchedSince(footprint, this.checkedAt[task.pid]!)) continue;
      this.checkedOp[task.pid] = task.pending;
      this.checkedAt[task.pid] = kernel.stepCount;
      this.findRace(task.pid, footprint, this.clockOf(task));
    }
  }

  private touchedSince(accesses: readonly number[], step: number): boolean {
    for (let i = 0; i < accesses.length; i++) {
      const h = this.history[accesses[i]! >>> 2];
      if (h !== undefined && h.touched > step) return true;
    }
    return false;
  }

  /** A task's vector clock; a task not yet seen starts from the clock of the step that spawned it. */
  private clockOf(task: Task): VectorClock {
    let clock = this.taskClock[task.pid];
    if (clock === undefined) {
      clock = (this.stepClock[task.spawnedAtStep] ?? []).slice();
      this.taskClock[task.pid] = clock;
    }
    return clock;
  }

  /** Finds the latest step that conflicts with `accesses` of task `pid` and is not ordered before it. */
  private findRace(pid: number, accesses: readonly number[], clock: VectorClock): void {
    let latest = 0;
    for (let i = 0; i < accesses.length; i++) {
      const access = accesses[i]!;
      const h = this.history[access >>> 2];
      if (h === undefined) continue;
      switch (access & 3) {
        case ACC_READ:
          latest = this.later(latest, h.lastWrite, pid, clock);
          break;
        case ACC_WRITE: {
          latest = this.later(latest, h.lastWrite, pid, clock);
          const reads = h.readsSinceWrite;
          for (let q = 0; q < reads.length; q++) if (reads[q]) latest = this.later(latest, reads[q]!, pid, clock);
          break;
        }
        case ACC_ACQUIRE:
          latest = this.later(latest, h.lastAcquire, pid, clock);
          break;
      }
    }
    if (latest > 0) this.addAlternative(this.nodes[latest - 1]!, pid, clock, latest - 1);
  }

  /** `step` if it is later than `latest`, by another task, and not ordered before `clock`; else `latest`. */
  private later(latest: number, step: number, pid: number, clock: VectorClock): number {
    if (step <= latest) return latest;
    const by = this.stepTask[step]!;
    return by !== pid && (clock[by] ?? 0) < step ? step : latest;
  }

  /** Makes `pid` an alternative at `node`, or a task that leads to it if it could not run there. */
  private addAlternative(node: TreeNode, pid: number, clock: VectorClock, index: number): void {
    if (node.enabled.includes(pid)) {
      if (!node.backtrack.includes(pid)) node.backtrack.push(pid);
      return;
    }
    for (const q of node.enabled) {
      if ((clock[q] ?? 0) > index) {
        if (!node.backtrack.includes(q)) node.backtrack.push(q);
        return;
      }
    }
    for (const q of node.enabled) if (!node.backtrack.includes(q)) node.backtrack.push(q);
  }

  private join(clock: VectorClock, step: number): void {
    if (step === 0) return;
    const other = this.stepClock[step]!;
    for (let i = 0; i < other.length; i++) if ((other[i] ?? 0) > (clock[i] ?? 0)) clock[i] = other[i]!;
  }

  private joinPredecessors(clock: VectorClock, access: number): void {
    const h = this.history[access >>> 2];
    if (h === undefined) return;
    switch (access & 3) {
      case ACC_READ:
        this.join(clock, h.lastWrite);
        break;
      case ACC_WRITE: {
        this.join(clock, h.lastWrite);
        const reads = h.readsSinceWrite;
        for (let q = 0; q < reads.length; q++) if (reads[q]) this.join(clock, reads[q]!);
        break;
      }
      case ACC_ACQUIRE:
        this.join(clock, h.lastAcquire);
        this.join(clock, h.lastRelease);
        break;
      case ACC_RELEASE:
        this.join(clock, h.lastAcquire);
        break;
    }
  }

  private remember(access: number, pid: number, step: number): void {
    const id = access >>> 2;
    let h = this.history[id];
    if (h === undefined) this.history[id] = h = { lastWrite: 0, readsSinceWrite: [], lastAcquire: 0, lastRelease: 0, touched: 0 };
    h.touched = step;
    switch (access & 3) {
      case ACC_READ:
        h.readsSinceWrite[pid] = step;
        break;
      case ACC_WRITE:
        h.lastWrite = step;
        h.readsSinceWrite.length = 0;
        break;
      case ACC_ACQUIRE:
        h.lastAcquire = step;
        break;
      case ACC_RELEASE:
        h.lastRelease = step;
        break;
    }
  }
}
