/**
 * How a step touched a shared object, encoded as `objectId * 8 + type` in one
 * number, so a step's footprint is a flat array of numbers. The explorer's
 * dependence analysis (partial-order reduction, happens-before) reads these;
 * docs/explorer.md has the table of which primitive records what.
 *
 * Two accesses to one object by different tasks are dependent unless both
 * only read it. The acquire, release and await kinds are writes and reads
 * that also say how a blocking operation waits, which the reduction needs to
 * reverse a race with a lock or a CPU: ACQUIRE takes an exclusive resource (a
 * lock, a CPU with preemption off) when it is free, TRY_ACQUIRE takes it
 * without having waited, RELEASE gives it back, AWAIT reads it and can only
 * proceed while it is free.
 *
 * Object ids name the same object in every run: the creating task's pid and
 * the number of objects that task had created before, as Nidhugg names memory
 * by the thread that allocated it. Two runs that order independent steps
 * differently therefore agree on every id, and a footprint recorded in one run
 * can be compared with a step of another.
 */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
/** Takes an exclusive resource, waiting until it is free: mutex_lock, raw_spin_lock, disabling preemption. */
export const ACC_ACQUIRE = 2;
/** Gives an exclusive resource back: unlocks, enabling preemption. */
export const ACC_RELEASE = 3;
/** Reads a resource and can only proceed while nobody holds it: a task waiting for its CPU. */
export const ACC_AWAIT = 4;
/** Takes an exclusive resource that happened to be free, without waiting: a successful mutex_trylock. */
export const ACC_TRY_ACQUIRE = 5;

const TYPES = 8;
/** Objects each task (or the run itself, pid 0) can create. */
export const OBJECTS_PER_CREATOR = 1 << 24;

/** The id of the `n`-th object created by task `pid` (0: by the run, outside any task). */
export function objectIdOf(pid: number, n: number): number {
  return pid * OBJECTS_PER_CREATOR + n;
}

/** Objects a creator can make; the upper half of its id space names objects derived from them. */
export const CREATED_OBJECTS_LIMIT = OBJECTS_PER_CREATOR / 2;

/** The id of an emulator object derived from object `id` (a lock's observer slot). */
export function derivedObjectId(id: number): number {
  return id + CREATED_OBJECTS_LIMIT;
}

/** The id of the run's invariant object: every step that writes what an invariant reads writes it too. */
export const INVARIANT_OBJECT_ID = objectIdOf(0, CREATED_OBJECTS_LIMIT / 2);

/**
 * The id of the machine's CPU numbering: a task spawned without a CPU takes
 * the next free one, so which CPU it gets depends on the spawns before it;
 * every spawn that places a task on a CPU writes this object.
 */
export const CPU_NUMBERING_OBJECT_ID = objectIdOf(0, CREATED_OBJECTS_LIMIT / 2 + 1);

/** The id of CPU `cpu` as a resource tasks on it share (held while one of them has preemption or IRQs off). */
export function cpuObjectId(cpu: number): number {
  return objectIdOf(0, CREATED_OBJECTS_LIMIT - 1 - cpu);
}

export function access(objectId: number, type: number): number {
  return objectId * TYPES + type;
}

export function accessObject(a: number): number {
  return Math.floor(a / TYPES);
}

export function accessType(a: number): number {
  return a % TYPES;
}

/** Whether an access only reads its object. */
export function isReadAccess(a: number): boolean {
  const type = a % TYPES;
  return type === ACC_READ || type === ACC_AWAIT;
}

/** Whether two accesses (by different tasks) are dependent: one object, and not both reads. */
export function accessesConflict(a: number, b: number): boolean {
  return Math.floor(a / TYPES) === Math.floor(b / TYPES) && !(isReadAccess(a) && isReadAccess(b));
}

/** Whether two footprints (by different tasks) are dependent. */
export function footprintsConflict(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    for (let j = 0; j < b.length; j++) if (accessesConflict(x, b[j]!)) return true;
  }
  return false;
}
