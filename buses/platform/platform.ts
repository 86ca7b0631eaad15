/**
 * The platform bus (drivers/base/platform.c, v6.5): platform_bus_type with its
 * match, probe and dma_configure callbacks, platform devices and drivers.
 * platform_dma_configure() dispatches to the OF path (of_dma_configure) or the
 * ACPI path (acpi_dma_configure), as the kernel does.
 */
import { BusType, bus_register } from '../../src/base/bus.js';
import { device_add } from '../../src/base/core.js';
import { Device, dev_get_drvdata, dev_set_drvdata, dev_warn } from '../../src/base/device.js';
import { DeviceDriver, driver_register, type OfDeviceId, type ProbeType } from '../../src/base/driver.js';
import { RunLocal } from '../../src/base/run-local.js';
import { iommu_device_use_default_domain } from '../../src/iommu/iommu.js';
import { ENXIO, EPROBE_DEFER } from '../../src/kernel/errno.js';
import { acpi_dma_configure, acpi_driver_match_device, has_acpi_companion } from '../../firmware/acpi/acpi-iommu.js';
import type { OfResource } from '../../firmware/of/of-address.js';
import { of_dma_configure, of_driver_match_device } from '../../firmware/of/of-device.js';
import { genpd_dev_pm_attach } from '../../firmware/of/pm-domain.js';

/** Models struct platform_device (include/linux/platform_device.h, v6.5). */
export class PlatformDevice extends Device {
  /** PLATFORM_DEVID_NONE (-1) for DT-created devices. */
  id = -1;
  driver_override: string | null = null;
  /** pdev->resource: the memory ranges of its `reg`, translated to CPU addresses. */
  resource: readonly OfResource[] = [];

  /** The platform device's struct device (`&pdev->dev`); kemu's PlatformDevice is that device. */
  get dev(): PlatformDevice {
    return this;
  }
}

/** Models struct platform_driver (include/linux/platform_device.h, v6.5). */
export class PlatformDriver {
  readonly driver: DeviceDriver;

  constructor(
    name: string,
    readonly probe: (pdev: PlatformDevice) => Promise<number>,
    options: { of_match_table?: readonly OfDeviceId[]; acpi_match_table?: readonly string[]; probe_type?: ProbeType;
      driver_managed_dma?: boolean; prevent_deferred_probe?: boolean } = {},
  ) {
    this.driver = new DeviceDriver(name, {
      of_match_table: options.of_match_table ?? null,
      acpi_match_table: options.acpi_match_table ?? null,
      probe_type: options.probe_type ?? 'PROBE_DEFAULT_STRATEGY',
    });
    platformDriverOf.set(this.driver, this);
    this.driver_managed_dma = options.driver_managed_dma ?? false;
    this.prevent_deferred_probe = options.prevent_deferred_probe ?? false;
  }

  readonly driver_managed_dma: boolean;
  readonly prevent_deferred_probe: boolean;
}

const platformDriverOf = new WeakMap<DeviceDriver, PlatformDriver>();

/** Models to_platform_driver(). */
export function to_platform_driver(drv: DeviceDriver): PlatformDriver {
  return platformDriverOf.get(drv)!;
}

/** Models to_platform_device(). */
export function to_platform_device(dev: Device): PlatformDevice {
  return dev as PlatformDevice;
}

/** Models platform_get_drvdata(). */
export function platform_get_drvdata<T>(pdev: PlatformDevice): T | null {
  return dev_get_drvdata<T>(pdev);
}

/** Models platform_set_drvdata(). */
export function platform_set_drvdata(pdev: PlatformDevice, data: unknown): void {
  dev_set_drvdata(pdev, data);
}

/** Models platform_get_resource(pdev, IORESOURCE_MEM, num) (drivers/base/platform.c, v6.5). */
export function platform_get_resource(pdev: PlatformDevice, num: number): OfResource | null {
  return pdev.resource[num] ?? null;
}

