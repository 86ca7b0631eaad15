/**
 * The IOMMU probe path of each kernel era, as strategies: where a device's
 * IOMMU ops come from, what iommu_device_register() does, iommu_init_device(),
 * the default-domain check of iommu_device_use_default_domain(), and what the
 * probe does for the device's DMA API ops once its group has a default
 * domain. How __iommu_probe_device is serialised is the variant's probe
 * locking (probe-locking.ts); everything else is shared (iommu.ts).
 *
 * - v6.1–v6.12 as kemu has them (BusOpsProbePath): bus->iommu_ops.
 * - v6.14 (FwspecProbePath): 17de3f5fdd35 "iommu: Retire bus ops" (v6.8),
 *   the fwspec's IOMMU resolved by fwnode (v6.11), and the DMA API switched to
 *   iommu-dma by the probe itself (v6.10's iommu_setup_dma_ops()).
 * - b46064a18810 "iommu: Handle race with default domain setup" (v6.15-rc1;
 *   in the stable trees too): DefaultDomainDeferProbePath.
 * - v6.15 (FirmwareParsingProbePath): bcb81ac6ae3c "iommu: Get DT/ACPI parsing
 *   into the proper probe path", with fd598f71b669 and 73d2f10957f5.
 * - 0c8e9c148e29 "iommu: Avoid introducing more races" (v6.15.1, v6.16-rc1):
 *   FinishedElsewhereProbePath.
 * - da33e87bd2bf "iommu: Handle yet another race around registration"
 *   (v6.15.1, v6.16-rc1): ReadyProbePath, with fwspec.ts's ReadyFwnodeFwspec.
 *
 * Methods are bound at construction, as in probe-locking.ts.
 */
import { inject, injectable, injectFromBase } from '../inversify.js';
import type { BusType } from '../base/bus.js';
import { dev_fwnode, dev_WARN, type Device } from '../base/device.js';
import { kemu_note, WARN_ON } from '../kernel/assert.js';
import { EBUSY, EINVAL, ENODEV, EPROBE_DEFER, errname } from '../kernel/errno.js';
import { Mutex, mutex_lock, mutex_unlock } from '../kernel/locking/mutex.js';
import { raw_spin_lock, raw_spin_unlock } from '../kernel/locking/spinlock.js';
import { READ_ONCE, WRITE_ONCE } from '../kernel/memory/once.js';
import { load, store } from '../kernel/memory/slab.js';
import { dev_iommu_free, dev_iommu_fwspec_get, dev_iommu_get, dev_iommu_ptr, DevIommu, IOMMU_STRUCTS_V6_1, IOMMU_STRUCTS_V6_14,
  type IommuStructs } from './dev-iommu.js';
import { iommu_setup_dma_ops } from './dma-iommu.js';
import type { FwnodeFwspecApi } from './fwspec.js';
import { __iommu_probe_device_add_to_group, __iommu_probe_device_serialised, bus_iommu_probe, iommu_core, iommu_device_ready, iommu_device_unregister,
  iommu_group_get, iommu_group_put, type IommuDevice, type IommuGroup, type IommuOps } from './iommu.js';
import { IOMMU_FWSPEC, IOMMU_PROBE_DEVICE_LOCK } from './tokens.js';

/** One era's versions of the probe-path functions that changed between v6.7 and v6.15.1. */
export interface IommuProbePath {
  /** The era, for reports. */
  readonly scheme: string;
  /** The layouts of struct dev_iommu and struct iommu_fwspec in this era. */
  readonly structs: IommuStructs;
  /** iommu_device_register(iommu, ops, hwdev). */
  iommu_device_register(iommu: IommuDevice, ops: IommuOps, hwdev: Device | null): Promise<number>;
  /** The ops __iommu_probe_device() probes `dev` with (null: not for any IOMMU, -ENODEV). */
  probe_ops(dev: Device): Promise<IommuOps | null>;
  /** __iommu_probe_device(dev, group_list) once iommu_probe_device_lock is held (v6.7's lock on). */
  __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number>;
  /** iommu_init_device(dev, ops): dev->iommu, ops->probe_device, ops->device_group. */
  iommu_init_device(dev: Device, ops: IommuOps | null): Promise<number>;
  /** iommu_device_use_default_domain(dev), called by the bus's dma_configure for a driver about to bind. */
  iommu_device_use_default_domain(dev: Device): Promise<number>;
  /** What the probe does for the device's DMA API ops once its group has a default domain (with group->mutex held). */
  setup_dma_ops(dev: Device): Promise<void>;
}

