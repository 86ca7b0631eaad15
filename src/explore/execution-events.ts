/**
 * The events of the execution being explored, with happens-before and races,
 * for optimal DPOR (docs/explorer.md has the dependence table).
 *
 * Each event (one step of one task) has a vector clock over tasks: entry p is
 * the index of the latest event of task p that happens before it, so event i
 * happens before event k exactly when clock(k)[uid(i)] >= index(i).
 * Happens-before is program order, spawn before the child's first step, and
 * every pair of dependent events in execution order.
 *
 * A race is a pair of dependent events of different tasks, adjacent in
 * happens-before (no third event orders them), whose order the search may
 * reverse. Found as Nidhugg does (TSOTraceBuilder: see_events, compute_vclocks):
 * against each object's last write and the reads since it, keeping only the
 * candidates not already ordered and not subsumed by another. Two kinds need
 * care because the second event waits:
 * - a lock acquisition (or a task waiting for its CPU) after a release races
 *   with the acquisition that release ended, not with the release (it could
 *   not have gone before the release; it could have gone before the holder);
 *   a successful trylock did not wait, so it races with the release itself
 *   (before it, the trylock fails);
 * - a task's first step reads its own task object, which its spawn wrote:
 *   ordered, never reversed (it could not have come first).
 * - a poller parked in cpu_relax() could only go on once something its poll
 *   read changed: the write that woke it is ordered before it, not a race,
 *   unless it was woken before that write too; a write that parked it again
 *   (put back the value it parked on) races with it, as an acquisition races
 *   with the one that took the lock (poll-history.ts says when it was
 *   woken). (A completion is a counting
 *   resource: a complete() that makes it available releases it, a wait that
 *   takes the last count acquires it, and the lock rule above applies.)
 * Blocked tasks at the end of a run contribute a virtual event for the step
 * they could not take, racing with whatever holds them (Nidhugg's lock-fail races).
 */
import { ACC_ACQUIRE, ACC_AWAIT, ACC_READ, ACC_RELEASE, ACC_TRY_ACQUIRE, ACC_WRITE, accessObject, accessType } from '../kernel/sched/access.js';
import type { Park } from './poll-history.js';

export interface Race {
  /** Position of the first event (the one to reverse). */
  readonly first: number;
  /** For a lock acquisition after a release: the release (which orders them); else -1. */
  readonly via: number;
}

export interface ExecutionEvent {
  readonly uid: number;
  /** 1-based index among the task's events. */
  readonly index: number;
  /** Position of the task's previous event (-1: this is its first). */
  readonly previous: number;
  /** The step's accesses, one per object (the strongest kind), see access.ts. */
  readonly footprint: number[];
  /** The accesses of the step's operation alone (the code after it depends on what the operation returned). */
  readonly op: number[];
  readonly clock: number[];
  /** Races in which this event is the second. */
  readonly races: readonly Race[];
  /** For a twin's step (symmetry.ts): the position of the write each footprint access saw last (-1: none); else null. */
  readonly sources: number[] | null;
  /** The history of each footprint access's object, looked up once when the event was added (truncate undoes through it). */
  readonly histories: ObjectHistory[];
}

/** What the explorer recorded of one step, for ExecutionEvents.add. */
export interface StepRecord {
  readonly uid: number;
  /** Everything the step touched, its operation's accesses first. */
  readonly accesses: readonly number[];
  /** How many of `accesses` are the operation's (the code after it depends on what it returned). */
  readonly opAccesses: number;
  /** Position of the step that spawned the task (-1: before the first step). */
  readonly spawnedAt: number;
  /** The task's own object: its spawn wrote it, its start reads it (an order, never a race). */
  readonly taskObject: number;
  /** The lock or completion the operation waited to take. */
  readonly waitsOn: WaitedResource | null;
  /** Set for the step of a poller woken from cpu_relax(). */
  readonly parked: Parked | null;
  /** Positions of events that must come first, beyond what the accesses order (symmetry.ts's gates). */
  readonly after: readonly number[];
  /** Record the step's sources (a twin's step). */
  readonly withSources: boolean;
}

/** A step a blocked task could not take at the end of the run. */
export interface BlockedEvent {
  readonly uid: number;
  readonly footprint: number[];
  readonly clock: number[];
  readonly races: Race[];
}

/** What a blocking operation waited to take: a lock (free until someone takes it) or a completion (taken until completed). */
export interface WaitedResource {
  readonly object: number;
  readonly freeAtFirst: boolean;
}

/** A parked poller's step: what it watched, the position of the step during which its poll began, and its park (poll-history.ts). */
export interface Parked {
  readonly watched: readonly number[];
  readonly pollBegan: number;
  readonly park: Park | null;
}

