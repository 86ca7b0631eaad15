/**
 * Optimal dynamic partial-order reduction with source sets, wakeup trees and
 * sleep sets: Algorithm 2 of Abdulla, Aronis, Jonsson and Sagonas, "Source
 * Sets: A Foundation for Optimal Dynamic Partial Order Reduction", JACM 64(4),
 * 2017, with locks handled as Nidhugg does (TSOTraceBuilder).
 *
 * It explores exactly one execution of each Mazurkiewicz trace of maximal
 * executions, where two steps of different tasks are dependent when they touch
 * one object and not both only read it (access.ts; docs/explorer.md has the
 * table per primitive). The search is stateless: every run re-executes the
 * scenario, replays the prefix that leads to the next branch, follows the
 * wakeup sequence below it, then goes on by default (the running task while it
 * can, else the first task not asleep). After each maximal run, every race is
 * reversed into a wakeup sequence, unless a sleeping task is a weak initial of
 * it (the sequence would repeat an explored trace), and inserted into the
 * wakeup tree of the node before the race.
 *
 * With blocking operations a run can still end early: when every runnable task
 * is asleep (sleep-set blocked), or when a wakeup sequence reaches a task that
 * cannot run there (the reversal of a race with a blocking step). Such a run
 * is cut short and not counted; its steps are a prefix of a counted run, so it
 * finds nothing a counted run does not.
 *
 * The top of the tree (split.ts) is explored with sleep sets alone: each of
 * its nodes takes every runnable task not asleep as a child (a source set
 * cannot be smaller than needed if it holds them all), and no race reverses
 * into it. Below each leaf of the top the search is the algorithm's, from an
 * empty wakeup tree. So the leaves are independent: shards and worker
 * threads each explore the leaves they own and cut the others' runs after the
 * leaf's first step, and the counted runs of all parts are exactly one
 * search's. (Sleep sets alone never count two runs of one trace; only more
 * runs are cut, and only in the top.)
 */
import type { Kernel, RunOutcome } from '../kernel/kernel.js';
import { KemuError } from '../kernel/errors.js';
import { footprintsConflict } from '../kernel/sched/access.js';
import { OpKind, type Op } from '../kernel/sched/op.js';
import type { SpinWait } from '../kernel/sched/poll-window.js';
import type { Task } from '../kernel/sched/task.js';
import { ExecutionEvents, type BlockedEvent, type Parked, type WaitedResource } from './execution-events.js';
import { PollHistory } from './poll-history.js';
import { LeafOwnership, SPLIT_WEIGHT, type LeafCounts } from './split.js';
import type { Shard, Strategy } from './strategy.js';
import { TwinSymmetry } from './symmetry.js';
import { WakeupNode, insertWakeupSequence, type WakeupStep } from './wakeup-tree.js';

/** Why a run was cut short ('elsewhere': its leaf of the top belongs to another part of the search). */
type Cut = 'sleep-blocked' | 'infeasible' | 'redundant' | 'elsewhere';

export interface DporStats {
  /** Runs cut because every runnable task was asleep. */
  sleepBlocked: number;
  /** Runs cut because a wakeup sequence reached a task that could not run (the reversal of a race with a waiting step). */
  infeasible: number;
  /** Runs cut because a wakeup sequence reached a sleeping task (it was inserted not knowing what a reversed step would touch). */
  redundant: number;
}

export class OptimalDpor implements Strategy {
  readonly name: string = 'dpor';
  readonly exhaustive = true;
  readonly stats: DporStats = { sleepBlocked: 0, infeasible: 0, redundant: 0 };

