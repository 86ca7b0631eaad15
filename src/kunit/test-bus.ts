/**
 * The `kunit` bus (lib/kunit/device.c, v6.8): a private bus for fake devices
 * that tests create, with the root device `kunit` every test device hangs
 * off. A device matches only the driver it was registered for.
 *
 * The bus belongs to the run, like platform_bus_type: every explored run
 * re-executes the scenario from scratch, so the bus is created on first use
 * inside a run (kunit_bus_init). On a machine, `kunitBusModule` also lists it
 * in the IOMMU core's iommu_buses[], so an IOMMU driver (the mock IOMMU) can
 * claim kunit devices through the ADD_DEVICE notifier and bus_iommu_probe.
 */
import { ContainerModule } from '../inversify.js';
import { BusType, bus_register } from '../base/bus.js';
import { device_register } from '../base/core.js';
import { Device } from '../base/device.js';
import type { DeviceDriver } from '../base/driver.js';
import { RunLocal } from '../base/run-local.js';
import { IOMMU_BUS } from '../iommu/tokens.js';
import { initcall, type Initcall } from '../machine/initcall.js';
import { INITCALL } from '../machine/tokens.js';

/** Models struct kunit_device (lib/kunit/device.c, v6.8): a device owned by a test. */
export class KunitDevice extends Device {
  /** The test that owns it (kunit_dev->owner): its name, for `<test>.<name>`. */
  owner: { readonly name: string } | null = null;
  /** kunit_dev->driver: the only driver this device matches. */
  expected_driver: DeviceDriver | null = null;
  /** The driver was made for this device (kunit_device_register) and goes with it. */
  cleanup_driver = false;
}

/** Models kunit_bus_match() (lib/kunit/device.c, v6.8): only the driver the device was registered for. */
function kunit_bus_match(dev: Device, drv: DeviceDriver): number {
  return dev instanceof KunitDevice && dev.expected_driver === drv ? 1 : 0;
}

interface KunitBus {
  readonly bus: BusType;
  /** The root device `kunit` (registered by kunit_bus_init). */
  readonly root: Device;
  rootRegistered: boolean;
}

const kunit_bus = new RunLocal<KunitBus>('kunit_bus_type', () => {
  const bus = new BusType('kunit', { match: kunit_bus_match });
  bus_register(bus);
  return { bus, root: new Device('kunit'), rootRegistered: false };
});

/** `kunit_bus_type` of the running kernel (registered on first use in the run). */
export function kunit_bus_type(): BusType {
  return kunit_bus.get().bus;
}

/** The root device `kunit` that test devices hang off (`kunit_bus_device`). */
export function kunit_bus_device(): Device {
  return kunit_bus.get().root;
}

/**
 * Models kunit_bus_init() (lib/kunit/device.c, v6.8; a late_initcall):
 * register the bus and the root device. Idempotent within a run, so test code
 * may call it (kunit_device_register does) whether or not a machine booted.
 */
export async function kunit_bus_init(): Promise<number> {
  const k = kunit_bus.get();
  if (k.rootRegistered) return 0;
  k.rootRegistered = true;
  return await device_register(k.root);
}

/**
 * The kunit bus on a machine: kunit_bus_init at late_initcall (as in the
 * kernel), and the bus in the IOMMU core's iommu_buses[] (kemu's stand-in for
 * the bus's IOMMU notifier), after the buses listed before it.
 */
export const kunitBusModule = new ContainerModule(({ bind }) => {
  bind<BusType>(IOMMU_BUS).toDynamicValue(() => kunit_bus_type());
  bind<Initcall>(INITCALL).toConstantValue(initcall('late', 'kunit_bus_init', kunit_bus_init));
});
