/**
 * The options that shape a run, beyond its schedule: how lockdep validates
 * device mutexes and the per-schedule step bound. A replay must run with the
 * same ones, so every replay command kemu prints carries them, and
 * `kemu replay` takes them back.
 */
import type { DeviceLockClasses } from '../kernel/locking/lock-base.js';
import type { LockdepOptions } from '../kernel/lockdep/lockdep.js';

export interface RunShape {
  lockdep: LockdepOptions;
  maxSteps?: number;
}

/** The flags that shape a run: `--validate-device-mutex`, `--device-lock-classes <classes>` (which implies it), `--max-steps <n>`. */
export interface RunShapeFlags {
  validateDeviceMutex?: boolean;
  deviceLockClasses?: DeviceLockClasses;
  maxSteps?: number;
}

/** The run shape those flags ask for. */
export function runShapeOf(flags: RunShapeFlags): RunShape {
  const v = flags.deviceLockClasses ?? flags.validateDeviceMutex ?? false;
  return { lockdep: v === false ? {} : { validateDeviceMutex: v }, maxSteps: flags.maxSteps };
}

/** The flags that give a replay the same run shape. */
export function runShapeFlags(shape: RunShape): string[] {
  const flags: string[] = [];
  const v = shape.lockdep.validateDeviceMutex;
  if (v === true) flags.push('--validate-device-mutex');
  else if (v) flags.push(`--device-lock-classes ${v}`);
  if (shape.maxSteps !== undefined) flags.push(`--max-steps ${shape.maxSteps}`);
  return flags;
}