function bindAll(obj: object): void {
  const o = obj as Record<string, unknown>;
  for (const name of ['iommu_device_register', 'probe_ops', '__iommu_probe_device', 'iommu_init_device', 'iommu_device_use_default_domain',
    'setup_dma_ops']) {
    o[name] = (o[name] as (...a: unknown[]) => unknown).bind(obj);
  }
}

/** Adds `iommu` to iommu_device_list (iommu_device_register(), every era). */
async function iommu_device_list_add(iommu: IommuDevice): Promise<void> {
  const core = iommu_core.get();
  await raw_spin_lock(core.iommu_device_lock);
  core.iommu_device_list.push(iommu);
  core.iommu_device_list_state.set(core.iommu_device_list_state.value + 1);
  await raw_spin_unlock(core.iommu_device_lock);
}

/**
 * The probe path up to v6.7 (v6.11 and v6.12 keep it in kemu: the VT-d
 * variants differ only in their queued invalidation): bus->iommu_ops.
 */
/** The start of iommu_device_register() in every version kemu models: the instance's ops, hardware device and fwnode, then the list. */
async function iommu_device_add(iommu: IommuDevice, ops: IommuOps, hwdev: Device | null): Promise<void> {
  iommu.ops = ops;
  iommu.hwdev = hwdev;
  if (hwdev) iommu.fwnode = dev_fwnode(hwdev);
  await iommu_device_list_add(iommu);
  kemu_note(() => `${iommu}: iommu_device_register → bus_iommu_probe`);
}

@injectable()
export class BusOpsProbePath implements IommuProbePath {
  readonly scheme: string = 'bus->iommu_ops (v6.1–v6.7)';
  readonly structs: IommuStructs = IOMMU_STRUCTS_V6_1;

  constructor() {
    bindAll(this);
  }

  /**
   * Models iommu_device_register() (drivers/iommu/iommu.c, v6.5): one driver's
   * ops per system, list the instance, then for each bus set bus->iommu_ops and
   * bus_iommu_probe() it. Called from a driver's probe, it walks the bus with
   * that driver's device lock held.
   */
  async iommu_device_register(iommu: IommuDevice, ops: IommuOps, hwdev: Device | null): Promise<number> {
    const core = iommu_core.get();
    const first = core.iommu_buses[0];
    if (first?.iommu_ops && first.iommu_ops !== ops) return -EBUSY;
    await iommu_device_add(iommu, ops, hwdev);
    let err = 0;
    for (const bus of core.iommu_buses) {
      bus.iommu_ops = ops;
      err = await bus_iommu_probe(bus, iommu);
      if (err) break;
    }
    if (err) await iommu_device_unregister(iommu);
    return err;
  }

  /** Models the ops lookup of __iommu_probe_device() (drivers/iommu/iommu.c, v6.5): dev->bus->iommu_ops. */
  async probe_ops(dev: Device): Promise<IommuOps | null> {
    return dev.bus?.iommu_ops ?? null;
  }

