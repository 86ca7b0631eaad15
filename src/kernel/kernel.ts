/**
 * One booted kernel: one run of a scenario. It owns the tasks and schedules
 * them by direct hand-off: a task that reaches a scheduling point announces its
 * next operation, asks the chooser which task goes next, executes that task's
 * operation atomically and resolves that task's gate. There is no scheduler
 * coroutine, so a step costs one promise and one microtask hop, and a whole
 * run completes within one macrotask turn.
 */
import { Clock } from './clock.js';
import { KemuError } from './errors.js';
import { LogBuffer } from './printk.js';
import { Lockdep, type LockdepOptions } from './lockdep/lockdep.js';
import { FaultInjector, type FaultPlan } from './fault-inject.js';
import type { KernelReport } from './detect/report.js';
import { detectStuck } from './detect/stuck.js';
import { reportSleepInAtomic, reportSelfDeadlock, reportOops, reportRunaway, reportWarn } from './detect/inline-reports.js';
import { ACC_ACQUIRE, ACC_AWAIT, ACC_READ, ACC_RELEASE, ACC_TRY_ACQUIRE, ACC_WRITE, CPU_NUMBERING_OBJECT_ID, CREATED_OBJECTS_LIMIT, INVARIANT_OBJECT_ID, access, cpuObjectId, objectIdOf } from './sched/access.js';
import { spinWoken, type SpinWait, type Watched } from './sched/poll-window.js';
import { Invariants } from './detect/invariants.js';
import type { SharedObject } from './shared-object.js';
import { captureCallTrace, lockCaller } from './sched/call-trace.js';
import { setCurrent, setCurrentTask, type RunContext } from './sched/current.js';
import { describeOp, describeValue, targetName } from './sched/describe.js';
import { OpKind, type Op } from './sched/op.js';
import { Task, type SpawnOptions } from './sched/task.js';
import { TaskIdentities } from './sched/task-identities.js';
import type { Cell } from './memory/cell.js';
import type { Register } from './memory/mmio.js';
import type { LockBase } from './locking/lock-base.js';
import type { Completion } from './locking/completion.js';
import { COMPLETE_ALL } from './locking/completion.js';
import type { IrqFlags } from './locking/spinlock.js';
import type { KernelEventEmitter } from './events.js';
import { HB_PIDS, HB_STEP, currentHeartbeat } from './heartbeat.js';

/** Decides which task runs next; the explorer's strategies implement it. */

/** A settled promise whose reactions are the cheapest way to run a callback in the next microtask. */
const SETTLED = Promise.resolve();

export interface Chooser {
  /** Picks one of `enabled` (pid order; valid only during the call), or null to cut the run short. */
  choose(enabled: readonly Task[], kernel: Kernel): Task | null;
  /** A step ended: `task` executed an operation and the code after it, touching `accesses` (the step's own array: the next step makes another). */
  stepEnded?(task: Task, accesses: readonly number[], kernel: Kernel): void;
}

export type RunOutcome =
  /** Every task ended (or was killed by an oops), and no hardware agent or worker can move. */
  | { kind: 'complete' }
  /** Live tasks remain and none can move: the hang or lockup `report` describes. */
  | { kind: 'stuck'; report: KernelReport }
  /** The chooser cut the run short (it adds nothing new). */
  | { kind: 'pruned' }
  | { kind: 'step-bound' };

export interface KernelOptions {
  chooser: Chooser;
  maxSteps?: number;
  /** Capture call traces and the step trace (replays of interesting schedules). */
  capture?: boolean;
  lockdep?: LockdepOptions;
  /** Which calls of which fault-injection points fail (see should_fail). */
  faults?: FaultPlan;
  /** Task identities shared by the runs of one exploration (default: this run's own). */
  identities?: TaskIdentities;
}

/** One step of a captured run: what the timeline and the trace export show. */
export interface TraceStep {
  step: number;
  ns: number;
  pid: number;
  op: string;
  opKind: OpKind;
  /** The object the operation touched (a lock's or a cell's name), if any. */
  target: string | null;
  /** The value read or written, or the lock taken, in readable form. */
  result: string | null;
  /** Annotations the model made during the step (see kemu_note). */
  notes: string[];
}

