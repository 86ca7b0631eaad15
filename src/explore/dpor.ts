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
  /** Latest read of each task since the last write. */
  readsSinceWrite: Map<number, number>;
  lastAcquire: number;
  lastRelease: number;
}

type VectorClock = number[];

export function footprintsDependent(a: readonly number[], b: readonly number[]): boolean {
  for (const x of a) for (const y of b) if (accessesOrdered(x, y)) return true;
  return false;
}

export class DporSearch extends TreeSearch {
  readonly name: string = 'dpor';

  // Per run: which task ran each step, each step's vector clock, each task's clock.
  private stepTask: number[] = [0];
  private stepClock: VectorClock[] = [[]];
  private readonly taskClock = new Map<number, VectorClock>();
  private readonly history = new Map<number, ObjectHistory>();

  override beginRun(): boolean {
    this.stepTask = [0];
    this.stepClock = [[]];
    this.taskClock.clear();
    this.history.clear();
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
    for (const access of accesses) this.joinPredecessors(clock, access);
    clock[task.pid] = step;
    this.stepTask[step] = task.pid;
    this.stepClock[step] = clock;
    this.taskClock.set(task.pid, clock);
    for (const access of accesses) this.remember(access, task.pid, step);
  }

  override endRun(outcome: RunOutcome, kernel: Kernel): void {
    // A run that stopped with tasks blocked still owes them the check of their next operation.
    if (outcome.kind !== 'pruned') this.checkPendingOperations(kernel);
    super.endRun(outcome, kernel);
  }

  /** Flanagan–Godefroid: for each live task, race its next operation against the steps so far. */
  private checkPendingOperations(kernel: Kernel): void {
    for (const task of kernel.tasks) {
      if (task.state !== 'done') this.findRace(task.pid, kernel.pendingAccesses(task), this.clockOf(task));
    }
  }

  /** A task's vector clock; a task not yet seen starts from the clock of the step that spawned it. */
  private clockOf(task: Task): VectorClock {
    let clock = this.taskClock.get(task.pid);
    if (!clock) {
      clock = (this.stepClock[task.spawnedAtStep] ?? []).slice();
      this.taskClock.set(task.pid, clock);
    }
    return clock;
  }

  /** Finds the latest step that conflicts with `accesses` of task `pid` and is not ordered before it. */
  private findRace(pid: number, accesses: readonly number[], clock: VectorClock): void {
    let latest = 0;
    const consider = (step: number): void => {
      if (step > latest && this.stepTask[step] !== pid && (clock[this.stepTask[step]!] ?? 0) < step) latest = step;
    };
    for (const access of accesses) {
      const h = this.history.get(access >>> 2);
      if (!h) continue;
      switch (access & 3) {
        case ACC_READ:
          consider(h.lastWrite);
          break;
        case ACC_WRITE:
          consider(h.lastWrite);
          for (const step of h.readsSinceWrite.values()) consider(step);
          break;
        case ACC_ACQUIRE:
          consider(h.lastAcquire);
          break;
      }
    }
    if (latest > 0) this.addAlternative(this.nodes[latest - 1]!, pid, clock, latest - 1);
  }

  /** Makes `pid` an alternative at `node`, or a task that leads to it if it could not run there. */
  private addAlternative(node: TreeNode, pid: number, clock: VectorClock, index: number): void {
    const add = (p: number) => {
      if (!node.backtrack.includes(p)) node.backtrack.push(p);
    };
    if (node.enabled.includes(pid)) return add(pid);
    for (const q of node.enabled) {
      if ((clock[q] ?? 0) > index) return add(q);
    }
    node.enabled.forEach(add);
  }

  private joinPredecessors(clock: VectorClock, access: number): void {
    const h = this.history.get(access >>> 2);
    if (!h) return;
    const join = (step: number) => {
      if (step === 0) return;
      const other = this.stepClock[step]!;
      for (let i = 0; i < other.length; i++) if ((other[i] ?? 0) > (clock[i] ?? 0)) clock[i] = other[i]!;
    };
    switch (access & 3) {
      case ACC_READ:
        join(h.lastWrite);
        break;
      case ACC_WRITE:
        join(h.lastWrite);
        for (const step of h.readsSinceWrite.values()) join(step);
        break;
      case ACC_ACQUIRE:
        join(h.lastAcquire);
        join(h.lastRelease);
        break;
      case ACC_RELEASE:
        join(h.lastAcquire);
        break;
    }
  }

  private remember(access: number, pid: number, step: number): void {
    const id = access >>> 2;
    let h = this.history.get(id);
    if (!h) this.history.set(id, (h = { lastWrite: 0, readsSinceWrite: new Map(), lastAcquire: 0, lastRelease: 0 }));
    switch (access & 3) {
      case ACC_READ:
        h.readsSinceWrite.set(pid, step);
        break;
      case ACC_WRITE:
        h.lastWrite = step;
        h.readsSinceWrite.clear();
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
