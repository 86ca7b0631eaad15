/**
 * The heartbeat: how a watchdog in another thread tells a run that makes
 * progress from a task looping in plain JavaScript (`for (;;) {}`), which
 * nothing in the looping thread can notice, since it never gets to run again.
 * The kernels of a watched thread write, at each step, the step number and
 * the pid of the task that takes it into shared memory; the watchdog
 * (src/explore/watchdog.ts) reads it, and the pids let it replay the run up
 * to its last step to say which task loops and where. Unwatched, a step pays
 * one null check; watched, two integer stores.
 *
 * Layout of the Int32Array over a SharedArrayBuffer:
 *   [HB_RUN]        runs begun (run-schedule.ts counts them)
 *   [HB_STEP]       the step in progress; 0 while no run is in progress
 *   [HB_PIDS + s]   the pid of the task that took step s (1 <= s <= recordedSteps)
 */
export const HB_RUN = 0;
export const HB_STEP = 1;
export const HB_PIDS = 1;

/** The most steps of a run a heartbeat records (4 MB); the steps of a longer run beyond them go unrecorded. */
export const HB_MAX_RECORDED = 1_000_000;

/** A heartbeat for runs of `maxSteps` steps (recording at most HB_MAX_RECORDED). */
export function createHeartbeat(maxSteps: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer((HB_PIDS + 1 + Math.min(maxSteps, HB_MAX_RECORDED)) * Int32Array.BYTES_PER_ELEMENT));
}

/** How many steps of a run a heartbeat records. */
export function recordedSteps(heartbeat: Int32Array): number {
  return heartbeat.length - HB_PIDS - 1;
}

let beating: Int32Array | null = null;

/** From now on, the runs of this thread beat into `heartbeat` (null: into nothing). */
export function beatInto(heartbeat: Int32Array | null): void {
  beating = heartbeat;
}

/** Where a kernel made now beats: this thread's heartbeat, or null. */
export function currentHeartbeat(): Int32Array | null {
  return beating;
}

/** A run begins in this thread (no step in progress yet). */
export function runBegins(): void {
  if (beating === null) return;
  beating[HB_RUN] += 1;
  beating[HB_STEP] = 0;
}

/** The run in progress is over: until the next one, no task of this thread runs. */
export function runEnds(): void {
  if (beating !== null) beating[HB_STEP] = 0;
}
