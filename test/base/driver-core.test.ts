import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/explore.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { EPROBE_DEFER } from '../../src/kernel/errno.js';
import { BusType, bus_for_each_dev, bus_register } from '../../src/base/bus.js';
import { device_register } from '../../src/base/core.js';
import { deferred_probe_initcall } from '../../src/base/dd.js';
import { Device, dev_name, device_lock_assert } from '../../src/base/device.js';
import { DeviceDriver, driver_register } from '../../src/base/driver.js';

/** A test bus that matches a driver to devices whose name starts with the driver's name. */
function testBus(): BusType {
  const bus = new BusType('kunit', { match: (dev, drv) => (dev_name(dev).startsWith(drv.name) ? 1 : 0) });
  bus_register(bus);
  return bus;
}

async function addDevice(bus: BusType, name: string): Promise<Device> {
  const dev = new Device(name);
  dev.bus = bus;
  expect(await device_register(dev)).toBe(0);
  return dev;
}

/** Runs a scenario under DPOR and returns what every complete run recorded (they must agree). */
async function runAll(scenario: (k: Kernel, log: string[]) => Promise<void>): Promise<string[][]> {
  const logs: string[][] = [];
  const result = await explore(async (k) => {
    const log: string[] = [];
    await scenario(k, log);
    logs.push(log);
  });
  expect(result.failures.map((f) => f.title)).toEqual([]);
  expect(result.exhausted).toBe(true);
  return logs;
}

describe('driver core on a test bus', () => {
  test('a new driver probes the existing devices in bus order, under their device lock', async () => {
    const logs = await runAll(async (_k, log) => {
      const bus = testBus();
      for (const n of ['foo.0', 'bar.0', 'foo.1', 'foo.2']) await addDevice(bus, n);
      const drv = new DeviceDriver('foo', {
        bus,
        probe: async (dev) => {
          device_lock_assert(dev);
          log.push(dev_name(dev));
          return 0;
        },
      });
      expect(await driver_register(drv)).toBe(0);
      expect(drv.p!.klist_devices.items().map(dev_name)).toEqual(['foo.0', 'foo.1', 'foo.2']);
    });
    for (const log of logs) expect(log).toEqual(['foo.0', 'foo.1', 'foo.2']);
  });

  test('a device added after its driver is probed at device_add time', async () => {
    const logs = await runAll(async (_k, log) => {
      const bus = testBus();
      await driver_register(new DeviceDriver('foo', { bus, probe: async (dev) => (log.push(dev_name(dev)), 0) }));
      const dev = await addDevice(bus, 'foo.7');
      expect(dev.driver?.name).toBe('foo');
    });
    for (const log of logs) expect(log).toEqual(['foo.7']);
  });

  test('a driver deferring until another binds is retried by the deferred-probe worker', async () => {
    const logs = await runAll(async (k, log) => {
      const bus = testBus();
      let supplierBound = false;
      const consumer = await addDevice(bus, 'consumer.0');
      await addDevice(bus, 'supplier.0');
      await driver_register(new DeviceDriver('consumer', {
        bus,
        probe: async (dev) => {
          log.push(`consumer probe (${supplierBound ? 'ok' : 'defer'})`);
          return supplierBound ? 0 : -EPROBE_DEFER;
        },
      }));
      expect(consumer.deferred_probe).toBe('pending');
      await driver_register(new DeviceDriver('supplier', {
        bus,
        probe: async () => {
          supplierBound = true;
          log.push('supplier probe');
          return 0;
        },
      }));
      // Deferral processing starts at late_initcall: the kworker retries the consumer.
      await deferred_probe_initcall();
      expect(consumer.driver?.name).toBe('consumer');
      expect(consumer.deferred_probe).toBeNull();
      log.push(`tasks: ${k.tasks.map((t) => t.comm).join(',')}`);
    });
    for (const log of logs) {
      expect(log).toEqual(['consumer probe (defer)', 'supplier probe', 'consumer probe (ok)', 'tasks: swapper/0,kworker/u16:0']);
    }
  });

  test('bus_for_each_dev stops at the first non-zero return, returns it, and holds a reference on the current device', async () => {
    await runAll(async (_k, log) => {
      const bus = testBus();
      const devs: Device[] = [];
      for (const n of ['a', 'b', 'c', 'd']) devs.push(await addDevice(bus, n));
      const base = devs.map((d) => d.refcount.value);
      const ret = await bus_for_each_dev(bus, null, 'x', async (dev, data) => {
        expect(data).toBe('x');
        log.push(dev_name(dev));
        // The walk holds one extra reference on the device it is visiting, and only on it.
        expect(devs.map((d) => d.refcount.value - base[devs.indexOf(d)]!)).toEqual(devs.map((d) => (d === dev ? 1 : 0)));
        return dev_name(dev) === 'b' ? 42 : 0;
      });
      expect(ret).toBe(42);
      expect(log).toEqual(['a', 'b']);
      expect(devs.map((d) => d.refcount.value)).toEqual(base);
      // Starting after a device visits the rest.
      const rest: string[] = [];
      expect(await bus_for_each_dev(bus, devs[1]!, null, (dev) => (rest.push(dev_name(dev)), 0))).toBe(0);
      expect(rest).toEqual(['c', 'd']);
    });
  });

  test('a probe that takes its own device lock again hangs (device_lock is a real mutex)', async () => {
    const { device_lock } = await import('../../src/base/device.js');
    const result = await explore(async () => {
      const bus = testBus();
      await addDevice(bus, 'foo.0');
      await driver_register(new DeviceDriver('foo', { bus, probe: async (dev) => (await device_lock(dev), 0) }));
    });
    expect(result.failures).toHaveLength(1);
    const f = result.failures[0]!;
    expect(f.kind).toBe('hung-task');
    expect(f.report.task?.waitsFor?.className).toBe('&dev->mutex');
    expect(f.report.task?.heldLocks.map((l) => l.className)).toEqual(['&dev->mutex']);
  });
});