  /** Models __iommu_probe_device() (drivers/iommu/iommu.c, v6.7) with the lock held: the ops, then the shared body. */
  async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    const ops = await this.probe_ops(dev);
    if (!ops) return -ENODEV;
    return await __iommu_probe_device_serialised(dev, ops, group_list);
  }

  /**
   * Models iommu_init_device() (drivers/iommu/iommu.c, v6.5): dev->iommu, then
   * ops->probe_device, then ops->device_group; dev->iommu->iommu_dev is set
   * after device_group, as in v6.5. On failure dev->iommu is freed (with its
   * fwspec).
   */
  async iommu_init_device(dev: Device, ops: IommuOps | null): Promise<number> {
    await dev_iommu_get(dev);
    const iommu_dev = await ops!.probe_device(dev);
    kemu_note(() => `${dev.name}: ${ops!.name}.probe_device = ${typeof iommu_dev === 'number' ? errname(iommu_dev) : iommu_dev}`);
    if (typeof iommu_dev === 'number') {
      await dev_iommu_free(dev);
      return iommu_dev;
    }
    let group = await ops!.device_group(dev);
    if (WARN_ON(group === null, 'device_group returned NULL')) group = -EINVAL;
    if (typeof group === 'number') {
      await ops!.release_device?.(dev);
      await dev_iommu_free(dev);
      return group;
    }
    dev.iommu_group = group;
    await store(DevIommu, await READ_ONCE(dev_iommu_ptr(dev)), 'iommu_dev', iommu_dev);
    return 0;
  }

  /**
   * Models iommu_device_use_default_domain() (drivers/iommu/iommu.c, v6.5), which
   * platform_dma_configure() calls for drivers that use the DMA API.
   */
  async iommu_device_use_default_domain(dev: Device): Promise<number> {
    const group = iommu_group_get(dev);
    if (!group) {
      kemu_note(() => `${dev.name}: iommu_device_use_default_domain: no iommu_group, nothing to claim`);
      return 0;
    }
    let ret = 0;
    await mutex_lock(group.mutex);
    ret = this.claim_default_domain(group);
    if (!ret) kemu_note(() => `${dev.name}: iommu_device_use_default_domain claims ${group} (default domain ${group.default_domain ? 'set' : 'not set yet'})`);
    await mutex_unlock(group.mutex);
    iommu_group_put(group);
    return ret;
  }

  /** The ownership check of iommu_device_use_default_domain(), with group->mutex held. */
  protected claim_default_domain(group: IommuGroup): number {
    if (group.owner_cnt && (group.owner !== null || group.domain !== group.default_domain)) return -EBUSY;
    group.owner_cnt++;
    return 0;
  }

  /** Until v6.10 the DMA API ops come from the architecture's setup (arch_setup_dma_ops), which kemu does not model. */
  async setup_dma_ops(_dev: Device): Promise<void> {}
}

/**
 * v6.14: no bus->iommu_ops (17de3f5fdd35, v6.8); __iommu_probe_device() takes
 * the ops of the IOMMU the device's fwspec names, or of one registered without
 * a fwnode (v6.11's iommu_fwspec_ops()), so a DT client is only probed once
 * its firmware has been parsed, which of_iommu_configure() does from the
 * client's driver probe; and the probe switches the device's DMA API to
 * iommu-dma once its group has a default domain (v6.10's
 * iommu_setup_dma_ops()). Models drivers/iommu/iommu.c as of v6.14 (read
 * from the v6.15-rc1 series' patch context and the later file; see
 * docs/probe-race-history.md).
 */
@injectable()
export class FwspecProbePath extends BusOpsProbePath {
  override readonly scheme: string = 'ops from the fwspec, no bus->iommu_ops (v6.14)';
  override readonly structs: IommuStructs = IOMMU_STRUCTS_V6_14;

  constructor(
    @inject(IOMMU_FWSPEC) protected readonly fwspec: FwnodeFwspecApi,
    @inject(IOMMU_PROBE_DEVICE_LOCK) protected readonly iommu_probe_device_lock: Mutex,
  ) {
    super();
  }

  /** Models iommu_device_register() (drivers/iommu/iommu.c, v6.8–v6.15): list the instance, walk every bus. */
  override async iommu_device_register(iommu: IommuDevice, ops: IommuOps, hwdev: Device | null): Promise<number> {
    await iommu_device_add(iommu, ops, hwdev);
    let err = 0;
    for (const bus of iommu_core.get().iommu_buses) {
      err = await bus_iommu_probe(bus);
      if (err) break;
    }
    if (err) await iommu_device_unregister(iommu);
    else await this.registered(iommu);
    return err;
  }

  /** What iommu_device_register() does once every bus has been walked (da33e87bd2bf sets iommu->ready). */
  protected async registered(_iommu: IommuDevice): Promise<void> {}

