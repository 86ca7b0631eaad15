/**
 * struct device and the helpers every layer uses on it: the device lock,
 * references, driver data, dev_printk. The bus and driver types live in
 * bus.ts and driver.ts; device_add() is in core.ts; probing is in dd.ts.
 *
 * Fields the IOMMU core owns (`iommu`, `iommu_group`) are declared by
 * src/iommu through module augmentation, so the driver core does not depend
 * on it; firmware nodes are carried as opaque handles.
 */
import { lockdep_assert_held, WARN_ON } from '../kernel/assert.js';
import { Mutex, mutex_lock, mutex_trylock, mutex_unlock } from '../kernel/locking/mutex.js';
import type { LockClass } from '../kernel/locking/lock-base.js';
import { Cell } from '../kernel/memory/cell.js';
import { pr_debug, pr_err, pr_info, pr_warn } from '../kernel/printk.js';
import type { BusType } from './bus.js';
import type { DeviceDriver } from './driver.js';

/**
 * The lock class of a device mutex: device_initialize() puts every one in
 * lockdep's novalidate class `&dev->mutex`, so lockdep tracks them as held but
 * never checks their order or recursion (a self-deadlock shows up as a hang).
 * For a lockdep asked to validate them anyway, the class says what this
 * device's mutex would be under lockdep_set_class_and_subclass(): a key per
 * device, per driver or per bus, and the device's depth below the root as
 * subclass, so a parent's lock nests over its child's the way CXL annotates
 * its port locks (drivers/cxl/core/port.c, cxl_port_alloc).
 */
function device_mutex_class(dev: Device): LockClass {
  return {
    name: '&dev->mutex',
    novalidate: true,
    validateAs: (classes) => {
      let depth = 0;
      for (let p = dev.parent; p; p = p.parent) depth++;
      const bus = dev.bus?.name ?? 'no bus';
      const key = classes === 'device' ? dev.name : classes === 'bus' ? bus : dev.driver?.name ?? `${bus}, no driver`;
      return { key: `&dev->mutex[${key}]`, subclass: depth };
    },
  };
}

/** A firmware node handle (`struct fwnode_handle *`): compared by identity. */
export type FwnodeHandle = object;

/** Models struct dev_pm_domain (include/linux/pm.h, v6.5): the PM domain a device was attached to, and how to leave it. */
export interface DevPmDomain {
  readonly name: string;
  detach(dev: Device): Promise<void>;
}

/** Models struct device (include/linux/device.h, v6.5), the fields kemu uses. */
export class Device {
  /** dev_name(); set with dev_set_name() before device_add(). */
  name: string;
  parent: Device | null = null;
  bus: BusType | null = null;
  /** The bound driver (or the one being probed: really_probe sets it first). */
  driver: DeviceDriver | null = null;
  /** The device lock: device_lock() is mutex_lock(&dev->mutex). */
  readonly mutex: Mutex;
  /** The device tree node (`dev->of_node`), a firmware/of DeviceNode when set. */
  of_node: FwnodeHandle | null = null;
  /** The firmware node (`dev->fwnode`): the DT node, or the ACPI companion. */
  fwnode: FwnodeHandle | null = null;
  /** dev_get_drvdata(). */
  driver_data: unknown = null;
  /** dev->pm_domain: set by dev_pm_domain_attach() when the device joins a PM domain. */
  pm_domain: DevPmDomain | null = null;
  /** Set by really_probe's error path and by __driver_probe_device (dev->can_match). */
  can_match = false;
  /** dev->p->dead: the device is being deleted; probing must stop. */
  dead = false;
  /** device_add() has run (device_is_registered()). */
  registered = false;
  /** The device is on the deferred probe pending or active list (dev->p->deferred_probe not empty). */
  deferred_probe: 'pending' | 'active' | null = null;
  /** The driver an asynchronous __driver_attach() will probe (dev->p->async_driver). */
  async_driver: DeviceDriver | null = null;
  /** Why the last probe deferred (dev->p->deferred_probe_reason), for reports. */
  deferred_probe_reason: string | null = null;
  /** The kobject refcount: get_device()/put_device(). */
  readonly refcount: Cell<number>;
  /** Child devices in the order they were added (dev->p->klist_children). */
  readonly children: Device[] = [];
  /** Release callback run when the last reference goes (dev->release). */
  release: ((dev: Device) => void) | null = null;

