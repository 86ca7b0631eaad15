/**
 * The probe-locking schemes of the kernel variants, as strategies. Each class
 * holds one variant's versions of the functions the Aug 2023 locking series and
 * its fixes changed: __iommu_probe_device (how it is serialised),
 * iommu_probe_device[_locked], and probe_iommu_group. Everything else in the
 * probe path is shared (iommu.ts). The machine binds one class per variant
 * (variants.ts); no model code asks which variant it runs.
 *
 * Methods are bound at construction, so they can be passed as callbacks
 * (bus_for_each_dev) and show under their kernel names in call traces.
 */
import { inject, injectable } from '../inversify.js';
import { device_lock, device_lock_assert, device_unlock, type Device } from '../base/device.js';
import { lockdep_assert_held } from '../kernel/assert.js';
import { ENODEV } from '../kernel/errno.js';
import { KemuError } from '../kernel/errors.js';
import { Mutex, mutex_lock, mutex_unlock } from '../kernel/locking/mutex.js';
import { __iommu_probe_device_serialised, iommu_core, iommu_probe_finalize, type IommuGroup, type IommuOps,
  type ProbeIommuArgs } from './iommu.js';
import { IOMMU_PROBE_DEVICE_LOCK, IOMMU_PROBE_LOCKING } from './tokens.js';

/** One variant's versions of the IOMMU probe entry points. */
export interface IommuProbeLocking {
  /** The scheme, for reports (`device_lock(dev) in __iommu_probe_device`). */
  readonly scheme: string;
  /** __iommu_probe_device(dev, group_list): serialise, then the shared body. */
  __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number>;
  /** iommu_probe_device(dev): what callers without the device lock use (the ADD_DEVICE notifier). */
  iommu_probe_device(dev: Device): Promise<number>;
  /** iommu_probe_device_locked(dev): only in iommu_group_locking2, for callers holding the device lock. */
  readonly iommu_probe_device_locked?: (dev: Device) => Promise<number>;
  /** probe_iommu_group(dev, args): bus_iommu_probe's bus_for_each_dev callback. */
  probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number>;
}

/** What of_iommu_configure / acpi_iommu_configure_id do differently per variant. */
export interface IommuFwLocking {
  readonly scheme: string;
  /** Taken around the fwspec check and the `iommus`/IORT parse (v6.7: iommu_probe_device_lock). */
  fwspec_lock(): Promise<void>;
  fwspec_unlock(): Promise<void>;
  /** The "replay" of the probe the IOMMU core missed: iommu_probe_device or iommu_probe_device_locked. */
  readonly replay: (dev: Device) => Promise<number>;
}

function bindAll(obj: object, names: string[]): void {
  for (const name of names) {
    const o = obj as Record<string, unknown>;
    if (typeof o[name] === 'function') o[name] = (o[name] as (...a: unknown[]) => unknown).bind(obj);
  }
}

const ENTRY_POINTS = ['__iommu_probe_device', 'iommu_probe_device', 'iommu_probe_device_locked', 'probe_iommu_group'];

/** The ops __iommu_probe_device() probes with, as the variant's probe path finds them (before v6.8: dev->bus->iommu_ops). */
function probe_ops(dev: Device): Promise<IommuOps | null> {
  return iommu_core.get().path.probe_ops(dev);
}

/** The v6.5 shapes of iommu_probe_device and probe_iommu_group, which most variants keep. */
abstract class ProbeLockingBase implements IommuProbeLocking {
  abstract readonly scheme: string;
  abstract __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number>;

  constructor() {
    bindAll(this, ENTRY_POINTS);
  }

  /** Models iommu_probe_device() (drivers/iommu/iommu.c, v6.5): probe, then ops->probe_finalize. */
  async iommu_probe_device(dev: Device): Promise<number> {
    const ret = await this.__iommu_probe_device(dev, null);
    if (ret) return ret;
    await iommu_probe_finalize(dev);
    return 0;
  }