  /** Models the ops lookup of __iommu_probe_device() (drivers/iommu/iommu.c, v6.14): iommu_fwspec_ops(dev_iommu_fwspec_get(dev)). */
  override async probe_ops(dev: Device): Promise<IommuOps | null> {
    return await this.fwspec.iommu_fwspec_ops(await dev_iommu_fwspec_get(dev));
  }

  /**
   * Models iommu_init_device() (drivers/iommu/iommu.c, v6.14): as v6.5, but
   * dev->iommu->iommu_dev is set before ops->device_group (v6.7), and cleared
   * again before dev->iommu is freed on failure.
   */
  override async iommu_init_device(dev: Device, ops: IommuOps | null): Promise<number> {
    await dev_iommu_get(dev);
    return await this.probe_with(dev, ops!);
  }

  /** The part of iommu_init_device() after its ops are known (v6.14): probe_device, device_group. */
  protected async probe_with(dev: Device, ops: IommuOps): Promise<number> {
    const iommu_dev = await ops.probe_device(dev);
    kemu_note(() => `${dev.name}: ${ops.name}.probe_device = ${typeof iommu_dev === 'number' ? errname(iommu_dev) : iommu_dev}`);
    if (typeof iommu_dev === 'number') return await this.init_failed(dev, iommu_dev);
    await store(DevIommu, await READ_ONCE(dev_iommu_ptr(dev)), 'iommu_dev', iommu_dev);
    let group = await ops.device_group(dev);
    if (WARN_ON(group === null, 'device_group returned NULL')) group = -EINVAL;
    if (typeof group === 'number') {
      await ops.release_device?.(dev);
      return await this.init_failed(dev, group);
    }
    dev.iommu_group = group;
    return 0;
  }

  /** The err_free exit of iommu_init_device() (v6.14): dev->iommu->iommu_dev = NULL, then dev_iommu_free(). */
  protected async init_failed(dev: Device, ret: number): Promise<number> {
    await store(DevIommu, await READ_ONCE(dev_iommu_ptr(dev)), 'iommu_dev', null);
    await dev_iommu_free(dev);
    return ret;
  }

  /** Models iommu_setup_dma_ops() called from the probe (drivers/iommu/iommu.c, v6.10 on). */
  override async setup_dma_ops(dev: Device): Promise<void> {
    await iommu_setup_dma_ops(dev);
  }
}

/**
 * b46064a18810 "iommu: Handle race with default domain setup": a client
 * about to bind while bus_iommu_probe() has put its device in a group but not
 * yet given the group its default domain would use dma-direct and be switched
 * to iommu-dma underfoot; iommu_device_use_default_domain() defers it
 * instead. (On v6.14, as the stable trees carry it.)
 */
@injectable()
@injectFromBase()
export class DefaultDomainDeferProbePath extends FwspecProbePath {
  override readonly scheme: string = 'ops from the fwspec; iommu_device_use_default_domain defers until the default domain exists (b46064a18810)';

  /** Models the check b46064a18810 adds to iommu_device_use_default_domain() (drivers/iommu/iommu.c). */
  protected override claim_default_domain(group: IommuGroup): number {
    if (!group.default_domain) {
      kemu_note(() => `${group} has no default domain yet: iommu_device_use_default_domain = -EPROBE_DEFER`);
      return -EPROBE_DEFER;
    }
    return super.claim_default_domain(group);
  }
}

/**
 * v6.15: bcb81ac6ae3c "iommu: Get DT/ACPI parsing into the proper probe
 * path". iommu_init_device() finds the ops itself (fd598f71b669) after, for a
 * device no driver is binding, running the bus's dma_configure, which parses
 * the firmware, with iommu_probe_device_lock dropped around it; a probe that
 * still happens at driver bind (the OF replay) WARNs (73d2f10957f5 moved the
 * WARN after iommu_init_device). Models drivers/iommu/iommu.c at bcb81ac6ae3c
 * and 73d2f10957f5, as the patches show it.
 */
@injectable()
@injectFromBase()
export class FirmwareParsingProbePath extends DefaultDomainDeferProbePath {
  override readonly scheme: string = 'dma_configure from iommu_init_device, lock dropped around it (v6.15)';

