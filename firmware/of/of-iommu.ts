/**
 * OF IOMMU configuration (drivers/iommu/of_iommu.c): parse the client's
 * `iommus` property, build its fwspec through the IOMMU driver's of_xlate,
 * defer while that IOMMU has not registered, and replay the probe the IOMMU
 * core missed. Three shapes, one per era, bound by variant (module.ts):
 *
 * - v6.5 (kemu's v6.1–v6.12): the fwspec carries its ops, the function returns
 *   them; a fwspec left over from a deferred attempt is freed and rebuilt.
 * - v6.14: it returns an int (v6.8), a device that has a fwspec is done, and
 *   iommu_fwspec_init() resolves the IOMMU itself (v6.11).
 * - v6.15: 3832862eb9c4 undoes exactly what a failed parse did (dev->iommu
 *   too, if the parse allocated it), and bcb81ac6ae3c replays the probe only
 *   when dev->iommu did not exist before: otherwise the call comes from the
 *   IOMMU core's own probe.
 *
 * The lock around the parse and which probe the replay calls are the IOMMU
 * core's injected IommuFwLocking, as the variant binds it.
 */
import { injectable } from '../../src/inversify.js';
import type { Device } from '../../src/base/device.js';
import { driver_deferred_probe_check_state } from '../../src/base/dd.js';
import { dev_dbg } from '../../src/base/device.js';
import { RunLocal } from '../../src/base/run-local.js';
import { dev_iommu_free, dev_iommu_fwspec_get, dev_iommu_ptr, IommuFwspec, iommu_core, iommu_fwspec_free, iommu_fwspec_init,
  iommu_ops_from_fwnode, type IommuOps } from '../../src/iommu/iommu.js';
import type { FwnodeFwspecApi } from '../../src/iommu/fwspec.js';
import { ENODEV, EPROBE_DEFER } from '../../src/kernel/errno.js';
import { READ_ONCE } from '../../src/kernel/memory/once.js';
import { formatAddr, load } from '../../src/kernel/memory/slab.js';
import { kemu_note } from '../../src/kernel/assert.js';
import type { DeviceNode } from './device-node.js';
import { of_device_is_available, of_parse_phandle_with_args, type of_phandle_args } from './of-base.js';

/** of_iommu.c's NO_IOMMU before v6.8: no IOMMU, or one unavailable for non-fatal reasons. */
export const NO_IOMMU = 1;

/** One era's of_iommu_configure(). */
export interface OfIommuConfigure {
  readonly scheme: string;
  /**
   * of_iommu_configure(dev, master_np, id), as the int v6.8 made it return:
   * 0 with an IOMMU configured, -ENODEV without one, -EPROBE_DEFER to try
   * again, another errno on a fatal error.
   */
  of_iommu_configure(dev: Device, master_np: DeviceNode | null, id: number | null): Promise<number>;
}

/** The booted variant's of_iommu_configure() (installed when the machine's container constructs it). */
export const of_iommu = new RunLocal<OfIommuConfigure>('of_iommu_configure (the OF firmware module binds it)');

/**
 * Models of_iommu_configure_dev() (drivers/iommu/of_iommu.c, v6.5; v6.8 starts
 * from -ENODEV instead of NO_IOMMU): each `iommus` entry through the era's
 * of_iommu_xlate, until one fails.
 */
async function of_iommu_configure_dev(master_np: DeviceNode, dev: Device, none: number,
  of_iommu_xlate: (dev: Device, spec: of_phandle_args) => Promise<number>): Promise<number> {
  let err = none;
  for (let idx = 0; ; idx++) {
    const r = of_parse_phandle_with_args(master_np, 'iommus', '#iommu-cells', idx);
    if (r.err !== 0) break;
    err = await of_iommu_xlate(dev, r.args);
    if (err) break;
  }
  return err;
}