  /** Models probe_iommu_group() (drivers/iommu/iommu.c, v6.5): -ENODEV means "not mine, keep walking". */
  async probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number> {
    const ret = await this.__iommu_probe_device(dev, args.group_list);
    return ret === -ENODEV ? 0 : ret;
  }
}

/**
 * v6.1: nothing serialises __iommu_probe_device(): bus walks of IOMMU
 * instances registering in parallel, the ADD_DEVICE notifier and the OF/ACPI
 * replay may all probe one device at once (the state 01657bc14a39 fixed).
 * Models drivers/iommu/iommu.c as of torvalds/linux 00208852d351, the v6.2
 * merge window just before that commit, with the v6.5 body shared by all.
 */
@injectable()
export class NoProbeLock extends ProbeLockingBase {
  readonly scheme: string = 'no lock around __iommu_probe_device (v6.1)';

  /** Models __iommu_probe_device() (drivers/iommu/iommu.c, before 01657bc14a39). */
  async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    const ops = await probe_ops(dev);
    if (!ops) return -ENODEV;
    return await __iommu_probe_device_serialised(dev, ops, group_list);
  }
}

/**
 * v6.5: __iommu_probe_device() serialised by a function-local static mutex,
 * `iommu_probe_device_lock` (01657bc14a39, v6.2). Models drivers/iommu/iommu.c (v6.5).
 */
@injectable()
export class StaticProbeMutex extends ProbeLockingBase {
  readonly scheme: string = 'static iommu_probe_device_lock inside __iommu_probe_device';
  private readonly iommu_probe_device_lock = new Mutex('iommu_probe_device_lock');

  /** Models __iommu_probe_device() (drivers/iommu/iommu.c, v6.5). */
  async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    const ops = await probe_ops(dev);
    if (!ops) return -ENODEV;
    await mutex_lock(this.iommu_probe_device_lock);
    const ret = await __iommu_probe_device_serialised(dev, ops, group_list);
    await mutex_unlock(this.iommu_probe_device_lock);
    return ret;
  }
}

/**
 * iommu/next, Aug 2023: "iommu: Complete the locking for dev->iommu_group"
 * (a16b5d1681ab) takes device_lock(dev) inside __iommu_probe_device().
 */
@injectable()
export class DeviceLockInProbe extends ProbeLockingBase {
  readonly scheme: string = 'device_lock(dev) inside __iommu_probe_device';

  /** Models __iommu_probe_device() as of a16b5d1681ab (iommu/next, Aug 2023). */
  async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    const ops = await probe_ops(dev);
    if (!ops) return -ENODEV;
    await device_lock(dev);
    const ret = await __iommu_probe_device_serialised(dev, ops, group_list);
    await device_unlock(dev);
    return ret;
  }
}

/**
 * fix-try-1, reconstructed from the Aug 2023 thread (no posted diff): during a
 * bus walk started by an IOMMU, do not lock the IOMMU's own device, recognised
 * as `iommu->dev`. That is the sysfs class device iommu_device_sysfs_add()
 * made, never a device on the bus, so the check never matches and the walk
 * still locks the IOMMU's hardware device.
 */
@injectable()
export class SkipSysfsDevLock extends DeviceLockInProbe {
  override readonly scheme: string = 'device_lock(dev) in __iommu_probe_device, skipped when dev == iommu->dev (the sysfs device)';

  /** Models the attempted probe_iommu_group() of fix-try-1. */
  override async probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number> {
    let ret: number;
    if (args.iommu !== null && args.iommu.dev === dev) {
      const ops = await probe_ops(dev);
      ret = ops ? await __iommu_probe_device_serialised(dev, ops, args.group_list) : -ENODEV;
    } else {
      ret = await this.__iommu_probe_device(dev, args.group_list);
    }
    return ret === -ENODEV ? 0 : ret;
  }
}