  private readonly root = new WakeupNode(0, [], false);
  private readonly events = new ExecutionEvents();
  private readonly polls = new PollHistory();
  /** The gates between twins (symmetry.ts), or null when symmetry reduction is off. */
  private readonly symmetry: TwinSymmetry | null;
  /** The tree node of the step taken at each position of the current run. */
  private readonly nodes: WakeupNode[] = [];
  /** For each position: the tasks asleep at its node because they were explored there before this branch. */
  private readonly explored: WakeupStep[][] = [];
  /** For each position: the sleep set its node inherits from the steps before it (explored[i] not included). */
  private readonly sleepBefore: WakeupStep[][] = [[]];
  /** How many accesses the step at each position made (to catch a scenario that is not deterministic). */
  private readonly accessCounts: number[] = [];
  /** Positions the current run replays from the previous one. */
  private replayLength = 0;
  /** Tasks asleep at the first new position because they were explored there already. */
  private branchExplored: WakeupStep[] = [];
  /** Position of the next step in the current run. */
  private position = 0;
  /** Sleep set at the current position. */
  private sleep: WakeupStep[] = [];
  private cut: Cut | null = null;
  private started = false;
  private ownership = new LeafOwnership(null);
  /** Leaves of the tree's top met so far (split.ts). */
  private leaves = 0;
  /** The current run's leaf: its ordinal (-1 until the run reaches it), its first decision below the top, and the run's place in it. */
  private leaf = -1;
  private leafPosition = Infinity;
  private runInLeaf = 0;
  /** Whether this part of the search explores the current leaf. */
  private owned = true;

  private readonly splitWeight: number;

  /**
   * `symmetry`: explore one execution of each set that differ only by swapping
   * twins (default true); `splitWeight`: where the tree's top ends (split.ts;
   * 1: no top, the algorithm alone, which cannot be split).
   */
  constructor(options: { symmetry?: boolean; splitWeight?: number } = {}) {
    this.symmetry = options.symmetry === false ? null : new TwinSymmetry(this.events);
    this.splitWeight = options.splitWeight ?? SPLIT_WEIGHT;
    this.root.weight = 1;
  }

  /** Explores only the leaves of the tree's top this shard owns (split.ts; the top ends at the constructor's splitWeight). */
  shardBy(shard: Shard): this {
    this.ownership = new LeafOwnership(shard);
    return this;
  }

  /** The groups of twins the reduction treated as interchangeable (comms), if any. */
  twinGroups(): string[][] {
    return this.symmetry?.groups() ?? [];
  }

  get chooser(): this {
    return this;
  }

  runCounts(): boolean {
    this.settleLeaf();
    return this.owned;
  }

  leafCounts(): LeafCounts | null {
    return this.ownership.counts();
  }

  runOrder(): number[] {
    this.settleLeaf();
    return [this.leaf, this.runInLeaf];
  }

  /** A run that ended (or was cut) in the top without reaching a leaf is a leaf of its own. */
  private settleLeaf(): void {
    if (this.leaf < 0) this.enterLeaf(this.position);
  }

  /** The decision at `position` is the path's first below the top: a new leaf, this part's or another's. */
  private enterLeaf(position: number): void {
    this.leaf = this.leaves++;
    this.leafPosition = position;
    this.runInLeaf = 0;
    this.owned = this.ownership.owns(this.leaf);
  }

  /** The branch taken leaves the current leaf: the run meets its leaf afresh. */
  private leaveLeaf(): void {
    this.leaf = -1;
    this.leafPosition = Infinity;
    this.owned = true;
  }

  beginRun(): boolean {
    this.position = 0;
    if (!this.started) {
      this.started = true;
      return true;
    }
    const cutAt = this.cut === 'infeasible' || this.cut === 'redundant' ? this.nodes.length : -1;
    this.cut = null;
    for (let i = this.nodes.length - (cutAt >= 0 ? 0 : 1); i >= 0; i--) {
      const parent = this.nodeAt(i);
      if (i === cutAt) {
        // The branch that could not run is dropped unexplored; its siblings keep its sleepers.
        const dropped = parent.children.shift()!;
        this.retryDeferred(parent, dropped);
        if (parent.children.length > 0) return this.startBranch(i, this.branchExploredAt(i));
        continue;
      }
      if (parent.children.length > 1) {
        parent.children.shift();
        const done: WakeupStep = { uid: this.nodes[i]!.uid, footprint: this.events.events[i]!.footprint };
        return this.startBranch(i, [...this.explored[i]!, done]);
      }
    }
    return false;
  }

