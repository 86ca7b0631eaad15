/**
 * struct device_driver and driver registration (drivers/base/driver.c, v6.5).
 */
import { EBUSY, EINVAL } from '../kernel/errno.js';
import { pr_err, pr_warn } from '../kernel/printk.js';
import { bus_add_driver, bus_is_registered, type BusType } from './bus.js';
import type { Device } from './device.js';
import { Klist } from './klist.js';

/** Models enum probe_type (include/linux/device/driver.h). kemu probes every driver synchronously. */
export type ProbeType = 'PROBE_DEFAULT_STRATEGY' | 'PROBE_PREFER_ASYNCHRONOUS' | 'PROBE_FORCE_SYNCHRONOUS';

/** A compatible entry of an of_match_table (struct of_device_id), e.g. `{ compatible: 'ti,omap4-iommu' }`. */
export interface OfDeviceId {
  readonly compatible: string;
  readonly data?: unknown;
}

/** Models struct driver_private: the driver's list of bound devices. */
export interface DriverPrivate {
  readonly klist_devices: Klist<Device>;
}

/** Models struct device_driver (include/linux/device/driver.h, v6.5). */
export class DeviceDriver {
  bus: BusType | null = null;
  probe: ((dev: Device) => Promise<number>) | null = null;
  remove: ((dev: Device) => Promise<void>) | null = null;
  of_match_table: readonly OfDeviceId[] | null = null;
  /** ACPI _HID values this driver matches (acpi_match_table). */
  acpi_match_table: readonly string[] | null = null;
  probe_type: ProbeType = 'PROBE_DEFAULT_STRATEGY';
  suppress_bind_attrs = false;
  /** Set by bus_add_driver(). */
  p: DriverPrivate | null = null;

  constructor(readonly name: string, init: Partial<Pick<DeviceDriver,
    'bus' | 'probe' | 'remove' | 'of_match_table' | 'acpi_match_table' | 'probe_type' | 'suppress_bind_attrs'>> = {}) {
    Object.assign(this, init);
  }

  toString(): string {
    return this.name;
  }
}

/** Models driver_find() (drivers/base/driver.c, v6.5): a registered driver of that name on the bus. */
export function driver_find(name: string, bus: BusType): DeviceDriver | null {
  return bus.p?.klist_drivers.items().find((d) => d.name === name) ?? null;
}

/** Models driver_register() (drivers/base/driver.c, v6.5). */
export async function driver_register(drv: DeviceDriver): Promise<number> {
  const bus = drv.bus;
  if (!bus || !bus_is_registered(bus)) {
    pr_err(`Driver '${drv.name}' was unable to register with bus_type '${bus?.name ?? '(null)'}' because the bus was not initialized.`);
    return -EINVAL;
  }
  if (bus.probe && drv.probe) pr_warn(`Driver '${drv.name}' needs updating - please use bus_type methods`);
  if (driver_find(drv.name, bus)) {
    pr_err(`Error: Driver '${drv.name}' is already registered, aborting...`);
    return -EBUSY;
  }
  return await bus_add_driver(drv);
}
