/**
 * OF IOMMU configuration (drivers/iommu/of_iommu.c, v6.5 shape): parse the
 * client's `iommus` property, build its fwspec through the IOMMU driver's
 * of_xlate, defer while that IOMMU has not registered, and replay the probe
 * the IOMMU core missed. What the variant changes (a lock around the parse,
 * which probe function the replay calls) comes from the IOMMU core's
 * injected IommuFwLocking.
 */
import type { Device } from '../../src/base/device.js';
import { driver_deferred_probe_check_state } from '../../src/base/dd.js';
import { dev_dbg } from '../../src/base/device.js';
import { dev_iommu_fwspec_get, IommuFwspec, iommu_core, iommu_fwspec_free, iommu_fwspec_init, iommu_ops_from_fwnode,
  type IommuOps } from '../../src/iommu/iommu.js';
import { EPROBE_DEFER } from '../../src/kernel/errno.js';
import { formatAddr, load } from '../../src/kernel/memory/slab.js';
import { kemu_note } from '../../src/kernel/assert.js';
import type { DeviceNode } from './device-node.js';
import { of_device_is_available, of_parse_phandle_with_args, type of_phandle_args } from './of-base.js';

/** of_iommu.c's NO_IOMMU: no IOMMU, or one unavailable for non-fatal reasons. */
export const NO_IOMMU = 1;

/** Models of_iommu_xlate() (drivers/iommu/of_iommu.c, v6.5). */
async function of_iommu_xlate(dev: Device, iommu_spec: of_phandle_args): Promise<number> {
  const fwnode = iommu_spec.np.fwnode;
  const ops = await iommu_ops_from_fwnode(fwnode);
  if ((ops && !ops.of_xlate) || !of_device_is_available(iommu_spec.np)) return NO_IOMMU;
  const ret = await iommu_fwspec_init(dev, fwnode, ops);
  if (ret) return ret;
  // The otherwise empty fwspec records which IOMMU the device waits for.
  if (!ops) return driver_deferred_probe_check_state(dev);
  return ops.of_xlate!(dev, iommu_spec);
}

/** Models of_iommu_configure_dev() (drivers/iommu/of_iommu.c, v6.5): each `iommus` entry until one fails. */
async function of_iommu_configure_dev(master_np: DeviceNode, dev: Device): Promise<number> {
  let err = NO_IOMMU;
  for (let idx = 0; ; idx++) {
    const r = of_parse_phandle_with_args(master_np, 'iommus', '#iommu-cells', idx);
    if (r.err !== 0) break;
    err = await of_iommu_xlate(dev, r.args);
    if (err) break;
  }
  return err;
}

/**
 * Models of_iommu_configure() (drivers/iommu/of_iommu.c, v6.5; the v6.7 lock
 * through IommuFwLocking): returns the IOMMU ops, null for "no IOMMU", or
 * -EPROBE_DEFER. Called from really_probe → dma_configure, it runs with the
 * device lock held, and so does its replay of the IOMMU probe.
 */
export async function of_iommu_configure(dev: Device, master_np: DeviceNode | null, _id: number | null): Promise<IommuOps | null | number> {
  if (!master_np) return null;
  const fw = iommu_core.get().fw;
  await fw.fwspec_lock();
  const fwspec = await dev_iommu_fwspec_get(dev);
  if (fwspec) {
    const done = await load(IommuFwspec, fwspec, 'ops');
    if (done) {
      await fw.fwspec_unlock();
      return done;
    }
    // Left over from a deferred attempt: start again.
    await iommu_fwspec_free(dev);
  }
  let err = await of_iommu_configure_dev(master_np, dev);
  let ops: IommuOps | null | number = null;
  // No NULL check: the fwspec of_iommu_xlate built must still be there.
  if (!err) {
    const built = await dev_iommu_fwspec_get(dev);
    kemu_note(() => `${dev.name}: of_iommu_configure reads fwspec->ops of ${built ? formatAddr(built.addr) : 'NULL'}`);
    ops = await load(IommuFwspec, built, 'ops');
  }
  await fw.fwspec_unlock();
  // The IOMMU driver may have missed the initial probe of dev: replay it.
  if (!err && dev.bus) err = await fw.replay(dev);

  if (err === -EPROBE_DEFER) {
    ops = -EPROBE_DEFER;
  } else if (err < 0) {
    dev_dbg(dev, `Adding to IOMMU failed: ${err}`);
    ops = null;
  }
  return ops;
}