  choose(enabled: readonly Task[], kernel: Kernel): Task | null {
    const i = this.position;
    if (i < this.replayLength) {
      const uid = this.nodes[i]!.uid;
      const task = taskOf(enabled, uid);
      if (!task) throw this.nondeterministic(i, `${this.describeTask(kernel, uid)} ran here in an earlier run but cannot run now`, enabled);
      return task;
    }
    this.symmetry?.notice(enabled);
    this.polls.observe(i, kernel.tasks, this.stepsOf);
    const parent = this.nodeAt(i);
    // The first decision below the top: the run's leaf, this part's to explore or another's.
    if (this.leaf < 0 && !(parent.weight < this.splitWeight)) this.enterLeaf(i);
    if (!this.owned) return this.cutShort('elsewhere');
    if (parent.weight < this.splitWeight && !parent.expanded && !this.expand(parent, enabled, kernel)) {
      this.checkGatesCanOpen(enabled, i);
      return this.cutShort('sleep-blocked');
    }
    const planned = parent.children[0];
    if (planned) {
      const task = taskOf(enabled, planned.uid);
      if (!task) {
        // A blocked task is a reversal that cannot happen; a task that is gone or was never made is a changed scenario.
        const named = taskOf(kernel.tasks, planned.uid);
        if (!named || named.state !== 'ready') {
          throw this.nondeterministic(i, `${this.describeTask(kernel, planned.uid)} was to take its next step, but it ${named ? 'has ended' : 'does not exist'}`, enabled);
        }
        return this.dropPlanned(i, 'infeasible');
      }
      if (this.asleep(planned.uid)) return this.dropPlanned(i, 'redundant');
      if (this.gated(planned.uid)) return this.dropPlanned(i, 'infeasible');
      this.take(i, planned);
      return task;
    }
    const running = kernel.running;
    const next = running && enabled.includes(running) && this.free(running) ? running : enabled.find((t) => this.free(t));
    if (!next) {
      this.checkGatesCanOpen(enabled, i);
      return this.cutShort('sleep-blocked');
    }
    this.take(i, parent.addChild(next.uid));
    return next;
  }

  /** Whether task `t` may be chosen by default here: not asleep, not held back by a twin. */
  private free(t: Task): boolean {
    return !this.asleep(t.uid) && !this.gated(t.uid);
  }

  /**
   * Makes every free task a child of `parent`, a node of the tree's top met
   * for the first time (the running one first, as a default choice would);
   * false if none is free.
   */
  private expand(parent: WakeupNode, enabled: readonly Task[], kernel: Kernel): boolean {
    const running = kernel.running;
    const free = enabled.filter((t) => this.free(t));
    if (free.length === 0) return false;
    const first = running && free.includes(running) ? running : free[0]!;
    const weight = parent.weight * free.length;
    for (const t of [first, ...free.filter((t) => t !== first)]) parent.addChild(t.uid).weight = weight;
    parent.expanded = true;
    return true;
  }

  private readonly stepsOf = (uid: number): number => this.events.stepsOf(uid);

  /**
   * For a poller woken from cpu_relax() (`op` is its step's operation): what it
   * watched, where its poll began, and its park (execution-events.ts drops
   * the races it could not win).
   */
  private parkedOf(task: Task, op: Op): Parked | null {
    if (op.kind !== OpKind.CpuRelax || op.arg === null) return null;
    const spin = op.arg as SpinWait;
    // Steps are numbered from 1, positions from 0: the poll began during step `since`, at position since - 1.
    return { watched: spin.objects.map((o) => o.id), pollBegan: spin.since - 1, park: this.polls.parkAfter(task.uid, this.events.stepsOf(task.uid)) };
  }

  /** Whether task `uid`'s next step waits for an earlier twin's (symmetry.ts). */
  private gated(uid: number): boolean {
    return this.symmetry !== null && this.symmetry.gated(uid);
  }

  /** A twin waits for an earlier twin that cannot run at all: the two are not interchangeable. */
  private checkGatesCanOpen(enabled: readonly Task[], i: number): void {
    if (this.symmetry === null) return;
    for (const task of enabled) {
      const earlier = this.symmetry.gate(task.uid);
      if (earlier !== null && !enabled.some((t) => t.uid === earlier.uid)) throw this.symmetry.notInterchangeable(task, earlier, i);
    }
  }