/** of_iommu_configure() as kemu's variants up to v6.12 have it (drivers/iommu/of_iommu.c, v6.5; v6.7's lock through IommuFwLocking). */
@injectable()
export class OfIommuConfigureV65 implements OfIommuConfigure {
  readonly scheme: string = 'of_iommu_configure returning the fwspec ops (v6.5)';

  constructor() {
    this.of_iommu_xlate = this.of_iommu_xlate.bind(this);
    of_iommu.set(this);
  }

  /** Models of_iommu_xlate() (drivers/iommu/of_iommu.c, v6.5). */
  private async of_iommu_xlate(dev: Device, iommu_spec: of_phandle_args): Promise<number> {
    const fwnode = iommu_spec.np.fwnode;
    const ops = await iommu_ops_from_fwnode(fwnode);
    if ((ops && !ops.of_xlate) || !of_device_is_available(iommu_spec.np)) return NO_IOMMU;
    const ret = await iommu_fwspec_init(dev, fwnode, ops);
    if (ret) return ret;
    // The otherwise empty fwspec records which IOMMU the device waits for.
    if (!ops) return driver_deferred_probe_check_state(dev);
    return ops.of_xlate!(dev, iommu_spec);
  }

  /**
   * Models of_iommu_configure() (drivers/iommu/of_iommu.c, v6.5), which returns
   * the IOMMU ops, NULL for "no IOMMU", or ERR_PTR(-EPROBE_DEFER); as an int
   * here, what of_dma_configure_id() makes of it. Called from really_probe →
   * dma_configure, it runs with the device lock held, and so does its replay.
   */
  async of_iommu_configure(dev: Device, master_np: DeviceNode | null, _id: number | null): Promise<number> {
    if (!master_np) return -ENODEV;
    const fw = iommu_core.get().fw;
    await fw.fwspec_lock();
    const fwspec = await dev_iommu_fwspec_get(dev);
    if (fwspec) {
      if (await load(IommuFwspec, fwspec, 'ops')) {
        await fw.fwspec_unlock();
        return 0;
      }
      // Left over from a deferred attempt: start again.
      await iommu_fwspec_free(dev);
    }
    let err = await of_iommu_configure_dev(master_np, dev, NO_IOMMU, this.of_iommu_xlate);
    let ops: IommuOps | null = null;
    if (!err) {
      const built = await dev_iommu_fwspec_get(dev);
      kemu_note(() => `${dev.name}: of_iommu_configure reads fwspec->ops of ${built ? formatAddr(built.addr) : 'NULL'}`);
      // No NULL check: the fwspec of_iommu_xlate built must still be there.
      ops = await load(IommuFwspec, built, 'ops');
    }
    await fw.fwspec_unlock();
    // The IOMMU driver may have missed the initial probe of dev: replay it.
    if (!err && dev.bus) err = await fw.replay(dev);
    if (err === -EPROBE_DEFER) return -EPROBE_DEFER;
    if (err < 0) dev_dbg(dev, `Adding to IOMMU failed: ${err}`);
    return err < 0 || !ops ? -ENODEV : 0;
  }
}

/**
 * of_iommu_configure() of v6.14 (drivers/iommu/of_iommu.c, v6.8 on, with
 * v6.11's of_iommu_xlate()).
 */
@injectable()
export class OfIommuConfigureV614 implements OfIommuConfigure {
  readonly scheme: string = 'of_iommu_configure: a device with a fwspec is done, else parse and replay (v6.14)';

  constructor() {
    this.of_iommu_xlate = this.of_iommu_xlate.bind(this);
    of_iommu.set(this);
  }

  /** The v6.11 fwspec API of the booted variant. */
  protected get fwspec(): FwnodeFwspecApi {
    return iommu_core.get().fwspec!;
  }