  constructor(name = '') {
    this.name = name;
    this.mutex = new Mutex(name === '' ? 'dev->mutex' : name, device_mutex_class(this));
    this.refcount = new Cell(`kref(${name})`, 1);
  }

  toString(): string {
    return this.name;
  }
}

/** Models dev_name() (include/linux/device.h). */
export function dev_name(dev: Device): string {
  return dev.name;
}

/** Models dev_set_name() (drivers/base/core.c). */
export function dev_set_name(dev: Device, name: string): void {
  dev.name = name;
}

/** Models device_lock() (include/linux/device.h, v6.5): mutex_lock(&dev->mutex). */
export function device_lock(dev: Device): Promise<void> {
  return mutex_lock(dev.mutex);
}

/** Models device_unlock() (include/linux/device.h, v6.5). */
export function device_unlock(dev: Device): Promise<void> {
  return mutex_unlock(dev.mutex);
}

/** Models device_trylock() (include/linux/device.h, v6.5): 1 if taken. */
export function device_trylock(dev: Device): Promise<number> {
  return mutex_trylock(dev.mutex);
}

/** Models device_lock_assert() (include/linux/device.h, v6.5): lockdep_assert_held(&dev->mutex). */
export function device_lock_assert(dev: Device): void {
  lockdep_assert_held(dev.mutex);
}

/** Models get_device() (drivers/base/core.c, v6.5). */
export function get_device<T extends Device | null>(dev: T): T {
  if (dev) dev.refcount.set(dev.refcount.value + 1);
  return dev;
}

/** Models put_device() (drivers/base/core.c, v6.5): the last reference runs the release callback. */
export function put_device(dev: Device | null): void {
  if (!dev) return;
  const now = dev.refcount.value - 1;
  WARN_ON(now < 0, `refcount underflow on ${dev.name}`);
  dev.refcount.set(now);
  if (now === 0) dev.release?.(dev);
}

/** Models dev_get_drvdata() (include/linux/device.h). */
export function dev_get_drvdata<T = unknown>(dev: Device): T | null {
  return dev.driver_data as T | null;
}

/** Models dev_set_drvdata() (include/linux/device.h). */
export function dev_set_drvdata(dev: Device, data: unknown): void {
  dev.driver_data = data;
}

/** Models dev_fwnode() (drivers/base/property.c, v6.5). */
export function dev_fwnode(dev: Device): FwnodeHandle | null {
  return dev.fwnode ?? dev.of_node;
}

/** Models device_is_registered() (include/linux/device.h). */
export function device_is_registered(dev: Device): boolean {
  return dev.registered;
}

/** Models device_is_bound() (drivers/base/dd.c, v6.5): the device is on its driver's list. */
export function device_is_bound(dev: Device): boolean {
  return dev.driver !== null && dev.driver.p !== null && dev.driver.p.klist_devices.contains(dev);
}

/** `dev_driver_string()`: the driver name, else the bus name, as dev_printk prefixes lines. */
export function dev_driver_string(dev: Device): string {
  return dev.driver?.name ?? dev.bus?.name ?? '';
}

function prefix(dev: Device): string {
  const drv = dev_driver_string(dev);
  return drv === '' ? `${dev.name}: ` : `${drv} ${dev.name}: `;
}

/** Models dev_info() (include/linux/dev_printk.h): `<driver> <device>: text`. */
export function dev_info(dev: Device, text: string): void {
  pr_info(prefix(dev) + text);
}

/** Models dev_warn(). */
export function dev_warn(dev: Device, text: string): void {
  pr_warn(prefix(dev) + text);
}

/** Models dev_err(). */
export function dev_err(dev: Device, text: string): void {
  pr_err(prefix(dev) + text);
}

/** Models dev_dbg() (printed at debug level; the dmesg keeps it). */
export function dev_dbg(dev: Device, text: string): void {
  pr_debug(prefix(dev) + text);
}
