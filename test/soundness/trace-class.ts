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
 * The canonical form is the happens-before order itself, as each event's
 * vector clock: for every other task, the last of its events that happens
 * before this one. Vector clocks determine the order and the order determines
 * them, so two runs have the same form exactly when they have the same order;
 * the footprints only enter through the order they create.
 */
import { ACC_AWAIT, ACC_READ, accessObject, accessType } from '../../src/kernel/sched/access.js';

export interface Step {
  /** The task that took the step (its comm: stable across runs, unlike pids of tasks spawned at run time). */
  readonly task: string;
  readonly accesses: readonly number[];
}

/** Vector clock: for each task (by its index in the run), the number of its events that happen before (or are) this one. */
type Clock = number[];

interface ObjectHistory {
  lastWrite: Clock | null;
  readsSinceWrite: Clock[];
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

function join(into: Clock, other: Clock): void {
  for (let i = 0; i < other.length; i++) if ((other[i] ?? 0) > (into[i] ?? 0)) into[i] = other[i]!;
}

/** The canonical form of a run's trace: the same string for every run of one trace, and only for those. */
export function traceKey(steps: readonly Step[]): string {
  const taskIndex = new Map<string, number>();
  const latest: Clock[] = [];
  const history = new Map<number, ObjectHistory>();
  const events: { task: string; clock: Clock }[] = [];
  for (const step of steps) {
    let t = taskIndex.get(step.task);
    if (t === undefined) taskIndex.set(step.task, (t = taskIndex.size));
    // After the task's previous event, and after every earlier event this one depends on (through each object it touches).
    const clock = (latest[t] ?? []).slice();
    clock[t] = (clock[t] ?? 0) + 1;
    const objects = touches(step.accesses);
    for (const [object, writes] of objects) {
      const h = history.get(object);
      if (h === undefined) continue;
      if (h.lastWrite !== null) join(clock, h.lastWrite);
      if (writes) for (const read of h.readsSinceWrite) join(clock, read);
    }
    for (const [object, writes] of objects) {
      let h = history.get(object);
      if (h === undefined) history.set(object, (h = { lastWrite: null, readsSinceWrite: [] }));
      if (writes) {
        h.lastWrite = clock;
        h.readsSinceWrite = [];
      } else {
        h.readsSinceWrite.push(clock);
      }
    }
    latest[t] = clock;
    events.push({ task: step.task, clock });
  }
  // Tasks by name, events by task then index: each event's clock as `task=n` for the other tasks it comes after.
  const names = [...taskIndex.keys()].sort();
  const counts = new Map<string, number>();
  const forms = events.map(({ task, clock }) => {
    const index = (counts.get(task) ?? 0) + 1;
    counts.set(task, index);
    const after = names.filter((n) => n !== task && (clock[taskIndex.get(n)!] ?? 0) > 0).map((n) => `${n}=${clock[taskIndex.get(n)!]}`);
    return `${task}#${index}{${after.join(',')}}`;
  });
  return forms.sort().join(' ');
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