const NEVER = new Promise<never>(() => {});

/**
 * Accesses one step may make. A step is the code between two scheduling
 * points; one that touches memory this often is a loop with no scheduling
 * point in it, which would never end.
 */
const RUNAWAY_ACCESSES = 200_000;

/** Thrown through a task's code when its step runs away; the task is then stuck for good (see runaway()). */
class RunawayStep extends Error {
  constructor(readonly trace: string[]) {
    super('a loop with no scheduling point');
    this.name = 'RunawayStep';
  }
}

/** A task holds its CPU while preemption or interrupts are off: no other task on that CPU can run. */
function holdsCpu(task: Task): boolean {
  return task.preemptCount > 0 || task.irqsDisabled;
}

export class Kernel implements RunContext {
  readonly tasks: Task[] = [];
  readonly clock = new Clock();
  // Observation (events.ts): null until someone observes the run; every emit below is guarded by that check.
  events: KernelEventEmitter | null = null;
  readonly log = new LogBuffer(() => this.clock.ns, (line) => this.events?.emit('printk', { ...line, task: this.running }));
  readonly reports: KernelReport[] = [];
  readonly trace: TraceStep[] = [];
  readonly lockdep: Lockdep;
  readonly faults: FaultInjector;
  readonly capture: boolean;
  readonly maxSteps: number;
  /** Steps executed so far; the step in progress has this number. */
  stepCount = 0;
  /** The task whose step is in progress. */
  running: Task | null = null;
  outcome: RunOutcome | null = null;
  /** Footprint of the step in progress (see access.ts); a new array each step (emptying one costs more than making one). */
  accesses: number[] = [];
  /** How many of `accesses` the step's operation made; the rest are the task's code after it. */
  opAccesses = 0;
  /** Resolves when the run is over. */
  readonly done: Promise<RunOutcome>;
  /** The emulator was misused during the run (an error to throw at the user, not a kernel report). */
  misuse: unknown = null;
  /** What the scenario stated must hold after every step. */
  readonly invariants = new Invariants();

  private readonly chooser: Chooser;
  private readonly identities: TaskIdentities;
  /** Tasks spawned from outside any task (the scenario's). */
  private rootSpawns = 0;
  /** Objects created so far by each task (index: its uid; 0: outside any task). */
  private readonly objectsCreated: number[] = [];
  private readonly seenSignatures = new Set<string>();
  private resolveDone!: (outcome: RunOutcome) => void;
  private finished = false;
  /** Whether the running task held its CPU when its step began. */
  private heldCpuAtStepStart = false;
  /** Where each step is announced to a watchdog in another thread (heartbeat.ts); null when no one watches. */
  private readonly heartbeat = currentHeartbeat();

  /** Whether the run is over. */
  get over(): boolean {
    return this.finished;
  }

