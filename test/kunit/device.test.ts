/**
 * Fake devices on the private kunit bus (src/kunit/device.ts): naming, the
 * stub driver, a test's own driver, and test-managed removal at the end of
 * the scenario (kunitScenario) or early (kunit_device_unregister).
 */
import { expect, test } from 'vitest';
import { bus_for_each_dev } from '../../src/base/bus.js';
import { device_is_bound, device_lock_assert, type Device } from '../../src/base/device.js';
import { DeviceDriver } from '../../src/base/driver.js';
import { runOnce } from '../../src/explore/explore.js';
import { EINVAL } from '../../src/kernel/errno.js';
import { kunitTest } from '../../src/kunit/index.js';
import { kunit_bus_type, kunit_device_register, kunit_device_register_with_driver, kunit_device_unregister,
  kunit_driver_register, kunitScenario, KunitDevice } from '../../src/kunit/device.js';

/** The names of the devices on the kunit bus right now. */
async function kunitDevices(): Promise<string[]> {
  const names: string[] = [];
  await bus_for_each_dev(kunit_bus_type(), null, names, (dev, acc) => (acc.push(dev.name), 0));
  return names;
}

function assertDevice(dev: KunitDevice | number): KunitDevice {
  if (typeof dev === 'number') throw new Error(`kunit_device_register failed: ${dev}`);
  return dev;
}

kunitTest('kunit_device_register: <test>.<name> on the kunit bus, bound to its own stub driver', async (t) => {
  const seen: Record<string, unknown> = {};
  const run = await runOnce(async () => {
    const dev = assertDevice(await kunit_device_register(t, 'dev'));
    seen.name = dev.name;
    seen.bus = dev.bus?.name;
    seen.parent = dev.parent?.name;
    seen.driver = dev.driver?.name;
    seen.bound = device_is_bound(dev);
    seen.cleanup_driver = dev.cleanup_driver;
    seen.onBus = await kunitDevices();
  });
  expect(run.outcome).toBe('complete');
  expect(seen).toEqual({
    name: `${t.name}.dev`, bus: 'kunit', parent: 'kunit', driver: 'dev', bound: true, cleanup_driver: true,
    onBus: [`${t.name}.dev`],
  });
});

kunitTest('kunit_device_register_with_driver: the test\'s driver probes it, under the device lock', async (t) => {
  const probed: string[] = [];
  const result = await t.explore(kunitScenario(t, async () => {
    const drv = new DeviceDriver('fake-client', {
      probe: async (dev: Device) => {
        device_lock_assert(dev); // WARNs if really_probe did not hold it
        probed.push(dev.name);
        return 0;
      },
    });
    expect(await kunit_driver_register(drv)).toBe(0);
    const a = assertDevice(await kunit_device_register_with_driver(t, 'a', drv));
    // A device registered for another driver does not match this one.
    const b = assertDevice(await kunit_device_register(t, 'b'));
    expect(a.driver).toBe(drv);
    expect(b.driver?.name).toBe('b');
  }));
  expect(result).toBeCleanOnEverySchedule();
  expect(new Set(probed)).toEqual(new Set([`${t.name}.a`]));
});

kunitTest('kunitScenario removes the test\'s devices at the end of the scenario, newest first', async (t) => {
  const after: string[][] = [];
  const removed: string[] = [];
  const run = await runOnce(async (k) => {
    await kunitScenario(t, async () => {
      const a = assertDevice(await kunit_device_register(t, 'a'));
      const b = assertDevice(await kunit_device_register(t, 'b'));
      a.release = (d) => removed.push(d.name);
      b.release = (d) => removed.push(d.name);
      after.push(await kunitDevices());
    })(k);
    after.push(await kunitDevices());
  });
  expect(run.outcome).toBe('complete');
  expect(after).toEqual([[`${t.name}.a`, `${t.name}.b`], []]);
  // The last reference went with device_unregister (no driver release is modelled, so the
  // bound device keeps only the registration reference).
  expect(removed).toEqual([`${t.name}.b`, `${t.name}.a`]);
});

kunitTest('kunit_device_unregister removes one device early, and only once', async (t) => {
  const lists: string[][] = [];
  const run = await runOnce(kunitScenario(t, async () => {
    const a = assertDevice(await kunit_device_register(t, 'a'));
    assertDevice(await kunit_device_register(t, 'b'));
    await kunit_device_unregister(t, a);
    lists.push(await kunitDevices());
    expect(a.registered).toBe(false);
    await kunit_device_unregister(t, a); // already gone: nothing to do
  }));
  expect(run.outcome).toBe('complete');
  expect(lists).toEqual([[`${t.name}.b`]]);
});

kunitTest('two tasks registering devices at once: every schedule is clean, each device binds its own driver', async (t) => {
  const result = await t.explore(async (k) => {
    for (const name of ['x', 'y']) {
      k.spawn(`probe-${name}`, async () => {
        const dev = assertDevice(await kunit_device_register(t, name));
        if (dev.driver?.name !== name) throw new Error(`${dev.name} bound to ${dev.driver?.name}`);
      });
    }
  });
  expect(result).toBeCleanOnEverySchedule();
});

test('an empty name is -EINVAL, as dev_set_name would refuse it', async () => {
  let ret: unknown = null;
  await runOnce(async () => {
    ret = await kunit_device_register_with_driver({ name: 'suite' }, '', new DeviceDriver('d'));
  });
  expect(ret).toBe(-EINVAL);
});
