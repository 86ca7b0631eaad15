/**
 * When each parked poller could run, along the current path: for DPOR's
 * reversals of a woken poller's step (execution-events.ts).
 *
 * A poller parked in cpu_relax() can run while something it watches holds
 * another value than the one it parked on (poll-window.ts), so a later write
 * can park it again by putting that value back. Where it could go therefore
 * depends on the values, not only on which writes came before: its step
 * races with the write that parked it again (as a lock acquisition races
 * with the acquisition that took the lock), and a reversal may only put it
 * where it was woken. The explorer looks at every parked poller before each
 * new decision and keeps, per park, the positions at which it was woken or
 * parked again.
 */
import { OpKind } from '../kernel/sched/op.js';
import { spinWoken, type SpinWait } from '../kernel/sched/poll-window.js';
import type { Task } from '../kernel/sched/task.js';

/** One park of one poller: from the step that called cpu_relax() to the step it was woken to take. */
export class Park {
  /** Positions p at which the woken state changed: it differs before step p from before step p - 1. */
  private readonly flips: number[] = [];

  constructor(
    /** The poller's number of steps when it parked (its next step is the woken one). */
    readonly steps: number,
    /** The first position before which it was seen parked. */
    readonly seenAt: number,
    private readonly wokenAtFirst: boolean,
  ) {}

  /** Whether it was woken just before position `p`; null before it was first seen (its park step may come after p). */
  wokenBefore(p: number): boolean | null {
    if (p < this.seenAt) return null;
    let woken = this.wokenAtFirst;
    for (const f of this.flips) {
      if (f > p) break;
      woken = !woken;
    }
    return woken;
  }

  /** The position of the latest step before `p` that parked it again (woken before the step, not after); -1 for none. */
  lastParkedAgainBefore(p: number): number {
    let woken = this.wokenAtFirst;
    let latest = -1;
    for (const f of this.flips) {
      if (f > p) break;
      woken = !woken;
      if (!woken) latest = f - 1;
    }
    return latest;
  }

  /** Notes the woken state before position `p`, at or after every position noted so far. */
  observe(p: number, woken: boolean): void {
    const latest = this.flips.length % 2 === 0 ? this.wokenAtFirst : !this.wokenAtFirst;
    if (woken !== latest) this.flips.push(p);
  }

  /** Forgets what positions from `n` on showed. */
  truncate(n: number): void {
    while (this.flips.length > 0 && this.flips[this.flips.length - 1]! > n) this.flips.pop();
  }
}

export class PollHistory {
  /** The parks of each task along the path, by uid, the latest last. */
  private readonly parks = new Map<number, Park[]>();

  /** Before the decision at position `p`: notes whether each parked poller is woken. */
  observe(p: number, tasks: readonly Task[], stepsOf: (uid: number) => number): void {
    for (const task of tasks) {
      const op = task.pending;
      if (task.state !== 'ready' || op.kind !== OpKind.CpuRelax || op.arg === null) continue;
      const woken = spinWoken(op.arg as SpinWait);
      const steps = stepsOf(task.uid);
      let list = this.parks.get(task.uid);
      const park = list?.[list.length - 1];
      if (park !== undefined && park.steps === steps) park.observe(p, woken);
      else {
        if (list === undefined) this.parks.set(task.uid, (list = []));
        list.push(new Park(steps, p, woken));
      }
    }
  }

  /** The park task `uid` was in after its `steps`-th step; null if it was never seen parked there. */
  parkAfter(uid: number, steps: number): Park | null {
    const list = this.parks.get(uid);
    if (list === undefined) return null;
    for (let k = list.length - 1; k >= 0; k--) if (list[k]!.steps === steps) return list[k]!;
    return null;
  }

  /** Keeps what positions up to `n` showed (the prefix the next run replays, and the decision at n). */
  truncate(n: number): void {
    for (const list of this.parks.values()) {
      while (list.length > 0 && list[list.length - 1]!.seenAt > n) list.pop();
      list[list.length - 1]?.truncate(n);
    }
  }
}
