/**
 * ACPI-enumerated platform devices (drivers/acpi/acpi_platform.c, v6.5), the
 * companion glue: one platform device per ACPI device, named `<HID>:00` and
 * carrying the ACPI node as its fwnode.
 */
import { PlatformDevice, platform_device_register } from '../../buses/platform/platform.js';
import type { AcpiDevice } from './acpi-iommu.js';

/** Models acpi_create_platform_device() (drivers/acpi/acpi_platform.c, v6.5). */
export async function acpi_create_platform_device(adev: AcpiDevice, instance = 0): Promise<PlatformDevice | null> {
  const pdev = new PlatformDevice(`${adev.hid}:${String(instance).padStart(2, '0')}`);
  pdev.fwnode = adev;
  const ret = await platform_device_register(pdev);
  return ret ? null : pdev;
}