/** What the current path did to one object: the positions of its accesses, in order. */
export interface ObjectHistory {
  /** Positions of every access that was not a read. */
  readonly writes: number[];
  /** Their access types. */
  readonly writeTypes: number[];
  /** Positions of every read (or await). */
  readonly reads: number[];
}

function isAcquisition(type: number): boolean {
  return type === ACC_ACQUIRE || type === ACC_TRY_ACQUIRE;
}

/** Strength of an access kind when one step touches an object several ways: a write subsumes a read. */
function strength(type: number): number {
  return type === ACC_READ ? 0 : type === ACC_AWAIT ? 1 : 2;
}

/** The accesses of a step reduced to one per object, the strongest. */
export function reduceFootprint(accesses: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < accesses.length; i++) {
    const a = accesses[i]!;
    const object = accessObject(a);
    let j = 0;
    while (j < out.length && accessObject(out[j]!) !== object) j++;
    if (j === out.length) out.push(a);
    else if (strength(accessType(a)) > strength(accessType(out[j]!))) out[j] = a;
  }
  return out;
}

const NO_RACES: readonly Race[] = [];

function join(into: number[], other: readonly number[]): void {
  for (let i = 0; i < other.length; i++) if (other[i]! > (into[i] ?? 0)) into[i] = other[i]!;
}

export class ExecutionEvents {
  readonly events: ExecutionEvent[] = [];
  private readonly histories = new Map<number, ObjectHistory>();
  /** Position of each task's latest event (index: uid; -1: none). */
  private readonly lastOf: number[] = [];

  get length(): number {
    return this.events.length;
  }

  /** Whether event `i` happens before event `k` (or is it). */
  happensBefore(i: number, k: number): boolean {
    const e = this.events[i]!;
    return (this.events[k]!.clock[e.uid] ?? 0) >= e.index;
  }

  /** Whether event `i` happens before a clock (of a blocked event). */
  happensBeforeClock(i: number, clock: readonly number[]): boolean {
    const e = this.events[i]!;
    return (clock[e.uid] ?? 0) >= e.index;
  }

  /** Keeps the first `n` events (the prefix the next run replays), undoing what the others added to the histories. */
  truncate(n: number): void {
    const { events, lastOf } = this;
    for (let p = events.length - 1; p >= n; p--) {
      const event = events[p]!;
      lastOf[event.uid] = event.previous;
      const { footprint } = event;
      for (let k = 0; k < footprint.length; k++) {
        const h = event.histories[k]!;
        const type = accessType(footprint[k]!);
        if (type === ACC_READ || type === ACC_AWAIT) {
          h.reads.pop();
        } else {
          h.writes.pop();
          h.writeTypes.pop();
        }
      }
    }
    events.length = n;
  }

  /** How many steps task `uid` has taken on the current path. */
  stepsOf(uid: number): number {
    const last = this.lastOf[uid] ?? -1;
    return last >= 0 ? this.events[last]!.index : 0;
  }

  /** Position of task `uid`'s `index`-th step on the current path (it must have taken it). */
  positionOf(uid: number, index: number): number {
    let p = this.lastOf[uid] ?? -1;
    while (p >= 0 && this.events[p]!.index > index) p = this.events[p]!.previous;
    if (p < 0 || this.events[p]!.index !== index) throw new Error(`internal: task ${uid} has no step ${index} on the path`);
    return p;
  }

  /** Records the next event, the step `step` describes. */
  add(step: StepRecord): ExecutionEvent {
    const { uid, accesses, opAccesses, spawnedAt, taskObject, waitsOn, parked, after } = step;
    const position = this.events.length;
    const footprint = reduceFootprint(accesses);
    const previous = this.lastOf[uid] ?? -1;
    const clock = previous >= 0 ? this.events[previous]!.clock.slice() : spawnedAt >= 0 ? this.events[spawnedAt]!.clock.slice() : [];
    const index = previous >= 0 ? this.events[previous]!.index + 1 : 1;
    clock[uid] = index;
    for (const p of after) join(clock, this.events[p]!.clock);
    const histories = footprint.map((a) => this.historyToRecord(accessObject(a)));
    const sources = step.withSources ? histories.map(({ writes }) => (writes.length > 0 ? writes[writes.length - 1]! : -1)) : null;
    const parkedAgain = parked?.park?.lastParkedAgainBefore(position) ?? -1;
    const open = this.openRaces(uid, footprint, histories, clock, taskObject, parkedAgain);
    // Most steps race with nothing: they share one empty list and make no closure.
    const races = open.length === 0 ? NO_RACES : this.adjacent(open.filter((r) => this.couldGoFirst(r.first, uid, accesses, opAccesses, waitsOn, parked)));
    const op = opAccesses === accesses.length ? footprint : reduceFootprint(accesses.slice(0, opAccesses));
    const event: ExecutionEvent = { uid, index, previous, footprint, op, clock, races, sources, histories };
    this.events.push(event);
    this.remember(position, event);
    return event;
  }

