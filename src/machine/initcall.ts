/**
 * Initcall levels and do_initcalls() (init/main.c, include/linux/init.h, v6.5).
 * Within a level, initcalls run in link order, which kemu takes to be the order
 * of their bindings (the board lists its modules in link order).
 */
import { RunLocal } from '../base/run-local.js';
import { EPERM } from '../kernel/errno.js';
import { pr_debug, pr_warn } from '../kernel/printk.js';

export const INITCALL_LEVELS = [
  'pure', 'core', 'core_sync', 'postcore', 'postcore_sync', 'arch', 'arch_sync', 'subsys', 'subsys_sync',
  'fs', 'fs_sync', 'rootfs', 'device', 'device_sync', 'late', 'late_sync',
] as const;

export type InitcallLevel = (typeof INITCALL_LEVELS)[number];

/** One initcall: `subsys_initcall(iommu_subsys_init)` is `{ level: 'subsys', name: 'iommu_subsys_init', fn }`. */
export interface Initcall {
  readonly level: InitcallLevel;
  readonly name: string;
  readonly fn: () => Promise<number> | number;
}

/** Helper for bindings: `initcall('device', 'exynos_drm_init', exynos_drm_init)`. */
export function initcall(level: InitcallLevel, name: string, fn: () => Promise<number> | number): Initcall {
  return { level, name, fn };
}

/** The initcalls in the order do_initcalls() runs them: by level, stable within a level. */
export function initcallOrder(calls: readonly Initcall[]): Initcall[] {
  return calls
    .map((call, i) => ({ call, i, level: INITCALL_LEVELS.indexOf(call.level) }))
    .sort((a, b) => a.level - b.level || a.i - b.i)
    .map((x) => x.call);
}

/** blacklisted_initcalls (init/main.c, v6.5): the names `initcall_blacklist=` listed, in this run. */
const blacklisted_initcalls = new RunLocal<string[]>('blacklisted_initcalls', () => []);

/**
 * Models initcall_blacklist() (init/main.c, v6.5; `initcall_blacklist=a,b`, a
 * debugging parameter): the named initcalls do not run.
 */
export function initcall_blacklist(value: string): void {
  for (const name of value.split(',').filter((n) => n !== '')) {
    pr_debug(`blacklisting initcall ${name}`);
    blacklisted_initcalls.get().push(name);
  }
}

/** Models initcall_blacklisted() (init/main.c, v6.5). */
function initcall_blacklisted(call: Initcall): boolean {
  if (!blacklisted_initcalls.get().includes(call.name)) return false;
  pr_debug(`initcall ${call.name} blacklisted`);
  return true;
}

/** Models do_one_initcall() (init/main.c, v6.5). */
export async function do_one_initcall(call: Initcall): Promise<number> {
  if (initcall_blacklisted(call)) return -EPERM;
  pr_debug(`calling  ${call.name} @ 1`);
  const ret = await call.fn();
  if (ret < 0) pr_warn(`initcall ${call.name} returned ${ret}`);
  return ret;
}

/** Models do_initcalls() (init/main.c, v6.5). */
export async function do_initcalls(calls: readonly Initcall[]): Promise<void> {
  for (const call of initcallOrder(calls)) await do_one_initcall(call);
}