  stepEnded(task: Task, accesses: readonly number[], kernel: Kernel): void {
    const i = this.position++;
    if (i < this.replayLength) {
      // A replayed step must do what it did before; its number of accesses is a cheap witness.
      if (accesses.length !== this.accessCounts[i]) throw this.nondeterministic(i, `${task.label}'s step touched ${accesses.length} objects, ${this.accessCounts[i]} in an earlier run`, []);
      return;
    }
    this.accessCounts[i] = accesses.length;
    const op = task.pending;
    const symmetry = this.symmetry;
    const twins = symmetry !== null && symmetry.any;
    const event = this.events.add({
      uid: task.uid, accesses, opAccesses: kernel.opAccesses, spawnedAt: task.spawnedAtStep - 1, taskObject: task.objId,
      waitsOn: waitedResourceOf(op), parked: this.parkedOf(task, op),
      after: twins ? symmetry.edgesFor(task.uid) : NO_EDGES, withSources: twins && symmetry.isTwin(task.uid),
    });
    if (twins) symmetry.recorded(event, i, task.label);
    const node = this.nodes[i]!;
    node.ran(event.footprint);
    this.retryDeferred(this.nodeAt(i), node);
    if (this.sleep.length > 0) this.sleep = this.sleep.filter((s) => !footprintsConflict(s.footprint, event.footprint));
  }

  endRun(outcome: RunOutcome, kernel: Kernel): void {
    this.settleLeaf();
    if (!this.owned) return;
    if (outcome.kind === 'pruned') {
      this.countCut();
      // A leaf of the top starts with a sleep set and no wakeup tree, so its first runs can end with every
      // task asleep; their races are reversed as source-DPOR reverses those of every execution it explores.
      if (this.cut !== 'sleep-blocked') return;
    }
    const blocked: BlockedEvent[] = [];
    this.polls.observe(this.position, kernel.tasks, this.stepsOf);
    for (const task of kernel.tasks) {
      // A twin held back by its gate races with nothing: the earlier twin's own blocked step stands for it.
      if (task.state === 'ready' && !kernel.isEnabled(task) && !this.gated(task.uid)) blocked.push(this.events.blocked(task.uid, kernel.pendingAccesses(task), waitedResourceOf(task.pending), this.parkedOf(task, task.pending)));
    }
    this.reverseRaces(blocked);
  }

  /** Inserts again, at `parent`, the sequences that waited to know what `child`'s step touches. */
  private retryDeferred(parent: WakeupNode, child: WakeupNode): void {
    const waiting = child.deferred;
    if (!waiting) return;
    child.deferred = null;
    for (const rest of waiting) insertWakeupSequence(parent, rest);
  }

  /** The tree node at which position `i` chooses its step. */
  private nodeAt(i: number): WakeupNode {
    return i === 0 ? this.root : this.nodes[i - 1]!;
  }

  private branchExploredAt(i: number): WakeupStep[] {
    return i === this.replayLength ? this.branchExplored : this.explored[i] ?? [];
  }

  private startBranch(i: number, explored: WakeupStep[]): boolean {
    this.nodes.length = i;
    this.explored.length = i;
    this.sleepBefore.length = i + 1;
    this.accessCounts.length = i;
    this.events.truncate(i);
    this.polls.truncate(i);
    this.symmetry?.truncated();
    this.replayLength = i;
    this.branchExplored = explored;
    if (i < this.leafPosition) this.leaveLeaf();
    else this.runInLeaf++;
    this.sleep = [...this.sleepBefore[i]!, ...explored];
    return true;
  }

  /** The sleep set at position `i`'s node in the current run. */
  private sleepAt(i: number): WakeupStep[] {
    const explored = this.explored[i]!;
    return explored.length === 0 ? this.sleepBefore[i]! : [...this.sleepBefore[i]!, ...explored];
  }

  private take(i: number, node: WakeupNode): void {
    this.nodes[i] = node;
    // Past the branch, nothing was explored here before: the node's sleep set is what the run carries.
    if (i === this.replayLength) this.explored[i] = this.branchExplored;
    else {
      this.explored[i] = [];
      this.sleepBefore[i] = this.sleep;
    }
  }

  private asleep(uid: number): boolean {
    for (const s of this.sleep) if (s.uid === uid) return true;
    return false;
  }

  /**
   * Cuts the run at position `i`, whose planned step cannot or need not run;
   * the next run drops that branch and takes a sibling, with the sleep set
   * this run carried to `i` (kept here: nothing was taken at `i`).
   */
  private dropPlanned(i: number, why: Cut): null {
    if (i !== this.replayLength) this.sleepBefore[i] = this.sleep;
    return this.cutShort(why);
  }

  private cutShort(why: Cut): null {
    this.cut = why;
    return null;
  }