  /** Models of_iommu_xlate() (drivers/iommu/of_iommu.c, v6.11 on): the fwspec first, then the driver's of_xlate. */
  private async of_iommu_xlate(dev: Device, iommu_spec: of_phandle_args): Promise<number> {
    if (!of_device_is_available(iommu_spec.np)) return -ENODEV;
    const ret = await this.fwspec.iommu_fwspec_init(dev, iommu_spec.np.fwnode);
    if (ret) return ret;
    const ops = (await iommu_ops_from_fwnode(iommu_spec.np.fwnode))!;
    if (!ops.of_xlate) return -ENODEV;
    return await ops.of_xlate(dev, iommu_spec);
  }

  /** The firmware parse, with iommu_probe_device_lock held: each `iommus` entry, -ENODEV for none. */
  protected async parse(dev: Device, master_np: DeviceNode): Promise<number> {
    return await of_iommu_configure_dev(master_np, dev, -ENODEV, this.of_iommu_xlate);
  }

  /** Whether dev->iommu existed before the parse (only v6.15 looks). */
  protected async dev_iommu_present(_dev: Device): Promise<boolean> {
    return false;
  }

  /** What a failed parse undoes (v6.14: the fwspec). */
  protected async undo_parse(dev: Device, _dev_iommu_present: boolean): Promise<void> {
    await iommu_fwspec_free(dev);
  }

  /** Whether to replay the IOMMU probe after a successful parse (v6.14: whenever the device is on a bus). */
  protected replays(dev: Device, _dev_iommu_present: boolean): boolean {
    return dev.bus !== null;
  }

  /** Models of_iommu_configure() (drivers/iommu/of_iommu.c, v6.8–v6.14). */
  async of_iommu_configure(dev: Device, master_np: DeviceNode | null, _id: number | null): Promise<number> {
    if (!master_np) return -ENODEV;
    const fw = iommu_core.get().fw;
    // iommu_probe_device_lock (v6.7 on) keeps dev->iommu from being freed while the fwspec is looked at and built.
    await fw.fwspec_lock();
    if (await dev_iommu_fwspec_get(dev)) {
      await fw.fwspec_unlock();
      kemu_note(() => `${dev.name}: of_iommu_configure: the fwspec is already there`);
      return 0;
    }
    const dev_iommu_present = await this.dev_iommu_present(dev);
    let err = await this.parse(dev, master_np);
    if (err) await this.undo_parse(dev, dev_iommu_present);
    await fw.fwspec_unlock();
    if (!err && this.replays(dev, dev_iommu_present)) {
      kemu_note(() => `${dev.name}: of_iommu_configure replays iommu_probe_device`);
      err = await fw.replay(dev);
    }
    if (err && err !== -EPROBE_DEFER) dev_dbg(dev, `Adding to IOMMU failed: ${err}`);
    return err;
  }
}

/**
 * of_iommu_configure() of v6.15 (drivers/iommu/of_iommu.c at 3832862eb9c4
 * and bcb81ac6ae3c): dev->iommu before the parse tells the IOMMU core's own
 * probe (which allocated it) from a driver bind.
 */
@injectable()
export class OfIommuConfigureV615 extends OfIommuConfigureV614 {
  override readonly scheme: string = 'of_iommu_configure: replay only when dev->iommu did not exist (v6.15)';

  /** Models the `dev_iommu_present = dev->iommu` of 3832862eb9c4. */
  protected override async dev_iommu_present(dev: Device): Promise<boolean> {
    return (await READ_ONCE(dev_iommu_ptr(dev))) !== null;
  }

  /** Models the cleanup of 3832862eb9c4 "iommu: Keep dev->iommu state consistent". */
  protected override async undo_parse(dev: Device, dev_iommu_present: boolean): Promise<void> {
    if (dev_iommu_present) await iommu_fwspec_free(dev);
    else if (await READ_ONCE(dev_iommu_ptr(dev))) await dev_iommu_free(dev);
  }

  /** Models the replay condition of bcb81ac6ae3c: not on the iommu_probe_device() path (no dev->iommu before). */
  protected override replays(dev: Device, dev_iommu_present: boolean): boolean {
    return dev.bus !== null && !dev_iommu_present;
  }
}