  /** Models __iommu_probe_device() (drivers/iommu/iommu.c, v6.15) with the lock held: no ops lookup before iommu_init_device. */
  override async __iommu_probe_device(dev: Device, group_list: IommuGroup[] | null): Promise<number> {
    if (dev.iommu_group) return 0;
    const ret = await this.iommu_init_device(dev, null);
    if (ret) return ret;
    if (dev.driver) dev_WARN(dev, 'late IOMMU probe at driver bind, something fishy here!');
    return await __iommu_probe_device_add_to_group(dev, group_list);
  }

  /** Models iommu_init_device() (drivers/iommu/iommu.c, v6.15). */
  override async iommu_init_device(dev: Device, _ops: IommuOps | null): Promise<number> {
    await dev_iommu_get(dev);
    const skip = await this.parse_firmware(dev);
    if (skip) return skip;
    const param = await READ_ONCE(dev_iommu_ptr(dev));
    const ops = await this.fwspec.iommu_fwspec_ops(await load(DevIommu, param, 'fwspec'));
    if (!ops) return await this.init_failed(dev, -ENODEV);
    return await this.probe_with(dev, ops);
  }

  /**
   * The firmware parse of iommu_init_device() (v6.15): for a device no
   * driver is binding, the whole bus dma_configure path, with
   * iommu_probe_device_lock dropped around it. Returns non-zero to stop.
   */
  protected async parse_firmware(dev: Device): Promise<number> {
    if (!dev.driver && dev.bus?.dma_configure) await this.dma_configure_unlocked(dev, dev.bus);
    return 0;
  }

  /** mutex_unlock(&iommu_probe_device_lock); dev->bus->dma_configure(dev); mutex_lock(&iommu_probe_device_lock). */
  protected async dma_configure_unlocked(dev: Device, bus: BusType): Promise<void> {
    kemu_note(() => `${dev.name}: iommu_init_device drops iommu_probe_device_lock around dma_configure`);
    await mutex_unlock(this.iommu_probe_device_lock);
    await bus.dma_configure!(dev);
    await mutex_lock(this.iommu_probe_device_lock);
  }
}

/**
 * 0c8e9c148e29 "iommu: Avoid introducing more races": bus_iommu_probe() does
 * not care which IOMMU instance it probes for, so another walk may finish (or
 * fail, freeing dev->iommu) a probe this one started while the lock was
 * dropped; and a device that already has a fwspec needs no dma_configure.
 */
@injectable()
@injectFromBase()
export class FinishedElsewhereProbePath extends FirmwareParsingProbePath {
  override readonly scheme: string = 'dma_configure from iommu_init_device; another walk finishing the probe is noticed (0c8e9c148e29)';

  /** Models the firmware parse of iommu_init_device() at 0c8e9c148e29 (drivers/iommu/iommu.c). */
  protected override async parse_firmware(dev: Device): Promise<number> {
    const param = await READ_ONCE(dev_iommu_ptr(dev));
    if ((await load(DevIommu, param, 'fwspec')) || dev.driver || !dev.bus?.dma_configure) return 0;
    await this.dma_configure_unlocked(dev, dev.bus);
    if (!(await READ_ONCE(dev_iommu_ptr(dev))) || dev.iommu_group) {
      kemu_note(() => `${dev.name}: another walk finished (or failed) the probe meanwhile: -ENODEV`);
      return -ENODEV;
    }
    return 0;
  }
}

/** da33e87bd2bf: iommu_device_register() sets iommu->ready once every bus walk has finished (fwspec.ts reads it). */
@injectable()
@injectFromBase()
export class ReadyProbePath extends FinishedElsewhereProbePath {
  override readonly scheme: string = 'dma_configure from iommu_init_device; iommu->ready after registration (v6.15.1)';

  /** Models the WRITE_ONCE(iommu->ready, true) of iommu_device_register() (drivers/iommu/iommu.c, da33e87bd2bf). */
  protected override async registered(iommu: IommuDevice): Promise<void> {
    await WRITE_ONCE(iommu_device_ready(iommu), true);
  }
}