/**
 * fix-try-2, reconstructed from the Aug 2023 thread (no posted diff):
 * iommu_device::hwdev is recorded and probe_iommu_group() skips
 * the IOMMU's own hardware device, but __iommu_probe_device() still takes
 * device_lock(dev) and the OF/ACPI replay still calls iommu_probe_device().
 */
@injectable()
export class SkipHwdevDeviceLockInProbe extends DeviceLockInProbe {
  override readonly scheme: string = 'device_lock(dev) in __iommu_probe_device; probe_iommu_group skips iommu->hwdev';

  /** Models probe_iommu_group() with "Do not attempt to re-lock the iommu device" applied alone. */
  override async probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number> {
    if (args.iommu !== null && args.iommu.hwdev === dev) return 0;
    const ret = await this.__iommu_probe_device(dev, args.group_list);
    return ret === -ENODEV ? 0 : ret;
  }
}

/**
 * iommu_group_locking2 v1 (8 Aug 2023): the callers take device_lock();
 * __iommu_probe_device() asserts it; iommu_probe_device_locked() is what
 * of/acpi replay; probe_iommu_group() does not lock the IOMMU's own hwdev (its
 * probe holds that lock) but still probes it.
 */
@injectable()
export class CallerDeviceLockV1 extends ProbeLockingBase {
  readonly scheme: string = 'callers take device_lock(dev); __iommu_probe_device asserts it (locking2 v1)';

  /** Models __iommu_probe_device() after "iommu: Provide iommu_probe_device_locked()". */
  async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    const ops = await probe_ops(dev);
    device_lock_assert(dev);
    if (!ops) return -ENODEV;
    return await __iommu_probe_device_serialised(dev, ops, group_list);
  }

  /** Models iommu_probe_device_locked() (iommu_group_locking2, Aug 2023). */
  async iommu_probe_device_locked(dev: Device): Promise<number> {
    device_lock_assert(dev);
    const ret = await this.__iommu_probe_device(dev, null);
    if (ret) return ret;
    await iommu_probe_finalize(dev);
    return 0;
  }

  /** Models iommu_probe_device() (iommu_group_locking2): device_lock + iommu_probe_device_locked. */
  override async iommu_probe_device(dev: Device): Promise<number> {
    await device_lock(dev);
    const ret = await this.iommu_probe_device_locked(dev);
    await device_unlock(dev);
    return ret;
  }

  /** Models probe_iommu_group() of locking2 v1: lock unless dev is the walking IOMMU's hwdev. */
  override async probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number> {
    const own = args.iommu !== null && args.iommu.hwdev === dev;
    if (!own) await device_lock(dev);
    const ret = await this.__iommu_probe_device(dev, args.group_list);
    if (!own) await device_unlock(dev);
    return ret === -ENODEV ? 0 : ret;
  }
}

/** iommu_group_locking2 v2 (9 Aug 2023, as applied): as v1, but the IOMMU's own hwdev is skipped entirely. */
@injectable()
export class CallerDeviceLockV2 extends CallerDeviceLockV1 {
  override readonly scheme: string = 'callers take device_lock(dev); probe_iommu_group skips iommu->hwdev (locking2 v2)';

  /** Models probe_iommu_group() of locking2 v2 (b19ca5922dff era). */
  override async probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number> {
    if (args.iommu !== null && args.iommu.hwdev === dev) return 0;
    await device_lock(dev);
    const ret = await this.__iommu_probe_device(dev, args.group_list);
    await device_unlock(dev);
    return ret === -ENODEV ? 0 : ret;
  }
}

/**
 * v6.7-rc3 (a2e7e59a9426 "iommu: Avoid more races around device probe"): a
 * global iommu_probe_device_lock taken by iommu_probe_device() and
 * probe_iommu_group(); __iommu_probe_device() asserts it.
 */