  /**
   * The step a blocked task could not take (its operation's accesses, and
   * the lock or completion it waits to take), with the races that could have
   * let it go first.
   */
  blocked(uid: number, footprint: readonly number[], waitsOn: WaitedResource | null, parked: Parked | null): BlockedEvent {
    const previous = this.lastOf[uid] ?? -1;
    const clock = previous >= 0 ? this.events[previous]!.clock.slice() : [];
    clock[uid] = (previous >= 0 ? this.events[previous]!.index : 0) + 1;
    const reduced = reduceFootprint(footprint);
    const candidates: Race[] = [];
    for (const a of reduced) {
      const h = this.history(accessObject(a));
      if (h === undefined || h.writes.length === 0) continue;
      const type = accessType(a);
      const lastWrite = h.writes[h.writes.length - 1]!;
      // It waits for a lock or its CPU, which another task's acquisition holds: that task could have been later.
      if ((type === ACC_ACQUIRE || type === ACC_AWAIT) && isAcquisition(h.writeTypes[h.writeTypes.length - 1]!)) {
        this.candidate(candidates, uid, lastWrite, -1);
      }
      // It waits for a completion another waiter took.
      else if (type === ACC_WRITE) this.candidate(candidates, uid, lastWrite, -1);
      // A parked poller, with the last write to what it watches (which may have woken it).
      else if (parked !== null && type === ACC_READ) this.candidate(candidates, uid, lastWrite, -1);
    }
    // And with the write that parked it again, before which it could have run.
    if (parked !== null) this.candidate(candidates, uid, parked.park?.lastParkedAgainBefore(this.events.length) ?? -1, -1);
    const open = this.unordered(candidates, clock);
    const races = this.adjacent(open.filter((r) => this.couldGoFirst(r.first, uid, footprint, footprint.length, waitsOn, parked)));
    return { uid, footprint: reduced, clock, races };
  }

  /**
   * Whether a step whose operation waits could have run before event `first`
   * (a race's first event), where the reversal puts it: only the events not
   * ordered after `first` stay before it. A lock or completion it acquires,
   * or the CPU it waits for, must be free there: the last write to it that
   * stays is not an acquisition (by another task, for the CPU). A woken
   * poller must have been woken there: some write by another task to what it
   * watches, since its poll began, stays. It was, if it was woken just
   * before `first`; if it was parked there, only a later write that stays
   * can wake it (first writes what it watches, so no later write to that
   * object stays: exact for a poller watching one object).
   */
  private couldGoFirst(first: number, uid: number, accesses: readonly number[], opAccesses: number, waitsOn: WaitedResource | null, parked: Parked | null): boolean {
    if (parked) {
      const woken = parked.park?.wokenBefore(first) ?? null;
      if (woken === true) return true;
      const since = woken === null ? parked.pollBegan : first + 1;
      for (const object of parked.watched) {
        for (const w of this.history(object)?.writes ?? []) {
          if (w >= since && w !== first && this.events[w]!.uid !== uid && !this.happensBefore(first, w)) return true;
        }
      }
      return false;
    }
    if (waitsOn !== null && this.heldWhereMoved(waitsOn.object, first, null, !waitsOn.freeAtFirst)) return false;
    for (let i = 0; i < opAccesses; i++) {
      const a = accesses[i]!;
      if (accessType(a) === ACC_AWAIT && this.heldWhereMoved(accessObject(a), first, uid, false)) return false;
    }
    return true;
  }

  /**
   * Whether `object` is taken where a reversal before event `first` would put
   * a step: the last write to it that is not ordered after `first` is an
   * acquisition (by a task other than `owner`, when given); with no such
   * write, `heldAtFirst` says.
   */
  private heldWhereMoved(object: number, first: number, owner: number | null, heldAtFirst: boolean): boolean {
    const h = this.history(object);
    if (h === undefined) return heldAtFirst;
    for (let k = h.writes.length - 1; k >= 0; k--) {
      const w = h.writes[k]!;
      if (w === first || this.happensBefore(first, w)) continue;
      return isAcquisition(h.writeTypes[k]!) && this.events[w]!.uid !== owner;
    }
    return heldAtFirst;
  }

  private candidate(into: Race[], uid: number, first: number, via: number): void {
    if (first < 0 || this.events[first]!.uid === uid) return;
    for (const r of into) if (r.first === first) return;
    into.push({ first, via });
  }

