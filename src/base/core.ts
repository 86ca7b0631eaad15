/**
 * Adding devices (drivers/base/core.c, v6.5): device_initialize, device_add in
 * the kernel's order, device_register, device_del.
 */
import { EINVAL } from '../kernel/errno.js';
import { bus_add_device, bus_notify, bus_probe_device, bus_remove_device, BUS_NOTIFY_ADD_DEVICE,
  BUS_NOTIFY_DEL_DEVICE, BUS_NOTIFY_REMOVED_DEVICE } from './bus.js';
import { driver_deferred_probe_del } from './dd.js';
import { dev_name, get_device, put_device, type Device } from './device.js';

/** Models device_initialize() (drivers/base/core.c, v6.5): the Device constructor already did the work. */
export function device_initialize(_dev: Device): void {
  // The mutex (in the novalidate &dev->mutex class) and the kref are made with the Device.
}

/**
 * Models device_add() (drivers/base/core.c, v6.5) in the kernel's order:
 * bus_add_device (the device joins the bus list, fixing bus_for_each_dev
 * order), the BUS_NOTIFY_ADD_DEVICE notifier chain (where the IOMMU core
 * probes it, without the device lock), then bus_probe_device, then the
 * parent's child list.
 */
export async function device_add(dev: Device): Promise<number> {
  if (dev_name(dev) === '') return -EINVAL;
  get_device(dev);
  const parent = get_device(dev.parent);
  const error = bus_add_device(dev);
  if (error) {
    put_device(parent);
    put_device(dev);
    return error;
  }
  dev.registered = true;
  await bus_notify(dev, BUS_NOTIFY_ADD_DEVICE);
  await bus_probe_device(dev);
  if (parent) parent.children.push(dev);
  put_device(dev);
  return 0;
}

/** Models device_register() (drivers/base/core.c, v6.5). */
export async function device_register(dev: Device): Promise<number> {
  device_initialize(dev);
  return await device_add(dev);
}

/** Models device_del() (drivers/base/core.c, v6.5), without driver release (kemu never unbinds). */
export async function device_del(dev: Device): Promise<void> {
  dev.dead = true;
  await bus_notify(dev, BUS_NOTIFY_DEL_DEVICE);
  await driver_deferred_probe_del(dev);
  bus_remove_device(dev);
  dev.registered = false;
  await bus_notify(dev, BUS_NOTIFY_REMOVED_DEVICE);
  if (dev.parent) {
    const i = dev.parent.children.indexOf(dev);
    if (i >= 0) dev.parent.children.splice(i, 1);
    put_device(dev.parent);
  }
}
