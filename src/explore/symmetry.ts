/**
 * Symmetry reduction for twins: tasks declared to run the same code on the
 * same data (SpawnOptions.twinOf), as the CPUs of the queued-invalidation
 * scenarios that submit the same count. Swapping two twins (with their CPUs,
 * their task objects and the objects they create) maps every execution to an
 * execution with the same failures and the same final state up to the swap,
 * so the search needs one execution of each such pair.
 *
 * The rule is GenMC's (Kokologiannakis, Marmanis, Gladstein, Vafeiadis,
 * "Truly Stateless, Optimal Dynamic Partial Order Reduction", POPL 2022,
 * symmetry reduction; GenMC's SymmetryChecker): while a twin and an earlier
 * twin have had the same history, step for step, the later one's next step
 * may only come after the earlier one's. Here that is a gate: twin B cannot
 * take its step j while it and an earlier twin A agree on steps 1..j-1 and A
 * has not taken step j; the gate is an edge of happens-before (A's step j
 * before B's), so the partial-order reduction explores the gated program
 * exactly. Two steps *agree* when they touch the same objects up to the swap,
 * in the same ways, write nothing shared, and read what they read from the
 * same write (for an object of their own: from their own step of the same
 * index, or from before they were spawned). The first step that does not
 * agree still waits; after it the two are free.
 *
 * Why one execution of each pair is kept: take any execution and the first
 * index at which A and B do not agree. If their steps there conflict, they
 * are ordered; if B's comes first, swap the twins (an execution too, by the
 * symmetry). If they read different writes, the one that read the older
 * write comes first, likewise. Before that index their steps only read shared
 * objects (the same writes) and touch their own: each of A's steps commutes
 * with everything between B's step of the same index and it, so the
 * execution is equivalent to one in which A's steps come first, which the
 * gated program has. docs/explorer.md has the argument in full and the
 * conditions twins must meet; this file checks them as the run goes.
 */
import { KemuError } from '../kernel/errors.js';
import { ACC_AWAIT, ACC_READ, OBJECTS_PER_CREATOR, accessObject, accessType, cpuObjectId } from '../kernel/sched/access.js';
import type { Task } from '../kernel/sched/task.js';
import type { ExecutionEvent, ExecutionEvents } from './execution-events.js';

/** What the explorer knows of a twin: stable across runs (its identity is). */
interface Twin {
  readonly uid: number;
  readonly label: string;
  /** Its comm, as results name twins. */
  readonly comm: string;
  readonly taskObject: number;
  /** Its CPU's object, or -1 (no CPU). */
  readonly cpuObject: number;
  /** The earlier twins of its group, in spawn order. */
  readonly earlier: readonly Twin[];
  /** The first twin of its group's identity. */
  readonly group: number;
  /** Position of the step that spawned the group (-1: before the first step). */
  readonly spawnedAt: number;
}

/** A later twin and an earlier one: whether their steps agreed, step by step (index j-1). */
interface Pair {
  readonly earlier: Twin;
  readonly later: Twin;
  /** Results of comparing steps 1, 2, …; it ends at the first that did not agree. */
  readonly agreed: boolean[];
}

export class TwinSymmetry {
  private readonly twins = new Map<number, Twin>();
  /** Pairs by the later twin's uid. */
  private readonly pairsOf = new Map<number, Pair[]>();
  /** Objects only twins may touch once they exist (their CPUs and task objects), by object. */
  private readonly guarded = new Map<number, Twin>();

  constructor(private readonly events: ExecutionEvents) {}

  /** Whether any twins were declared. */
  get any(): boolean {
    return this.twins.size > 0;
  }

  /** The groups of twins seen, each by its members' comms in spawn order. */
  groups(): string[][] {
    const groups = new Map<number, string[]>();
    for (const twin of this.twins.values()) groups.set(twin.group, [...(groups.get(twin.group) ?? []), twin.comm]);
    return [...groups.values()];
  }

  /** Learns the twins among `tasks` it has not seen (a task's declaration is the same in every run). */
  notice(tasks: readonly Task[]): void {
    for (const task of tasks) {
      if (task.twins === null || this.twins.has(task.uid)) continue;
      for (const t of task.twins) this.register(t);
    }
  }

  /** Whether the step `uid` would take next must wait for an earlier twin's. */
  gated(uid: number): boolean {
    return this.gate(uid) !== null;
  }

  /**
   * The earlier twin whose next step `uid`'s next step waits for, or null.
   * Only for a position past the replayed prefix (the events are the run's so far).
   */
  gate(uid: number): Twin | null {
    const pairs = this.pairsOf.get(uid);
    if (pairs === undefined) return null;
    const next = this.events.stepsOf(uid) + 1;
    for (const pair of pairs) {
      if (this.agreeThrough(pair) >= next - 1 && this.events.stepsOf(pair.earlier.uid) < next) return pair.earlier;
    }
    return null;
  }

  /** Positions of the earlier twins' steps that the step `uid` is about to record must come after. */
  edgesFor(uid: number): number[] {
    const pairs = this.pairsOf.get(uid);
    if (pairs === undefined) return NO_EDGES;
    const j = this.events.stepsOf(uid) + 1;
    const edges: number[] = [];
    for (const pair of pairs) if (this.agreeThrough(pair) >= j - 1) edges.push(this.events.positionOf(pair.earlier.uid, j));
    return edges;
  }

