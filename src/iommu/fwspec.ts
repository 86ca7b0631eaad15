/**
 * The fwspec API of v6.11 on ("iommu: Resolve fwspec ops automatically"):
 * a fwspec names its IOMMU by fwnode only, iommu_fwspec_init() looks the
 * IOMMU up itself, and iommu_fwspec_ops() resolves the ops from the fwnode
 * each time. da33e87bd2bf (v6.15.1, v6.16-rc1) made iommu_fwspec_init()
 * defer a device that is not being probed by a bus walk while its IOMMU's
 * iommu_device_register() is still running. Kernels before v6.11 keep the ops
 * in the fwspec (dev-iommu.ts).
 */
import { injectable } from '../inversify.js';
import { driver_deferred_probe_check_state } from '../base/dd.js';
import type { Device, FwnodeHandle } from '../base/device.js';
import { kemu_note } from '../kernel/assert.js';
import { EINVAL, EPROBE_DEFER } from '../kernel/errno.js';
import { READ_ONCE } from '../kernel/memory/once.js';
import { formatAddr, kzalloc, load, store } from '../kernel/memory/slab.js';
import { dev_iommu_fwspec_get, dev_iommu_fwspec_set, dev_iommu_get, dev_iommu_ptr, IommuFwspec } from './dev-iommu.js';
import { iommu_device_ready, iommu_from_fwnode, iommu_ops_from_fwnode, type IommuDevice, type IommuOps } from './iommu.js';

/** The variant's fwspec API (bound from v6.14, the first variant kemu has after v6.11). */
export interface FwnodeFwspecApi {
  readonly scheme: string;
  /** iommu_fwspec_init(dev, iommu_fwnode). */
  iommu_fwspec_init(dev: Device, iommu_fwnode: FwnodeHandle): Promise<number>;
  /** iommu_fwspec_ops(fwspec): the ops of the IOMMU the fwspec names (for no fwspec, of the IOMMU registered without a fwnode). */
  iommu_fwspec_ops(fwspec: IommuFwspec | null): Promise<IommuOps | null>;
}

/** v6.11–v6.15: the fwspec is made as soon as the IOMMU instance is on iommu_device_list. */
@injectable()
export class FwnodeFwspec implements FwnodeFwspecApi {
  readonly scheme: string = 'fwspec by fwnode; iommu_fwspec_init as soon as the IOMMU is listed (v6.11)';

  /** Whether a device with this IOMMU may have its fwspec made now (da33e87bd2bf adds a condition). */
  protected async may_init(_dev: Device, _iommu: IommuDevice): Promise<number> {
    return 0;
  }

  /** Models iommu_fwspec_init() (drivers/iommu/iommu.c, v6.11–v6.15; v6.15.1 with may_init). */
  async iommu_fwspec_init(dev: Device, iommu_fwnode: FwnodeHandle): Promise<number> {
    const iommu = await iommu_from_fwnode(iommu_fwnode);
    const fwspec = await dev_iommu_fwspec_get(dev);
    if (!iommu) return driver_deferred_probe_check_state(dev);
    const ret = await this.may_init(dev, iommu);
    if (ret) return ret;
    if (fwspec) return iommu.ops === (await this.iommu_fwspec_ops(fwspec)) ? 0 : -EINVAL;
    await dev_iommu_get(dev);
    // kemu's IommuFwspec has room for one id (see iommu_fwspec_add_ids).
    const created = kzalloc(IommuFwspec);
    await store(IommuFwspec, created, 'iommu_fwnode', iommu_fwnode);
    await dev_iommu_fwspec_set(dev, created);
    kemu_note(() => `${dev.name}: dev->iommu->fwspec = kzalloc() = ${formatAddr(created.addr)}`);
    return 0;
  }

  /** Models iommu_fwspec_ops() (drivers/iommu/iommu-priv.h, v6.11). */
  async iommu_fwspec_ops(fwspec: IommuFwspec | null): Promise<IommuOps | null> {
    return await iommu_ops_from_fwnode(fwspec ? await load(IommuFwspec, fwspec, 'iommu_fwnode') : null);
  }
}

/**
 * da33e87bd2bf "iommu: Handle yet another race around registration": a
 * device with no dev->iommu is not on a bus walk's path (a bus walk allocates
 * dev->iommu before it parses the firmware), so while its IOMMU's
 * iommu_device_register() has not finished, its firmware parse defers, as if
 * the IOMMU had not appeared at all.
 */
@injectable()
export class ReadyFwnodeFwspec extends FwnodeFwspec {
  override readonly scheme: string = 'fwspec by fwnode; defers a device not on a bus walk until iommu->ready (da33e87bd2bf)';

  /** Models the iommu->ready check of iommu_fwspec_init() (drivers/iommu/iommu.c, da33e87bd2bf). */
  protected override async may_init(dev: Device, iommu: IommuDevice): Promise<number> {
    if ((await this.readiness_checked(dev)) && !(await READ_ONCE(iommu_device_ready(iommu)))) {
      kemu_note(() => `${dev.name}: ${iommu} not ready: iommu_fwspec_init = -EPROBE_DEFER`);
      return -EPROBE_DEFER;
    }
    return 0;
  }

  /** Whether the check applies to `dev`: not to a device with dev->iommu, which a bus walk is probing. */
  protected async readiness_checked(dev: Device): Promise<boolean> {
    return !(await READ_ONCE(dev_iommu_ptr(dev)));
  }
}

/**
 * Tudor Ambarus's "iommu: Fix bypass of IOMMU readiness check for multi-IOMMU
 * devices" (posted 23 Mar 2026, not applied): a client of two IOMMUs gets its
 * dev->iommu from the first one's iommu_fwspec_init(), so the second one's
 * readiness was never checked; the patch checks it whatever dev->iommu is.
 * Robin Murphy answered (24 Mar 2026) that a bus walk must be able to make a
 * fwspec while its own IOMMU is still registering, which this forbids.
 */
@injectable()
export class UnconditionalReadyFwnodeFwspec extends ReadyFwnodeFwspec {
  override readonly scheme: string = 'fwspec by fwnode; defers every device until iommu->ready (the 2026 ready-check proposal)';

  /** The proposal checks readiness whatever dev->iommu is. */
  protected override async readiness_checked(): Promise<boolean> {
    return true;
  }
}
