/**
 * Asynchronous probing: a driver that prefers it (or is named in
 * `driver_async_probe=`) is probed in async workers of its own, in parallel
 * with each other and with the task that registered it, and
 * wait_for_device_probe() waits for them. The parallelism is real: a probe
 * with an unlocked read-modify-write loses an update only when probes run
 * asynchronously.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/explore/explore.js';
import { Cell, READ_ONCE, WARN_ON, WRITE_ONCE, current } from '../../src/kernel/index.js';
import { BusType, bus_register } from '../../src/base/bus.js';
import { device_register } from '../../src/base/core.js';
import { save_async_options, wait_for_device_probe } from '../../src/base/dd.js';
import { Device, dev_name, device_lock_assert } from '../../src/base/device.js';
import { DeviceDriver, driver_register, type ProbeType } from '../../src/base/driver.js';

function testBus(): BusType {
  const bus = new BusType('kunit', { match: (dev, drv) => (dev_name(dev).startsWith(drv.name) ? 1 : 0) });
  bus_register(bus);
  return bus;
}

/**
 * Two devices, then a driver whose probe counts probes with an unlocked
 * read-modify-write (a data race when probes run in parallel); after
 * wait_for_device_probe() the count must be 2.
 */
function countingProbes(probe_type: ProbeType, options: { cmdline?: string; driverFirst?: boolean } = {}) {
  return async () => {
    if (options.cmdline !== undefined) save_async_options(options.cmdline);
    const bus = testBus();
    const probed = new Cell('probed', 0);
    const comms: string[] = [];
    const drv = new DeviceDriver('foo', {
      bus, probe_type,
      probe: async (dev) => {
        device_lock_assert(dev);
        comms.push(current().comm);
        const n = await READ_ONCE(probed);
        await WRITE_ONCE(probed, n + 1);
        return 0;
      },
    });
    const add = async (name: string) => {
      const dev = new Device(name);
      dev.bus = bus;
      await device_register(dev);
    };
    if (options.driverFirst) await driver_register(drv);
    await add('foo.0');
    await add('foo.1');
    if (!options.driverFirst) await driver_register(drv);
    await wait_for_device_probe();
    WARN_ON(probed.get() !== 2, `probed ${probed.get()} devices, by ${comms.join(' and ')}`);
  };
}

describe('asynchronous probing', () => {
  test('PROBE_PREFER_ASYNCHRONOUS: __driver_attach hands each device to a worker of its own; the probes race', async () => {
    const result = await explore(countingProbes('PROBE_PREFER_ASYNCHRONOUS'));
    expect(result.exhausted).toBe(true);
    expect(result.failures.map((f) => f.kind)).toEqual(['warn']);
    expect(result.failures[0]!.report.message).toContain('probed 1 devices, by kworker/u16:1 and kworker/u16:2');
    const trace = result.failures[0]!.run.tasks.map((t) => t.comm);
    expect(trace).toEqual(['swapper/0', 'kworker/u16:1', 'kworker/u16:2']);
  });

  test('a device added after an async driver is probed by __device_attach_async_helper', async () => {
    const result = await explore(countingProbes('PROBE_PREFER_ASYNCHRONOUS', { driverFirst: true }));
    expect(result.failures.map((f) => f.report.message)).toEqual([expect.stringContaining('by kworker/u16:1 and kworker/u16:2')]);
    const helper = result.failures[0]!.run;
    expect(helper.log.map((l) => l.text)).toContain('kunit foo.0: scheduling asynchronous probe');
  });

  test('PROBE_FORCE_SYNCHRONOUS probes in the registering task: no race to find', async () => {
    const result = await explore(countingProbes('PROBE_FORCE_SYNCHRONOUS', { cmdline: '*' }));
    expect(result.exhausted).toBe(true);
    expect(result.failures).toEqual([]);
  });

  test('driver_async_probe= makes a default-strategy driver asynchronous: by name, or * for all but those listed', async () => {
    const byName = await explore(countingProbes('PROBE_DEFAULT_STRATEGY', { cmdline: 'bar,foo' }));
    expect(byName.failures.map((f) => f.kind)).toEqual(['warn']);
    const all = await explore(countingProbes('PROBE_DEFAULT_STRATEGY', { cmdline: '*' }));
    expect(all.failures.map((f) => f.kind)).toEqual(['warn']);
    const allButFoo = await explore(countingProbes('PROBE_DEFAULT_STRATEGY', { cmdline: '*,foo' }));
    expect(allButFoo.failures).toEqual([]);
    const none = await explore(countingProbes('PROBE_DEFAULT_STRATEGY'));
    expect(none.failures).toEqual([]);
  });
});