  /** Whether `uid`'s steps need their sources recorded (it is a twin). */
  isTwin(uid: number): boolean {
    return this.twins.has(uid);
  }

  /**
   * After `event` (a twin's step j) was recorded: compares it with each
   * earlier twin's step j where they still agreed; checks that no task but
   * its twins touched a twin's CPU or task object since their spawn.
   */
  recorded(event: ExecutionEvent, position: number, label: string): void {
    for (const a of event.footprint) {
      const owner = this.guarded.get(accessObject(a));
      if (owner !== undefined && position > owner.spawnedAt && this.twins.get(event.uid)?.group !== owner.group) {
        throw new KemuError('bad-usage', `${label} touched ${owner.cpuObject === accessObject(a) ? 'the CPU' : 'the task'} of ${owner.label}, ` +
          'which was spawned as a twin: twins must have their CPUs to themselves from their spawn on (or pass no twinOf)');
      }
    }
    const pairs = this.pairsOf.get(event.uid);
    if (pairs === undefined) return;
    for (const pair of pairs) {
      if (this.agreeThrough(pair) !== event.index - 1 || pair.agreed.length !== event.index - 1) continue;
      const earlier = this.events.events[this.events.positionOf(pair.earlier.uid, event.index)]!;
      pair.agreed.push(this.agree(pair, earlier, event));
    }
  }

  /** The current path was cut back: forgets comparisons of steps it no longer has. */
  truncated(): void {
    for (const pairs of this.pairsOf.values()) {
      for (const pair of pairs) {
        const steps = this.events.stepsOf(pair.later.uid);
        if (pair.agreed.length > steps) pair.agreed.length = steps;
      }
    }
  }

  /** A twin that could run while the earlier twin it waits for cannot: they are not interchangeable. */
  notInterchangeable(later: Task, earlier: Twin, position: number): KemuError {
    return new KemuError('bad-usage',
      `${later.label} was spawned as a twin of ${earlier.label}, but at step ${position + 1}, after the same history, ` +
      `${later.label} can run and ${earlier.label} cannot: twins must run the same code on the same data (or pass no twinOf)`);
  }

  private register(task: Task): void {
    if (this.twins.has(task.uid)) return;
    const group = task.twins!;
    const earlier = group.slice(0, group.indexOf(task)).map((t) => this.twins.get(t.uid)!);
    const twin: Twin = {
      uid: task.uid, label: task.label, comm: task.comm, taskObject: task.objId, cpuObject: task.cpu >= 0 ? cpuObjectId(task.cpu) : -1,
      earlier, group: group[0]!.uid, spawnedAt: task.spawnedAtStep - 1,
    };
    this.twins.set(task.uid, twin);
    this.guarded.set(twin.taskObject, twin);
    if (twin.cpuObject >= 0 && !earlier.some((e) => e.cpuObject === twin.cpuObject)) this.guarded.set(twin.cpuObject, twin);
    this.pairsOf.set(task.uid, earlier.map((e) => ({ earlier: e, later: twin, agreed: [] })));
  }

  /** How many leading steps of the pair agreed. */
  private agreeThrough(pair: Pair): number {
    const { agreed } = pair;
    const n = agreed.length;
    return n > 0 && !agreed[n - 1] ? n - 1 : n;
  }

  /** Whether the earlier twin's step `a` and the later twin's step `b` (same index) agree. */
  private agree(pair: Pair, a: ExecutionEvent, b: ExecutionEvent): boolean {
    if (a.footprint.length !== b.footprint.length) return false;
    for (let k = 0; k < a.footprint.length; k++) {
      const x = a.footprint[k]!;
      const y = b.footprint[k]!;
      const type = accessType(x);
      if (type !== accessType(y)) return false;
      const object = accessObject(x);
      const swapped = this.swap(pair, object);
      if (swapped !== accessObject(y)) return false;
      const read = type === ACC_READ || type === ACC_AWAIT;
      const from = a.sources![k]!;
      const to = b.sources![k]!;
      if (swapped === object) {
        // A shared object: only reads of the same write keep them interchangeable.
        if (!read || from !== to) return false;
      } else if (!this.sameOwnSource(pair, from, to)) {
        return false;
      }
    }
    return true;
  }

  /** Whether reads of a twin's own object saw corresponding writes: both from before the spawn, or each twin's own step of one index. */
  private sameOwnSource(pair: Pair, from: number, to: number): boolean {
    const spawnedAt = pair.later.spawnedAt;
    if (from <= spawnedAt && to <= spawnedAt) return true;
    if (from < 0 || to < 0) return false;
    const a = this.events.events[from]!;
    const b = this.events.events[to]!;
    return a.uid === pair.earlier.uid && b.uid === pair.later.uid && a.index === b.index;
  }

  /** The object of the later twin that corresponds to the earlier twin's `object` (itself if shared). */
  private swap(pair: Pair, object: number): number {
    const { earlier, later } = pair;
    if (object === earlier.taskObject) return later.taskObject;
    if (object === earlier.cpuObject && later.cpuObject !== earlier.cpuObject) return later.cpuObject;
    const creator = Math.floor(object / OBJECTS_PER_CREATOR);
    return creator === earlier.uid ? object + (later.uid - earlier.uid) * OBJECTS_PER_CREATOR : object;
  }
}

const NO_EDGES: number[] = [];
