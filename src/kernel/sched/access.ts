/**
 * How a step touched a shared object, encoded as `id * 4 + type` in one number
 * so a step's footprint is a flat array. The explorer's dependency analysis
 * (partial-order reduction, happens-before) reads these.
 */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
/** Taking a lock: conflicts with other acquisitions of the same lock. */
export const ACC_ACQUIRE = 2;
/** Releasing a lock: orders later acquisitions after it, never races. */
export const ACC_RELEASE = 3;

export function accessObject(access: number): number {
  return access >>> 2;
}

export function accessType(access: number): number {
  return access & 3;
}

/** Whether two accesses (by different tasks) conflict: reversing them may change the outcome. */
export function accessesConflict(a: number, b: number): boolean {
  if (a >>> 2 !== b >>> 2) return false;
  const ta = a & 3;
  const tb = b & 3;
  if (ta === ACC_ACQUIRE || tb === ACC_ACQUIRE) return ta === tb;
  if (ta === ACC_RELEASE || tb === ACC_RELEASE) return false;
  return ta === ACC_WRITE || tb === ACC_WRITE;
}

/** Whether a later access must happen after an earlier one (a happens-before edge). */
export function accessesOrdered(earlier: number, later: number): boolean {
  if (earlier >>> 2 !== later >>> 2) return false;
  const te = earlier & 3;
  const tl = later & 3;
  if (te === ACC_READ && tl === ACC_READ) return false;
  return true;
}
