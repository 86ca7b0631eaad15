/**
 * struct bus_type and the bus-level operations of drivers/base/bus.c (v6.5):
 * registration, adding devices and drivers, walking them, and the bus
 * notifier chain.
 */
import { EINVAL } from '../kernel/errno.js';
import { pr_debug } from '../kernel/printk.js';
import { dev_name, get_device, put_device, type Device } from './device.js';
import { driver_attach, device_initial_probe } from './dd.js';
import type { DeviceDriver } from './driver.js';
import { Klist } from './klist.js';
import { BlockingNotifierHead, blocking_notifier_call_chain, blocking_notifier_chain_register,
  blocking_notifier_chain_unregister, type NotifierBlock } from './notifier.js';

/* Bus notifier actions (include/linux/device/bus.h). */
export const BUS_NOTIFY_ADD_DEVICE = 0x00000001;
export const BUS_NOTIFY_DEL_DEVICE = 0x00000002;
export const BUS_NOTIFY_REMOVED_DEVICE = 0x00000003;
export const BUS_NOTIFY_BIND_DRIVER = 0x00000004;
export const BUS_NOTIFY_BOUND_DRIVER = 0x00000005;
export const BUS_NOTIFY_UNBIND_DRIVER = 0x00000006;
export const BUS_NOTIFY_UNBOUND_DRIVER = 0x00000007;
export const BUS_NOTIFY_DRIVER_NOT_BOUND = 0x00000008;

/** Models struct subsys_private (drivers/base/base.h, v6.5): the bus's lists and notifier chain. */
export interface SubsysPrivate {
  readonly klist_devices: Klist<Device>;
  readonly klist_drivers: Klist<DeviceDriver>;
  readonly bus_notifier: BlockingNotifierHead<Device>;
  drivers_autoprobe: boolean;
}

/** Models struct bus_type (include/linux/device/bus.h, v6.5). */
export class BusType {
  /** bus->match: 0 no match, positive match, -EPROBE_DEFER or another error. */
  match: ((dev: Device, drv: DeviceDriver) => Promise<number> | number) | null = null;
  /** bus->probe: when set, really_probe calls it instead of drv->probe. */
  probe: ((dev: Device) => Promise<number>) | null = null;
  remove: ((dev: Device) => Promise<void>) | null = null;
  /** bus->dma_configure: called by really_probe with the device lock held. */
  dma_configure: ((dev: Device) => Promise<number>) | null = null;
  dma_cleanup: ((dev: Device) => Promise<void>) | null = null;
  /** Lock the parent as well when attaching a driver (USB). */
  need_parent_lock = false;
  /** Set by bus_register(). */
  p: SubsysPrivate | null = null;

  constructor(readonly name: string, init: Partial<Pick<BusType,
    'match' | 'probe' | 'remove' | 'dma_configure' | 'dma_cleanup' | 'need_parent_lock'>> = {}) {
    Object.assign(this, init);
  }

  toString(): string {
    return this.name;
  }
}

/** Models bus_register() (drivers/base/bus.c, v6.5). Creates the bus's private lists in the running kernel. */
export function bus_register(bus: BusType): number {
  bus.p = {
    klist_devices: new Klist<Device>(`${bus.name}.klist_devices`, (d) => get_device(d), (d) => put_device(d)),
    klist_drivers: new Klist<DeviceDriver>(`${bus.name}.klist_drivers`),
    bus_notifier: new BlockingNotifierHead<Device>(),
    drivers_autoprobe: true,
  };
  pr_debug(`bus: '${bus.name}': registered`);
  return 0;
}

/** Whether bus_register() has run for this bus. */
export function bus_is_registered(bus: BusType): boolean {
  return bus.p !== null;
}

/** Models bus_register_notifier() (drivers/base/bus.c, v6.5). */
export function bus_register_notifier(bus: BusType, nb: NotifierBlock<Device>): number {
  if (!bus.p) return -EINVAL;
  return blocking_notifier_chain_register(bus.p.bus_notifier, nb);
}