  constructor(options: KernelOptions) {
    this.chooser = options.chooser;
    this.capture = options.capture ?? false;
    this.maxSteps = options.maxSteps ?? 100_000;
    this.lockdep = new Lockdep(this, options.lockdep ?? {});
    this.faults = new FaultInjector(options.faults ?? {});
    this.identities = options.identities ?? new TaskIdentities();
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Ids of new shared objects: their creator and how many objects that creator made before (see access.ts). */
  registerObjects(count: number): number {
    const creator = this.running?.uid ?? 0;
    const n = this.objectsCreated[creator] ?? 0;
    if (n + count > CREATED_OBJECTS_LIMIT) {
      throw new KemuError('bad-usage', `${this.running?.label ?? 'the run'} created more than ${CREATED_OBJECTS_LIMIT} shared objects`);
    }
    this.objectsCreated[creator] = n + count;
    return objectIdOf(creator, n);
  }

  recordRead(obj: Watched, value: unknown): void {
    this.accesses.push(access(obj.id, ACC_READ));
    if (this.accesses.length > RUNAWAY_ACCESSES) this.runaway();
    this.running?.poll.read(obj, value);
  }

  recordWrite(obj: Watched, changed: boolean): void {
    this.accesses.push(access(obj.id, ACC_WRITE));
    if (this.accesses.length > RUNAWAY_ACCESSES) this.runaway();
    this.noteInvariantWrite(obj);
    this.running?.poll.write(obj, changed);
  }

  /**
   * The running step has made RUNAWAY_ACCESSES accesses without reaching a
   * scheduling point: its code loops forever (as a CPU spinning with no
   * cpu_relax would). Stops the loop by throwing through the task's code; the
   * task is then reported spinning there, and stays stuck with what it holds.
   */
  private runaway(): never {
    throw new RunawayStep(captureCallTrace());
  }

  /** A write to something an invariant reads also writes the invariant object (invariants.ts). */
  private noteInvariantWrite(obj: object): void {
    if (this.invariants.any && this.invariants.watches(obj as SharedObject)) this.accesses.push(access(INVARIANT_OBJECT_ID, ACC_WRITE));
  }

  /**
   * States an invariant over `objects`: `holds` (reading their `.value`) is
   * checked after every step, and a broken invariant is a failure of the run
   * (invariants.ts). Call it in the scenario, after creating the objects.
   */
  invariant(name: string, objects: readonly SharedObject[], holds: () => true | false | string): void {
    this.invariants.add(name, objects, holds);
  }

  /** A write to an object no poller can watch (a completion, a new task): it always counts as a change. */
  private recordEffect(obj: { readonly id: number }, type: number = ACC_WRITE): void {
    this.accesses.push(access(obj.id, type));
    this.noteInvariantWrite(obj);
    this.running?.poll.write(null, true);
  }

  /**
   * Starts a task. Its body runs from its first step on, when the scheduler
   * first picks it. Models kthread_run(): the name is the task's comm.
   */
  spawn(comm: string, body: () => Promise<unknown> | unknown, options: SpawnOptions = {}): Task {
    const kind = options.kind ?? 'thread';
    const cpu = options.cpu ?? (kind === 'hardware' ? -1 : this.nextFreeCpu());
    const parent = this.running;
    const uid = this.identities.of(parent?.uid ?? 0, parent ? parent.childrenSpawned++ : this.rootSpawns++);
    const task = new Task(this, this.tasks.length + 1, uid, comm, cpu, kind, options.daemon ?? kind === 'hardware', body,
      { kind: OpKind.Start, obj: null, arg: null });
    task.objId = this.registerObjects(1);
    task.spawnedAtStep = this.running ? this.stepCount : 0;
    task.pendingSince = task.lastScheduled = this.clock.ns;
    if (this.running) this.recordEffect({ id: task.objId });
    // Placing a task on a CPU decides which CPU the next task spawned without one gets (nextFreeCpu).
    if (this.running && cpu >= 0) this.recordEffect({ id: CPU_NUMBERING_OBJECT_ID });
    if (options.twinOf) this.declareTwin(task, options.twinOf);
    if (cpu >= 0) {
      for (const other of this.tasks) {
        if (other.cpu === cpu) other.cpuShared = task.cpuShared = true;
      }
    }
    new Promise((resolve) => (task.resume = resolve)).then(() => this.runBody(task));
    this.tasks.push(task);
    return task;
  }

  /**
   * Adds `task` to the twins of `of`. Twins must start interchangeable: the
   * same parent in the same step, threads alike, and CPUs in the same state
   * (the explorer checks the rest as they run).
   */
  private declareTwin(task: Task, of: Task): void {
    const problem = of.spawnedAtStep !== task.spawnedAtStep || of.pending.kind !== OpKind.Start || of.state !== 'ready'
      ? `${of.label} was not spawned in the same step`
      : of.kind !== task.kind ? `${of.label} is a ${of.kind} task and ${task.label} a ${task.kind} task`
      : (of.cpu < 0) !== (task.cpu < 0) ? 'one of them has no CPU'
      : this.cpuHeldByOther(of) !== this.cpuHeldByOther(task) ? `another task has CPU ${this.cpuHeldByOther(of) ? of.cpu : task.cpu} to itself`
      : null;
    if (problem !== null) throw new KemuError('bad-usage', `${task.label} cannot be a twin of ${of.label}: ${problem}`);
    const group = of.twins ?? [of];
    group.push(task);
    for (const t of group) t.twins = group;
  }

  /** Whether a task other than `task` on its CPU has preemption or interrupts off. */
  private cpuHeldByOther(task: Task): boolean {
    return task.cpu >= 0 && this.cpuTakenFrom(task);
  }

  /** Boots the run: spawns the scenario as the first task and schedules until the run ends. */
  boot(comm: string, scenario: () => Promise<unknown> | unknown): Promise<RunOutcome> {
    setCurrent(this, null);
    this.spawn(comm, scenario, { cpu: 0 });
    this.dispatch();
    return this.done;
  }

  /** A task reached a scheduling point: announce its operation and hand the CPU on. */
  point(task: Task, op: Op): Promise<unknown> {
    if (this.outcome !== null) return NEVER;
    if (task !== this.running || task.inCall) {
      const why = task.inCall
        ? `task ${task.label} reached ${describeOp(op)} while its ${describeOp(task.pending)} had not returned`
        : `task ${task.label} reached ${describeOp(op)} while ${this.running?.label ?? 'no task'} was running`;
      const error = new KemuError('bad-usage', `${why}: a task must not run two kernel calls at once (Promise.all) ` +
        'or run on after awaiting a promise kemu does not control');
      this.fail(error);
      throw error;
    }
    if (op.kind === OpKind.MutexTrylock || op.kind === OpKind.MutexIsLocked) {
      // Announce the look, so a poller whose skipped iterations would hold the lock gets to run one (poll-window.ts).
      const observers = (op.obj as LockBase).observers;
      observers.count++;
      this.accesses.push(access(observers.id, ACC_WRITE));
    }
    this.endStep(task);
    task.inCall = true;
    task.pending = op;
    task.pendingSince = this.clock.ns;
    if (this.capture) task.callTrace = captureCallTrace();
    switch (op.kind) {
      case OpKind.CpuRelax:
        op.arg = task.poll.close(task.heldLocks);
        task.poll.open(task.heldLocks, this.stepCount);
        break;
      case OpKind.MutexLock:
        this.mightSleep(task, op);
        this.lockdep.check(task, op.obj as LockBase);
        if ((op.obj as LockBase).owner === task) {
          task.selfDeadlock = reportSelfDeadlock(this, task, op.obj as LockBase);
          this.report(task.selfDeadlock);
        }
        break;
      case OpKind.SpinLock:
        this.lockdep.check(task, op.obj as LockBase);
        break;
      case OpKind.WaitCompletion:
        this.mightSleep(task, op);
        break;
    }
    const gate = new Promise((resolve) => (task.resume = resolve));
    this.dispatch();
    return gate;
  }

  /** Whether a task could take its next step now. */
  isEnabled(task: Task): boolean {
    if (task.state !== 'ready') return false;
    if (task.cpuShared && this.cpuTakenFrom(task)) return false;
    return this.isEnabledIgnoringCpu(task);
  }

  /** Whether a task's pending operation could run, if it had its CPU. */
  isEnabledIgnoringCpu(task: Task): boolean {
    if (task.state !== 'ready') return false;
    const op = task.pending;
    switch (op.kind) {
      case OpKind.MutexLock:
      case OpKind.SpinLock:
        return (op.obj as LockBase).owner === null;
      case OpKind.WaitCompletion:
        return (op.obj as Completion).done > 0;
      case OpKind.CpuRelax:
        return op.arg === null || spinWoken(op.arg as SpinWait);
      default:
        return true;
    }
  }

  /** The footprint a task's pending operation will have (for the explorer's look at blocked tasks); computed once per operation. */
  pendingAccesses(task: Task): number[] {
    const op = task.pending;
    if (!op.footprint) {
      const footprint = this.footprintOf(task, op);
      if (task.cpu >= 0) footprint.push(access(cpuObjectId(task.cpu), ACC_AWAIT));
      op.footprint = footprint;
    }
    return op.footprint;
  }

  private footprintOf(task: Task, op: Op): number[] {
    switch (op.kind) {
      case OpKind.Start: return [access(task.objId, ACC_READ)];
      case OpKind.Schedule: return [];
      case OpKind.CpuRelax: return op.arg === null ? [] : (op.arg as SpinWait).objects.map((o) => access(o.id, ACC_READ));
      case OpKind.Read:
      case OpKind.MmioRead:
      case OpKind.MutexIsLocked: return [access(op.obj!.id, ACC_READ)];
      case OpKind.MutexLock:
      case OpKind.SpinLock:
      case OpKind.WaitCompletion: return [access(op.obj!.id, ACC_ACQUIRE)];
      case OpKind.MutexTrylock: return [access(op.obj!.id, ACC_TRY_ACQUIRE)];
      case OpKind.MutexUnlock:
      case OpKind.SpinUnlock: return [access(op.obj!.id, ACC_RELEASE)];
      default: return [access(op.obj!.id, ACC_WRITE)];
    }
  }

  /** Records a report; the run goes on (only a run that cannot move ends, in dispatch). Repeats of one signature in a run are dropped. */
  report(report: KernelReport): void {
    if (this.seenSignatures.has(report.signature)) return;
    this.seenSignatures.add(report.signature);
    this.lockdep.annotate(report);
    this.reports.push(report);
  }

  /** Adds a note to the current step of a captured run (see kemu_note). */
  note(text: string): void {
    if (this.capture && this.trace.length > 0) this.trace[this.trace.length - 1]!.notes.push(text);
  }

  /** Ends the run from outside the model (the explorer found a task that escaped the scheduler). */
  abortRun(): void {
    if (this.outcome === null) this.outcome = { kind: 'pruned' };
    this.finish();
  }

  private nextFreeCpu(): number {
    let cpu = 0;
    for (const t of this.tasks) if (t.cpu >= cpu) cpu = t.cpu + 1;
    return cpu;
  }

  /** Another task on this task's CPU has preemption or interrupts disabled, so this one cannot run there. */
  cpuTakenFrom(task: Task): boolean {
    const tasks = this.tasks;
    for (let k = 0; k < tasks.length; k++) {
      const other = tasks[k]!;
      if (other !== task && other.cpu === task.cpu && other.state === 'ready' && (other.preemptCount > 0 || other.irqsDisabled)) {
        return true;
      }
    }
    return false;
  }

  private mightSleep(task: Task, op: Op): void {
    if (task.preemptCount > 0 || task.irqsDisabled) this.report(reportSleepInAtomic(this, task, op));
  }

  private async runBody(task: Task): Promise<void> {
    try {
      await task.body();
    } catch (error) {
      if (KemuError.is(error)) return this.fail(error);
      if (this.outcome !== null) return;
      // As do_exit() after an oops: the task is gone, the locks it held stay held, the machine runs on
      // (do_exit() also resets a leftover preempt count, so the CPU is given back). A runaway step is
      // a CPU that never comes back: it is reported spinning, and stays as stuck.
      const report = error instanceof RunawayStep ? reportRunaway(this, task, error.trace, RUNAWAY_ACCESSES) : reportOops(this, task, error);
      this.report(report);
      this.note(report.title);
      task.state = 'dead';
      this.endStep(task);
      this.running = null;
      this.dispatch();
      return;
    }
    if (this.outcome !== null) return;
    this.endStep(task);
    task.state = 'done';
    this.running = null;
    this.dispatch();
  }

  /** Stops the run because the emulator (not the modelled kernel) went wrong. */
  private fail(error: unknown): void {
    if (this.misuse === null) this.misuse = error;
    if (this.outcome === null) this.outcome = { kind: 'pruned' };
    this.finish();
  }

  private dispatch(): void {
    if (this.outcome !== null) return this.finish();
    // A new array each step: emptying one (length = 0) costs more than making one.
    const enabled: Task[] = [];
    let live = 0;
    // Indexed loops here and in cpuTakenFrom: with for-of, a QI search's step took 1.4 % more instructions.
    const tasks = this.tasks;
    for (let k = 0; k < tasks.length; k++) {
      const task = tasks[k]!;
      if (task.state !== 'ready') continue;
      if (!task.daemon) live++;
      if (this.isEnabled(task)) enabled.push(task);
    }
    if (enabled.length === 0) {
      // The run is maximal: nothing can move. With live tasks left, that is a hang or a lockup.
      if (live === 0) {
        this.outcome = { kind: 'complete' };
        return this.finish();
      }
      const stuck = detectStuck(this);
      this.report(stuck);
      this.outcome = { kind: 'stuck', report: stuck };
      return this.finish();
    }
    if (this.stepCount >= this.maxSteps) {
      this.outcome = { kind: 'step-bound' };
      return this.finish();
    }
    let next: Task | null;
    try {
      next = this.chooser.choose(enabled, this);
    } catch (error) {
      return this.fail(error);
    }
    if (next === null) {
      this.outcome = { kind: 'pruned' };
      return this.finish();
    }
    this.beginStep(next);
    // The operation runs as the chosen task: register behaviour and lockdep see it as current().
    setCurrentTask(next);
    if (this.events !== null) this.events.emit('step', { step: this.stepCount, ns: this.clock.ns, task: next, op: describeOp(next.pending) });
    const result = this.execute(next, next.pending);
    this.opAccesses = this.accesses.length;
    if (this.capture) this.trace[this.trace.length - 1]!.result = describeValue(next.pending, result);
    if (this.outcome !== null) return this.finish();
    const resume = next.resume!;
    next.resume = null;
    // The call is over only once this microtask has run, just before the task's code goes on: a second
    // call reached before then was started while this one was pending (Promise.all). (A reaction on a
    // settled promise: queueMicrotask would also make an async_hooks resource per step.)
    SETTLED.then(next.callReturned);
    resume(result);
  }

  private beginStep(task: Task): void {
    this.stepCount++;
    this.clock.tick();
    this.accesses = [];
    this.running = task;
    const heartbeat = this.heartbeat;
    if (heartbeat !== null) {
      // The heartbeat (heartbeat.ts): this step and the task taking it, for a watchdog that cannot see a JavaScript loop.
      heartbeat[HB_STEP] = this.stepCount;
      heartbeat[HB_PIDS + this.stepCount] = task.pid;
    }
    this.heldCpuAtStepStart = holdsCpu(task);
    // A task can only run while no other task on its CPU has preemption or interrupts off. Every step
    // says so, shared CPU or not yet: a task spawned there later must race with the steps before it.
    if (task.cpu >= 0) this.accesses.push(access(cpuObjectId(task.cpu), ACC_AWAIT));
    if (this.capture) {
      this.trace.push({ step: this.stepCount, ns: this.clock.ns, pid: task.pid, op: describeOp(task.pending),
        opKind: task.pending.kind, target: targetName(task.pending), result: null, notes: [] });
    }
  }

  private endStep(task: Task): void {
    if (this.running !== task) return;
    this.noteCpuHold(task);
    if (this.invariants.any) for (const r of this.invariants.broken(this, task)) this.report(r);
    if (!this.chooser.stepEnded) return;
    try {
      this.chooser.stepEnded(task, this.accesses, this);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Taking or giving back the CPU (preemption or interrupts turned off or on) during the step. */
  private noteCpuHold(task: Task): void {
    if (task.cpu < 0) return;
    const held = task.state === 'ready' && holdsCpu(task);
    if (held !== this.heldCpuAtStepStart) this.accesses.push(access(cpuObjectId(task.cpu), held ? ACC_ACQUIRE : ACC_RELEASE));
  }

  /** Executes a task's pending operation atomically; returns what the task's await yields. */
  private execute(task: Task, op: Op): unknown {
    switch (op.kind) {
      case OpKind.Start:
        this.accesses.push(access(task.objId, ACC_READ));
        task.poll.open(task.heldLocks, this.stepCount);
        return undefined;
      case OpKind.Read: {
        const cell = op.obj as Cell<unknown>;
        this.recordRead(cell, cell.value);
        return cell.value;
      }
      case OpKind.Write: {
        const cell = op.obj as Cell<unknown>;
        const changed = cell.value !== op.arg;
        cell.value = op.arg;
        this.recordWrite(cell, changed);
        return undefined;
      }
      case OpKind.Rmw: {
        const cell = op.obj as Cell<unknown>;
        const old = cell.value;
        cell.value = (op.arg as (old: unknown) => unknown)(old);
        this.recordRead(cell, old);
        this.recordWrite(cell, cell.value !== old);
        return old;
      }
      case OpKind.MmioRead: {
        const reg = op.obj as Register<unknown>;
        const value = reg.mmioRead();
        this.recordRead(reg, reg.value);
        return value;
      }
      case OpKind.MmioWrite: {
        const reg = op.obj as Register<unknown>;
        const before = reg.value;
        reg.mmioWrite(op.arg);
        this.recordWrite(reg, reg.value !== before);
        return undefined;
      }
      case OpKind.MutexLock:
        this.acquire(task, op.obj as LockBase);
        task.lastScheduled = this.clock.ns;
        return undefined;
      case OpKind.MutexTrylock: {
        const lock = op.obj as LockBase;
        if (lock.owner !== null) {
          // A failed trylock only looks at the owner word.
          this.recordRead(lock, true);
          return 0;
        }
        this.acquire(task, lock, ACC_TRY_ACQUIRE);
        return 1;
      }
      case OpKind.MutexIsLocked: {
        const lock = op.obj as LockBase;
        this.recordRead(lock, lock.owner !== null);
        return lock.owner !== null;
      }
      case OpKind.SpinLock: {
        const flags: IrqFlags = task.irqsDisabled;
        if (op.arg === true) task.irqsDisabled = true;
        task.preemptCount++;
        this.acquire(task, op.obj as LockBase);
        return flags;
      }
      case OpKind.MutexUnlock:
        this.release(task, op.obj as LockBase);
        return undefined;
      case OpKind.SpinUnlock:
        this.release(task, op.obj as LockBase);
        task.preemptCount--;
        if (op.arg !== undefined) task.irqsDisabled = op.arg as IrqFlags;
        return undefined;
      case OpKind.CpuRelax: {
        const spin = op.arg as SpinWait | null;
        if (spin !== null) for (const o of spin.objects) this.accesses.push(access(o.id, ACC_READ));
        return undefined;
      }
      case OpKind.Complete: {
        // A completion is a counting resource: a complete() that makes it available releases it.
        const x = op.obj as Completion;
        const was = x.done;
        if (op.arg === true) x.done = COMPLETE_ALL;
        else if (x.done !== COMPLETE_ALL) x.done++;
        this.recordEffect(x, was === 0 ? ACC_RELEASE : ACC_WRITE);
        return undefined;
      }
      case OpKind.WaitCompletion: {
        // A wait that takes the last count acquires it: later waiters must wait for the next complete().
        const x = op.obj as Completion;
        if (x.done !== COMPLETE_ALL) x.done--;
        this.recordEffect(x, x.done === 0 ? ACC_ACQUIRE : ACC_WRITE);
        task.lastScheduled = this.clock.ns;
        return undefined;
      }
      case OpKind.Schedule:
        task.lastScheduled = this.clock.ns;
        return undefined;
    }
  }

  /** Takes `lock` for `task`; `type` says whether it waited for it (ACC_ACQUIRE) or tried (ACC_TRY_ACQUIRE). */
  private acquire(task: Task, lock: LockBase, type: number = ACC_ACQUIRE): void {
    lock.owner = task;
    task.heldLocks.push({ lock, acquiredIn: this.capture ? lockCaller(task.callTrace) : null });
    task.poll.acquire(lock);
    this.accesses.push(access(lock.id, type));
    this.noteInvariantWrite(lock);
    if (this.events !== null) this.events.emit('lock', { step: this.stepCount, ns: this.clock.ns, task, lock: lock.label, lockClass: lock.lockClass.name, acquired: true });
  }

  private release(task: Task, lock: LockBase): void {
    this.accesses.push(access(lock.id, ACC_RELEASE));
    this.noteInvariantWrite(lock);
    if (lock.owner !== task) {
      this.report(reportWarn(this, task, `unlock of ${lock.label}, which ${lock.owner ? lock.owner.label + ' holds' : 'is not held'}`,
        'DEBUG_LOCKS_WARN_ON(owner != current)'));
      return;
    }
    lock.owner = null;
    if (this.events !== null) this.events.emit('lock', { step: this.stepCount, ns: this.clock.ns, task, lock: lock.label, lockClass: lock.lockClass.name, acquired: false });
    for (let i = task.heldLocks.length - 1; i >= 0; i--) {
      if (task.heldLocks[i]!.lock === lock) {
        task.heldLocks.splice(i, 1);
        break;
      }
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.running = null;
    setCurrent(null, null);
    this.resolveDone(this.outcome!);
  }
}