  /**
   * The candidate races of a new event with footprint `footprint` (whose
   * objects' histories, before the event, are `histories`) and, for a woken
   * poller, with `parkedAgain` (the write that last parked it again, or -1):
   * those not already ordered before it. Joins every happens-before
   * predecessor into `clock`, the candidates' first events included.
   */
  private openRaces(uid: number, footprint: readonly number[], histories: readonly ObjectHistory[], clock: number[], taskObject: number,
    parkedAgain: number): Race[] {
    const candidates: Race[] = [];
    this.candidate(candidates, uid, parkedAgain, -1);
    let edges: number[] | null = null;
    for (let k = 0; k < footprint.length; k++) {
      const a = footprint[k]!;
      const object = accessObject(a);
      const h = histories[k]!;
      const type = accessType(a);
      const { writes, writeTypes, reads } = h;
      const last = writes.length - 1;
      const w = last >= 0 ? writes[last]! : -1;
      if (w < 0 || this.events[w]!.uid === uid) {
        // no other task's write to race with
      } else if (object === taskObject) {
        (edges ??= []).push(w);
      } else if ((type === ACC_ACQUIRE || type === ACC_AWAIT) && writeTypes[last] === ACC_RELEASE) {
        // Could have gone before the acquisition the release ended (the race), not before the release (an edge).
        const holder = this.acquisitionBefore(h, last);
        if (holder >= 0 && this.events[holder]!.uid !== uid) this.candidate(candidates, uid, holder, w);
        else (edges ??= []).push(w);
      } else {
        this.candidate(candidates, uid, w, -1);
      }
      if (type !== ACC_READ && type !== ACC_AWAIT) {
        // Each other task's latest read since the last write (an earlier one is ordered before it).
        for (let q = reads.length - 1; q >= 0 && reads[q]! > w; q--) this.candidate(candidates, uid, reads[q]!, -1);
      }
    }
    if (edges !== null) for (const e of edges) join(clock, this.events[e]!.clock);
    const open = this.unordered(candidates, clock);
    for (const r of open) join(clock, this.events[r.via >= 0 ? r.via : r.first]!.clock);
    return open;
  }

  /** Position of the latest acquisition among an object's writes before index `before` (-1: none). */
  private acquisitionBefore(h: ObjectHistory, before: number): number {
    for (let k = before - 1; k >= 0; k--) if (isAcquisition(h.writeTypes[k]!)) return h.writes[k]!;
    return -1;
  }

  /**
   * The candidates not already ordered before `clock` (joining the release of
   * an ordered lock race, which may order others).
   */
  private unordered(candidates: Race[], clock: number[]): Race[] {
    if (candidates.length === 0) return candidates;
    let open = candidates;
    for (let changed = true; changed;) {
      changed = false;
      const still: Race[] = [];
      for (const r of open) {
        if (!this.happensBeforeClock(r.first, clock)) still.push(r);
        else if (r.via >= 0 && !this.happensBeforeClock(r.via, clock)) {
          join(clock, this.events[r.via]!.clock);
          changed = true;
        }
      }
      open = still;
    }
    return open;
  }

  /**
   * The races among reversible candidates: those no other comes between
   * (subsumes). A candidate the second event could not have gone before
   * subsumes nothing: its reversal cannot run, so the races it orders must
   * be reversed themselves (a blocked step waiting for two things, the
   * later holder's reversal still finds the earlier one held).
   */
  private adjacent(races: Race[]): Race[] {
    return races.length < 2 ? races : races.filter((f) => !races.some((s) => s !== f && this.subsumes(s, f)));
  }

  /**
   * Whether race `s` orders race `f`'s first event before the second event, so
   * f is not a race of its own: f's first event happens before s's first (or,
   * for a lock race, before the release). A step inside a lock race's critical
   * section does not subsume it: the waiter could not have gone between them.
   */
  private subsumes(s: Race, f: Race): boolean {
    const key = s.via >= 0 ? s.via : s.first;
    return this.happensBefore(f.first, key) && !(f.via >= 0 && this.happensBefore(key, f.via));
  }

  /** The object's history on the current path, or undefined if nothing ever touched the object. */
  private history(object: number): ObjectHistory | undefined {
    return this.histories.get(object);
  }

  /** The object's history, made empty the first time a step touches the object (histories outlive the runs). */
  private historyToRecord(object: number): ObjectHistory {
    let h = this.histories.get(object);
    if (h === undefined) {
      h = { writes: [], writeTypes: [], reads: [] };
      this.histories.set(object, h);
    }
    return h;
  }

  private remember(position: number, event: ExecutionEvent): void {
    this.lastOf[event.uid] = position;
    const { footprint, histories } = event;
    for (let k = 0; k < footprint.length; k++) {
      const h = histories[k]!;
      const type = accessType(footprint[k]!);
      if (type === ACC_READ || type === ACC_AWAIT) {
        h.reads.push(position);
      } else {
        h.writes.push(position);
        h.writeTypes.push(type);
      }
    }
  }
}
