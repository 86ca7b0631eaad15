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

/** The run shape of the flags `--validate-device-mutex [classes]` and `--max-steps <n>`. */
export function runShapeOf(flags: { validateDeviceMutex?: boolean | DeviceLockClasses; maxSteps?: number }): RunShape {
  const v = flags.validateDeviceMutex;
  return { lockdep: v === undefined || v === false ? {} : { validateDeviceMutex: v }, maxSteps: flags.maxSteps };
}

/** The flags that give a replay the same run shape. */
export function runShapeFlags(shape: RunShape): string[] {
  const flags: string[] = [];
  const v = shape.lockdep.validateDeviceMutex;
  if (v === true) flags.push('--validate-device-mutex');
  else if (v) flags.push(`--validate-device-mutex ${v}`);
  if (shape.maxSteps !== undefined) flags.push(`--max-steps ${shape.maxSteps}`);
  return flags;
}