  /** Counts the current run's cut, once its leaf says the run is this part's. */
  private countCut(): void {
    if (this.cut === 'sleep-blocked') this.stats.sleepBlocked++;
    else if (this.cut === 'infeasible') this.stats.infeasible++;
    else if (this.cut === 'redundant') this.stats.redundant++;
  }

  /**
   * For every race of the run whose second step is new in it (a race within
   * the replayed prefix was reversed in the run that first took it, as
   * Nidhugg's TSOTraceBuilder clears a race once detected), in order of its
   * first event: the reversal, unless a sleeper already covers it.
   */
  private reverseRaces(blocked: readonly BlockedEvent[]): void {
    const events = this.events.events;
    const races: { first: number; second: number | BlockedEvent }[] = [];
    for (let j = this.replayLength; j < events.length; j++) for (const r of events[j]!.races) races.push({ first: r.first, second: j });
    for (const b of blocked) for (const r of b.races) races.push({ first: r.first, second: b });
    // Stable: for one first event, the seconds keep run order, blocked steps last.
    races.sort((a, b) => a.first - b.first);
    for (const { first, second } of races) {
      const v = this.wakeupSequence(first, second);
      if (clearsSleep(v, this.sleepAt(first))) insertWakeupSequence(this.nodeAt(first), v);
    }
  }

  /** notdep(e, E).e': the steps after event `i` that do not happen after it, then the second event of the race. */
  private wakeupSequence(i: number, second: number | BlockedEvent): WakeupStep[] {
    const events = this.events.events;
    const v: WakeupStep[] = [];
    for (let k = i + 1; k < events.length; k++) {
      if (!this.events.happensBefore(i, k)) v.push({ uid: events[k]!.uid, footprint: events[k]!.footprint });
    }
    // Reversed, the second step sees another value: only its operation's accesses are known until it runs.
    if (typeof second === 'number') v.push({ uid: events[second]!.uid, footprint: events[second]!.op, tentative: true });
    else v.push({ uid: second.uid, footprint: second.footprint, tentative: true });
    return v;
  }

  private describeTask(kernel: Kernel, uid: number): string {
    const task = taskOf(kernel.tasks, uid);
    return task ? task.label : `a task that an earlier run spawned (identity ${uid})`;
  }

  private nondeterministic(i: number, what: string, enabled: readonly Task[]): KemuError {
    const runnable = enabled.length > 0 ? ` (runnable: ${enabled.map((t) => t.label).join(', ')})` : '';
    return new KemuError('bad-usage',
      `the scenario is not deterministic: at step ${i + 1} ${what}${runnable}; ` +
      'remove wall-clock time, Math.random, I/O and state kept between runs from it');
  }
}

const NO_EDGES: readonly number[] = [];

/** The task among `tasks` with identity `uid`, if any (a loop: replaying a step costs no closure). */
function taskOf(tasks: readonly Task[], uid: number): Task | undefined {
  for (let k = 0; k < tasks.length; k++) if (tasks[k]!.uid === uid) return tasks[k];
  return undefined;
}

/** The lock or completion an operation waits to take. */
function waitedResourceOf(op: Op): WaitedResource | null {
  if (op.kind === OpKind.MutexLock || op.kind === OpKind.SpinLock) return { object: op.obj!.id, freeAtFirst: true };
  return op.kind === OpKind.WaitCompletion ? { object: op.obj!.id, freeAtFirst: false } : null;
}

/**
 * Whether no sleeping task is a weak initial of `v`: following v, each sleeper
 * must be woken (a step of v conflicts with its step) before v reaches a step
 * of its own task, and none may stay asleep to the end (it would commute with
 * all of v). A tentative step may wake any sleeper: what it touches beyond its
 * operation is unknown, so a sleeper it reaches is not known to commute with v
 * (if one does, the run that follows v meets it asleep and is cut).
 */
function clearsSleep(v: readonly WakeupStep[], sleep: readonly WakeupStep[]): boolean {
  let sleepers = sleep;
  for (const step of v) {
    if (sleepers.length === 0) return true;
    for (const s of sleepers) if (s.uid === step.uid) return false;
    if (step.tentative) return true;
    sleepers = sleepers.filter((s) => !footprintsConflict(s.footprint, step.footprint));
  }
  return sleepers.length === 0;
}
