/**
 * The ACPI side of IOMMU configuration (drivers/acpi/scan.c and
 * drivers/acpi/arm64/iort.c, v6.5 shape), enough for the replay path: a
 * device's ACPI companion, driver matching by _HID, acpi_dma_configure() →
 * acpi_iommu_configure_id() → iort_iommu_configure_id() over the IORT-style
 * map of firmware/acpi/iort.ts, then the replay of the IOMMU probe. The
 * variant's lock around the parse and its choice of replay come from the IOMMU
 * core's injected IommuFwLocking, as for the OF path.
 */
import { dev_dbg, type Device } from '../../src/base/device.js';
import { driver_deferred_probe_check_state } from '../../src/base/dd.js';
import type { DeviceDriver } from '../../src/base/driver.js';
import { RunLocal } from '../../src/base/run-local.js';
import { dev_iommu_fwspec_get, IommuFwspec, iommu_core, iommu_fwspec_add_ids, iommu_fwspec_init, iommu_ops_from_fwnode,
  type IommuOps } from '../../src/iommu/iommu.js';
import { ENODEV, EPROBE_DEFER } from '../../src/kernel/errno.js';
import { load } from '../../src/kernel/memory/slab.js';
import { iort_node_map_named_component, type IortTable } from './iort.js';

/** Models struct acpi_device (include/acpi/acpi_bus.h): the companion; also its fwnode identity. */
export class AcpiDevice {
  constructor(
    /** Full ACPI path, e.g. `\_SB_.DMA0`. */
    readonly path: string,
    /** _HID, e.g. `ARMH0000`. */
    readonly hid: string,
  ) {}

  toString(): string {
    return this.path;
  }
}

/** The IORT of the running machine (installed by an ACPI board). */
export const acpi_iort_table = new RunLocal<IortTable>('the IORT table (an ACPI board installs it)');

/** Models ACPI_COMPANION() (include/linux/acpi.h). */
export function ACPI_COMPANION(dev: Device): AcpiDevice | null {
  return dev.fwnode instanceof AcpiDevice ? dev.fwnode : null;
}

/** Models has_acpi_companion() (include/linux/acpi.h). */
export function has_acpi_companion(dev: Device): boolean {
  return ACPI_COMPANION(dev) !== null;
}

/** Models acpi_driver_match_device() (drivers/acpi/bus.c, v6.5), by _HID only. */
export function acpi_driver_match_device(dev: Device, drv: DeviceDriver): boolean {
  const adev = ACPI_COMPANION(dev);
  return adev !== null && (drv.acpi_match_table?.includes(adev.hid) ?? false);
}

/**
 * Models iort_iommu_configure_id() for a named component (drivers/acpi/arm64/iort.c,
 * v6.5): -ENODEV when the IORT does not list the device, -EPROBE_DEFER while its
 * SMMU has not registered, else the fwspec with the stream IDs.
 */
async function iort_iommu_configure_id(dev: Device, _id_in: number | null): Promise<number> {
  const adev = ACPI_COMPANION(dev);
  if (!adev || !acpi_iort_table.has()) return -ENODEV;
  const map = iort_node_map_named_component(acpi_iort_table.get(), adev.path);
  if (!map) return -ENODEV;
  const ops = await iommu_ops_from_fwnode(map.fwnode);
  if (!ops) return driver_deferred_probe_check_state(dev);
  let ret = await iommu_fwspec_init(dev, map.fwnode, ops);
  if (!ret) ret = await iommu_fwspec_add_ids(dev, map.stream_ids);
  return ret;
}

/**
 * Models acpi_iommu_configure_id() (drivers/acpi/scan.c, v6.5): returns the
 * IOMMU ops, null for "no IOMMU", or -EPROBE_DEFER. The replay runs with the
 * device lock really_probe holds.
 */
export async function acpi_iommu_configure_id(dev: Device, id_in: number | null): Promise<IommuOps | null | number> {
  const fw = iommu_core.get().fw;
  await fw.fwspec_lock();
  const fwspec = await dev_iommu_fwspec_get(dev);
  const ops = fwspec ? await load(IommuFwspec, fwspec, 'ops') : null;
  if (ops) {
    await fw.fwspec_unlock();
    return ops;
  }
  let err = await iort_iommu_configure_id(dev, id_in);
  await fw.fwspec_unlock();
  // The IOMMU driver may have missed the initial probe of dev: replay it.
  if (!err && dev.bus) err = await fw.replay(dev);
  if (err === -EPROBE_DEFER) return -EPROBE_DEFER;
  if (err) {
    dev_dbg(dev, `Adding to IOMMU failed: ${err}`);
    return null;
  }
  const built = await dev_iommu_fwspec_get(dev);
  return built ? await load(IommuFwspec, built, 'ops') : null;
}

/** Models acpi_dma_configure_id() / acpi_dma_configure() (drivers/acpi/scan.c, v6.5). */
export async function acpi_dma_configure(dev: Device): Promise<number> {
  const iommu = await acpi_iommu_configure_id(dev, null);
  if (iommu === -EPROBE_DEFER) return -EPROBE_DEFER;
  return 0;
}