/** Models platform_match() (drivers/base/platform.c, v6.5): override, then OF, then ACPI, then the name. */
function platform_match(dev: Device, drv: DeviceDriver): number {
  const pdev = to_platform_device(dev);
  if (pdev.driver_override !== null) return pdev.driver_override === drv.name ? 1 : 0;
  if (of_driver_match_device(dev, drv)) return 1;
  if (acpi_driver_match_device(dev, drv)) return 1;
  return pdev.name === drv.name ? 1 : 0;
}

/**
 * Models dev_pm_domain_attach() (drivers/base/power/common.c, v6.5): attach the
 * device to its PM domain before it probes. kemu has no ACPI PM domains, so
 * this is genpd's DT path; a domain whose provider has not registered defers
 * the probe.
 */
async function dev_pm_domain_attach(dev: Device): Promise<number> {
  if (dev.pm_domain) return 0;
  const ret = await genpd_dev_pm_attach(dev);
  return ret < 0 ? ret : 0;
}

/** Models dev_pm_domain_detach() (drivers/base/power/common.c, v6.5). */
async function dev_pm_domain_detach(dev: Device): Promise<void> {
  await dev.pm_domain?.detach(dev);
}

/**
 * Models platform_probe() (drivers/base/platform.c, v6.5): attach the PM
 * domain, then the driver's probe (which detaches it again if it fails).
 * Default clock settings (of_clk_set_defaults) are not modelled.
 */
async function platform_probe(_dev: Device): Promise<number> {
  const drv = to_platform_driver(_dev.driver!);
  const dev = to_platform_device(_dev);
  let ret = await dev_pm_domain_attach(_dev);
  if (!ret && drv.probe) {
    ret = await drv.probe(dev);
    if (ret) await dev_pm_domain_detach(_dev);
  }
  if (drv.prevent_deferred_probe && ret === -EPROBE_DEFER) {
    dev_warn(_dev, 'probe deferral not supported');
    ret = -ENXIO;
  }
  return ret;
}

/**
 * Models platform_dma_configure() (drivers/base/platform.c, v6.5), called by
 * really_probe() with the device lock held: firmware DMA/IOMMU setup through
 * the OF or the ACPI path, then the default-domain ownership check.
 */
async function platform_dma_configure(dev: Device): Promise<number> {
  const drv = to_platform_driver(dev.driver!);
  let ret = 0;
  if (dev.of_node) {
    ret = await of_dma_configure(dev, dev.of_node, true);
  } else if (has_acpi_companion(dev)) {
    ret = await acpi_dma_configure(dev);
  }
  if (!ret && !drv.driver_managed_dma) ret = await iommu_device_use_default_domain(dev);
  return ret;
}

/** Models platform_bus_init() (drivers/base/platform.c, v6.5): registers platform_bus_type in this run. */
function platform_bus_init(): BusType {
  const bus = new BusType('platform', { match: platform_match, probe: platform_probe, dma_configure: platform_dma_configure });
  bus_register(bus);
  return bus;
}

/** `platform_bus_type` of the running kernel (created by platform_bus_init() on first use). */
export const platform_bus_type = new RunLocal<BusType>('platform_bus_type', platform_bus_init);

/** Models platform_device_add() (drivers/base/platform.c, v6.5). */
export async function platform_device_add(pdev: PlatformDevice): Promise<number> {
  pdev.bus = platform_bus_type.get();
  return await device_add(pdev);
}

/** Models platform_device_register() (drivers/base/platform.c, v6.5). */
export async function platform_device_register(pdev: PlatformDevice): Promise<number> {
  return await platform_device_add(pdev);
}

/** Models __platform_driver_register() (drivers/base/platform.c, v6.5). */
export async function platform_driver_register(drv: PlatformDriver): Promise<number> {
  drv.driver.bus = platform_bus_type.get();
  return await driver_register(drv.driver);
}