/** Models bus_unregister_notifier(). */
export function bus_unregister_notifier(bus: BusType, nb: NotifierBlock<Device>): number {
  if (!bus.p) return -EINVAL;
  return blocking_notifier_chain_unregister(bus.p.bus_notifier, nb);
}

/** Models bus_notify() (drivers/base/bus.c, v6.5): runs the bus notifier chain for `dev`. */
export async function bus_notify(dev: Device, action: number): Promise<void> {
  const sp = dev.bus?.p;
  if (!sp) return;
  await blocking_notifier_call_chain(sp.bus_notifier, action, dev);
}

/** Models bus_add_device() (drivers/base/bus.c, v6.5): appends the device to the bus's device list. */
export function bus_add_device(dev: Device): number {
  const sp = dev.bus?.p;
  if (!sp) return 0;
  pr_debug(`bus: '${dev.bus!.name}': add device ${dev_name(dev)}`);
  sp.klist_devices.add_tail(dev);
  return 0;
}

/** Models bus_remove_device() (drivers/base/bus.c, v6.5), without the driver release. */
export function bus_remove_device(dev: Device): void {
  dev.bus?.p?.klist_devices.del(dev);
}

/** Models bus_probe_device() (drivers/base/bus.c, v6.5): probe a new device if the bus autoprobes. */
export async function bus_probe_device(dev: Device): Promise<void> {
  const sp = dev.bus?.p;
  if (!sp) return;
  if (sp.drivers_autoprobe) await device_initial_probe(dev);
}

/**
 * Models bus_for_each_dev() (drivers/base/bus.c, v6.5): calls `fn` on each device
 * in list order (after `start` if given), holding a reference on the current
 * device and no lock across the call; stops at the first non-zero return and
 * returns it.
 */
export async function bus_for_each_dev<D>(bus: BusType | null, start: Device | null, data: D,
  fn: (dev: Device, data: D) => Promise<number> | number): Promise<number> {
  const sp = bus?.p;
  if (!sp) return -EINVAL;
  let error = 0;
  for (const dev of sp.klist_devices.iter(start)) {
    error = await fn(dev, data);
    if (error) break;
  }
  return error;
}

/** Models bus_find_device() (drivers/base/bus.c, v6.5): the first device `match` accepts, with a reference. */
export function bus_find_device<D>(bus: BusType | null, start: Device | null, data: D,
  match: (dev: Device, data: D) => boolean): Device | null {
  const sp = bus?.p;
  if (!sp) return null;
  for (const dev of sp.klist_devices.iter(start)) {
    if (match(dev, data)) return get_device(dev);
  }
  return null;
}

/** Models bus_for_each_drv() (drivers/base/bus.c, v6.5): same contract over the bus's drivers. */
export async function bus_for_each_drv<D>(bus: BusType | null, start: DeviceDriver | null, data: D,
  fn: (drv: DeviceDriver, data: D) => Promise<number> | number): Promise<number> {
  const sp = bus?.p;
  if (!sp) return -EINVAL;
  let error = 0;
  for (const drv of sp.klist_drivers.iter(start)) {
    error = await fn(drv, data);
    if (error) break;
  }
  return error;
}

/** Models bus_add_driver() (drivers/base/bus.c, v6.5): list the driver, then attach it to existing devices. */
export async function bus_add_driver(drv: DeviceDriver): Promise<number> {
  const bus = drv.bus!;
  const sp = bus.p!;
  pr_debug(`bus: '${bus.name}': add driver ${drv.name}`);
  drv.p = { klist_devices: new Klist<Device>(`${drv.name}.klist_devices`) };
  sp.klist_drivers.add_tail(drv);
  if (sp.drivers_autoprobe) {
    const error = await driver_attach(drv);
    if (error) {
      sp.klist_drivers.del(drv);
      return error;
    }
  }
  return 0;
}
