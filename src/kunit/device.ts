/**
 * Fake devices for tests (include/kunit/device.h, lib/kunit/device.c, v6.8):
 * `kunit_device_register(test, name)` makes a device named `<test>.<name>` on
 * the private `kunit` bus, bound to a stub driver of the same name;
 * `kunit_device_register_with_driver(test, name, drv)` binds it to yours (its
 * probe runs, as for any driver on the bus).
 *
 * **Call these from scenario code, inside a run.** A device owns a mutex and a
 * refcount cell, and kemu shares objects between tasks only when they are
 * created inside the run; every explored schedule re-executes the scenario,
 * so each schedule gets its own devices.
 *
 * **Cleanup, and why it is not a KunitTest action.** KUnit unregisters the
 * device from a cleanup action when the case ends. A KunitTest's actions run
 * once, after the whole exploration, outside any run, where no kernel code can
 * execute, so unregistering there is impossible (and pointless: each run's
 * devices vanish with the run). Instead, each run keeps its own LIFO list of
 * test-managed releases: wrap the scenario in `kunitScenario(test, body)` and
 * they run in the scenario's task after `body` returns, so device removal
 * (device_del → BUS_NOTIFY_REMOVED_DEVICE → the IOMMU core releasing the
 * device) is part of every explored schedule, where it can race and be
 * checked. Without the wrapper, nothing is removed, which is harmless.
 * `kunit_device_unregister(test, dev)` removes a device early (to test a
 * release path), as in KUnit. If `body` hangs or oopses the run is over and
 * cleanup does not run, like a KUnit case whose kthread died.
 *
 * Limits of the driver core model: device_del() does not release the bound
 * driver and there is no driver_unregister(), so a stub driver stays
 * registered until the run ends (see the report of issue 5).
 */
import { device_del, device_register } from '../base/core.js';
import { dev_set_name, put_device } from '../base/device.js';
import { DeviceDriver, driver_register } from '../base/driver.js';
import { RunLocal } from '../base/run-local.js';
import { EINVAL } from '../kernel/errno.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Scenario } from '../explore/run-schedule.js';
import { KunitDevice, kunit_bus_device, kunit_bus_init, kunit_bus_type } from './test-bus.js';

export { KunitDevice, kunit_bus_type, kunit_bus_device, kunit_bus_init, kunitBusModule } from './test-bus.js';

/** What kunit devices need of the test: its name (a KunitTest, or any `{ name }`). */
export interface KunitTestRef {
  readonly name: string;
}

interface RunAction {
  readonly test: KunitTestRef;
  readonly what: object;
  readonly fn: () => Promise<void>;
}

/** The running kernel's test-managed releases, newest last. */
const run_actions = new RunLocal<RunAction[]>('kunit run actions', () => []);

function add_run_action(test: KunitTestRef, what: object, fn: () => Promise<void>): void {
  run_actions.get().push({ test, what, fn });
}

/** Models kunit_release_action(): run one pending release now and forget it. */
async function release_run_action(test: KunitTestRef, what: object): Promise<boolean> {
  const actions = run_actions.get();
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i]!;
    if (a.test === test && a.what === what) {
      actions.splice(i, 1);
      await a.fn();
      return true;
    }
  }
  return false;
}

/** Runs the test's pending releases of this run, newest first (the end of a kunitScenario). */
export async function kunit_run_cleanup(test: KunitTestRef): Promise<void> {
  const actions = run_actions.get();
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i]!;
    if (a.test !== test) continue;
    actions.splice(i, 1);
    await a.fn();
  }
}

/**
 * A scenario that runs `body`, then (in the same task) the test-managed
 * releases `body` left behind: kunit devices are unregistered, newest first.
 */
export function kunitScenario(test: KunitTestRef, body: Scenario): Scenario {
  return async (k: Kernel) => {
    await body(k);
    await kunit_run_cleanup(test);
  };
}

/** Models kunit_driver_create() (lib/kunit/device.c, v6.8): a probe-less driver on the kunit bus. */
export async function kunit_driver_create(test: KunitTestRef, name: string): Promise<DeviceDriver | number> {
  await kunit_bus_init();
  const driver = new DeviceDriver(name, { bus: kunit_bus_type() });
  const err = await driver_register(driver);
  if (err) return err;
  // driver_unregister() is not modelled: the driver stays until the run ends.
  return driver;
}

/** Models kunit_device_register_internal() (lib/kunit/device.c, v6.8). */
async function kunit_device_register_internal(test: KunitTestRef, name: string, drv: DeviceDriver | null): Promise<KunitDevice | number> {
  if (name === '') return -EINVAL;
  await kunit_bus_init();
  const dev = new KunitDevice(`${test.name}.${name}`);
  dev.owner = test;
  dev_set_name(dev, `${test.name}.${name}`);
  dev.expected_driver = drv;
  dev.bus = kunit_bus_type();
  dev.parent = kunit_bus_device();
  const err = await device_register(dev);
  if (err) {
    put_device(dev);
    return err;
  }
  add_run_action(test, dev, async () => {
    // device_unregister(): device_del, then drop the registration reference.
    await device_del(dev);
    put_device(dev);
  });
  return dev;
}

/**
 * Models kunit_device_register_with_driver() (lib/kunit/device.c, v6.8): a
 * device that matches `drv` (already registered on the kunit bus), whose
 * probe therefore runs in device_add. Returns the device or a negative errno.
 */
export async function kunit_device_register_with_driver(test: KunitTestRef, name: string, drv: DeviceDriver): Promise<KunitDevice | number> {
  if (drv.bus !== null && drv.bus !== kunit_bus_type()) return -EINVAL;
  return await kunit_device_register_internal(test, name, drv);
}

/**
 * Models kunit_device_register() (lib/kunit/device.c, v6.8): a device named
 * `<test>.<name>` with its own stub driver. Returns the device or a negative errno.
 */
export async function kunit_device_register(test: KunitTestRef, name: string): Promise<KunitDevice | number> {
  const drv = await kunit_driver_create(test, name);
  if (typeof drv === 'number') return drv;
  const dev = await kunit_device_register_internal(test, name, drv);
  if (typeof dev === 'number') return dev;
  dev.cleanup_driver = true;
  return dev;
}

/** Models kunit_device_unregister() (lib/kunit/device.c, v6.8): unregister now, not at the end of the scenario. */
export async function kunit_device_unregister(test: KunitTestRef, dev: KunitDevice): Promise<void> {
  await release_run_action(test, dev);
}

/**
 * A driver for the kunit bus (what a test passes to
 * kunit_device_register_with_driver): `drv.bus` is set when it registers.
 */
export async function kunit_driver_register(drv: DeviceDriver): Promise<number> {
  await kunit_bus_init();
  drv.bus = kunit_bus_type();
  return await driver_register(drv);
}
