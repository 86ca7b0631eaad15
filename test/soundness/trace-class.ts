/**
 * Which Mazurkiewicz trace a run belongs to, computed from the run alone.
 *
 * A run is a sequence of steps, each by one task with a footprint (the
 * accesses kemu recorded, see src/kernel/sched/access.ts). ACC_READ and
 * ACC_AWAIT (a task looking whether its CPU is free) read their object; every
 * other access counts as a write. Events are named (task, index within the task).
 * Two steps of different tasks are dependent when they touch a common object
 * and at least one writes it; happens-before is program order plus dependent
 * pairs in run order. Two runs are equivalent exactly when they have the same
 * happens-before order on the same events.
 *
 * The canonical form is a sorted set of edges that generates happens-before:
 * for each object, each write to it is linked to the previous write and to
 * every read since that write, and each read to the write before it. Writes
 * to one object are totally ordered and every read is ordered against each of
 * them, so these edges are the same in every run of a trace; and two runs with
 * the same edges have the same order (if a run left the other's trace, its
 * first step outside it would reverse one of these edges).
 */
import { ACC_AWAIT, ACC_READ, accessObject, accessType } from '../../src/kernel/sched/access.js';

export interface Step {
  /** The task that took the step (its comm: stable across runs, unlike pids of tasks spawned at run time). */
  readonly task: string;
  readonly accesses: readonly number[];
}

interface ObjectHistory {
  lastWrite: string | null;
  readsSinceWrite: string[];
}

/** How each object is touched by one step: true for a write (a step that reads and writes an object writes it). */
function touches(accesses: readonly number[]): Map<number, boolean> {
  const objects = new Map<number, boolean>();
  for (const access of accesses) {
    const object = accessObject(access);
    const type = accessType(access);
    objects.set(object, objects.get(object) === true || (type !== ACC_READ && type !== ACC_AWAIT));
  }
  return objects;
}

/** The canonical form of a run's trace: the same string for every run of one trace, and only for those. */
export function traceKey(steps: readonly Step[]): string {
  const counts = new Map<string, number>();
  const history = new Map<number, ObjectHistory>();
  const edges: string[] = [];
  for (const step of steps) {
    const index = (counts.get(step.task) ?? 0) + 1;
    counts.set(step.task, index);
    const event = `${step.task}#${index}`;
    for (const [object, writes] of touches(step.accesses)) {
      let h = history.get(object);
      if (h === undefined) history.set(object, (h = { lastWrite: null, readsSinceWrite: [] }));
      if (h.lastWrite !== null) edges.push(`${h.lastWrite}<${event}`);
      if (writes) {
        for (const read of h.readsSinceWrite) edges.push(`${read}<${event}`);
        h.lastWrite = event;
        h.readsSinceWrite = [];
      } else {
        h.readsSinceWrite.push(event);
      }
    }
  }
  const events = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([task, n]) => `${task}:${n}`);
  return `${events.join(' ')} | ${[...new Set(edges)].sort().join(' ')}`;
}

/**
 * The steps of a run without the hardware steps that influence no CPU: a
 * step of a task for which `isHardware` holds is kept only if some step of a
 * non-hardware task depends on it through happens-before (it is before that
 * step in program order or through a chain of dependent pairs). What is kept
 * is a prefix of the trace (closed under happens-before predecessors), so its
 * traceKey is the trace of the run as the CPUs could have observed it.
 */
export function trimHardware(steps: readonly Step[], isHardware: (task: string) => boolean): Step[] {
  const keep: boolean[] = new Array(steps.length).fill(false);
  const taskKept = new Set<string>();
  const keptTouch = new Set<number>();
  const keptWrite = new Set<number>();
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const objects = touches(step.accesses);
    // Kept: a CPU's step, a step before a kept one of its task, or one a later kept step conflicts with.
    let kept = !isHardware(step.task) || taskKept.has(step.task);
    for (const [object, writes] of objects) kept ||= writes ? keptTouch.has(object) : keptWrite.has(object);
    if (!kept) continue;
    keep[i] = true;
    taskKept.add(step.task);
    for (const [object, writes] of objects) {
      keptTouch.add(object);
      if (writes) keptWrite.add(object);
    }
  }
  return steps.filter((_, i) => keep[i]);
}