@injectable()
export class GlobalProbeMutex extends ProbeLockingBase {
  readonly scheme: string = 'global iommu_probe_device_lock taken by the callers (v6.7)';

  constructor(@inject(IOMMU_PROBE_DEVICE_LOCK) private readonly iommu_probe_device_lock: Mutex) {
    super();
  }

  /** Models __iommu_probe_device() (drivers/iommu/iommu.c, v6.7 on): the caller holds the lock; the body is the probe path's. */
  async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    lockdep_assert_held(this.iommu_probe_device_lock);
    return await iommu_core.get().path.__iommu_probe_device(dev, group_list);
  }

  /** Models iommu_probe_device() (drivers/iommu/iommu.c, v6.7). */
  override async iommu_probe_device(dev: Device): Promise<number> {
    await mutex_lock(this.iommu_probe_device_lock);
    const ret = await this.__iommu_probe_device(dev, null);
    await mutex_unlock(this.iommu_probe_device_lock);
    if (ret) return ret;
    await iommu_probe_finalize(dev);
    return 0;
  }

  /** Models probe_iommu_group() (drivers/iommu/iommu.c, v6.7). */
  override async probe_iommu_group(dev: Device, args: ProbeIommuArgs): Promise<number> {
    await mutex_lock(this.iommu_probe_device_lock);
    const ret = await this.__iommu_probe_device(dev, args.group_list);
    await mutex_unlock(this.iommu_probe_device_lock);
    return ret === -ENODEV ? 0 : ret;
  }
}

/** of_iommu.c / scan.c up to v6.6 and in the dropped series before locking2: no lock, replay iommu_probe_device(). */
@injectable()
export class ReplayIommuProbeDevice implements IommuFwLocking {
  readonly scheme: string = 'no lock around parsing; replay iommu_probe_device()';
  readonly replay: (dev: Device) => Promise<number>;

  constructor(@inject(IOMMU_PROBE_LOCKING) locking: IommuProbeLocking) {
    this.replay = locking.iommu_probe_device;
  }

  async fwspec_lock(): Promise<void> {}
  async fwspec_unlock(): Promise<void> {}
}

/** iommu_group_locking2: the replay runs under the device lock really_probe holds, so it calls iommu_probe_device_locked(). */
@injectable()
export class ReplayIommuProbeDeviceLocked implements IommuFwLocking {
  readonly scheme: string = 'no lock around parsing; replay iommu_probe_device_locked()';
  readonly replay: (dev: Device) => Promise<number>;

  constructor(@inject(IOMMU_PROBE_LOCKING) locking: IommuProbeLocking) {
    if (!locking.iommu_probe_device_locked) {
      throw new KemuError('bad-usage', `ReplayIommuProbeDeviceLocked needs a probe-locking scheme with iommu_probe_device_locked(); ` +
        `"${locking.scheme}" has none`);
    }
    this.replay = locking.iommu_probe_device_locked;
  }

  async fwspec_lock(): Promise<void> {}
  async fwspec_unlock(): Promise<void> {}
}

/** v6.7: iommu_probe_device_lock held around the fwspec check and parse, dropped before the replay. */
@injectable()
export class ParseUnderProbeDeviceLock implements IommuFwLocking {
  readonly scheme: string = 'iommu_probe_device_lock around parsing, dropped before replaying iommu_probe_device() (v6.7)';
  readonly replay: (dev: Device) => Promise<number>;

  constructor(
    @inject(IOMMU_PROBE_LOCKING) locking: IommuProbeLocking,
    @inject(IOMMU_PROBE_DEVICE_LOCK) private readonly iommu_probe_device_lock: Mutex,
  ) {
    this.replay = locking.iommu_probe_device;
  }

  async fwspec_lock(): Promise<void> {
    await mutex_lock(this.iommu_probe_device_lock);
  }

  async fwspec_unlock(): Promise<void> {
    await mutex_unlock(this.iommu_probe_device_lock);
  }
}
