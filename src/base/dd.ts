/**
 * Binding drivers to devices (drivers/base/dd.c, v6.5): __device_attach for a
 * new device, __driver_attach for a new driver, driver_probe_device,
 * really_probe and driver_bound, and deferred probing with its pending and
 * active lists, its work item and its timeout, and asynchronous probing
 * (PROBE_PREFER_ASYNCHRONOUS drivers and `driver_async_probe=`): the probe runs
 * in an async_schedule_dev() worker of its own (src/base/async.ts), in parallel
 * with the caller.
 */
import { HZ } from '../kernel/clock.js';
import { EAGAIN, EBUSY, ENODEV, ENXIO, EPROBE_DEFER, ETIMEDOUT, errname } from '../kernel/errno.js';
import { Mutex, mutex_lock, mutex_unlock } from '../kernel/locking/mutex.js';
import { Cell } from '../kernel/memory/cell.js';
import { pr_debug } from '../kernel/printk.js';
import { bus_for_each_dev, bus_for_each_drv, bus_notify, bus_probe_device, BUS_NOTIFY_BIND_DRIVER,
  BUS_NOTIFY_BOUND_DRIVER, BUS_NOTIFY_DRIVER_NOT_BOUND } from './bus.js';
import { dev_dbg, dev_name, dev_set_drvdata, dev_warn, device_is_bound, device_is_registered, device_lock,
  device_unlock, get_device, put_device, type Device } from './device.js';
import type { DeviceDriver } from './driver.js';
import { report_deferred_probe_pending, report_probe_failure } from './probe-reports.js';
import { async_schedule_dev, async_synchronize_full } from './async.js';
import { RunLocal } from './run-local.js';
import { emitProbe } from '../kernel/events.js';
import { DelayedWork, schedule_delayed_work, WorkStruct, Workqueue } from './workqueue.js';

/** The deferred-probe globals of dd.c, one set per run. */
export class DeferredProbeState {
  readonly deferred_probe_mutex = new Mutex('deferred_probe_mutex');
  /** deferred_probe_pending_list / deferred_probe_active_list (protected by deferred_probe_mutex). */
  readonly pending: Device[] = [];
  readonly active: Device[] = [];
  /** atomic_t deferred_trigger_count. */
  readonly deferred_trigger_count = new Cell('deferred_trigger_count', 0);
  /** driver_deferred_probe_enable: false until deferred_probe_initcall(). */
  readonly driver_deferred_probe_enable = new Cell('driver_deferred_probe_enable', false);
  initcalls_done = false;
  /**
   * driver_deferred_probe_timeout, in seconds: 10 on a kernel with modules
   * (kemu models one), 0 once the timeout has expired.
   */
  driver_deferred_probe_timeout = 10;
  /** system_unbound_wq, whose worker runs deferred_probe_work. */
  readonly system_unbound_wq = new Workqueue('events_unbound', 'kworker/u16:0');
  readonly deferred_probe_work = new WorkStruct('deferred_probe_work', deferred_probe_work_func);
  readonly deferred_probe_timeout_work = new DelayedWork('deferred_probe_timeout_work', deferred_probe_timeout_work_func);
  /** async_probe_drv_names and async_probe_default, from `driver_async_probe=` (save_async_options). */
  async_probe_drv_names: readonly string[] = [];
  async_probe_default = false;
}

/** The run's driver-core probe state (created on first use). */
export const dd_state = new RunLocal('the driver core (dd.c)', () => new DeferredProbeState());

/** Models driver_match_device() (drivers/base/base.h, v6.5). */
export async function driver_match_device(drv: DeviceDriver, dev: Device): Promise<number> {
  const bus = drv.bus;
  return bus?.match ? await bus.match(dev, drv) : 1;
}

/** Models driver_deferred_probe_add() (drivers/base/dd.c, v6.5): only devices that can match are listed. */
export async function driver_deferred_probe_add(dev: Device): Promise<void> {
  if (!dev.can_match) return;
  const s = dd_state.get();
  await mutex_lock(s.deferred_probe_mutex);
  if (dev.deferred_probe === null) {
    dev_dbg(dev, 'Added to deferred list');
    s.pending.push(dev);
    dev.deferred_probe = 'pending';
  }
  await mutex_unlock(s.deferred_probe_mutex);
}

function list_del_init(dev: Device, s: DeferredProbeState): void {
  const list = dev.deferred_probe === 'pending' ? s.pending : s.active;
  const i = list.indexOf(dev);
  if (i >= 0) list.splice(i, 1);
  dev.deferred_probe = null;
}

/** Models driver_deferred_probe_del() (drivers/base/dd.c, v6.5). */
export async function driver_deferred_probe_del(dev: Device): Promise<void> {
  const s = dd_state.get();
  await mutex_lock(s.deferred_probe_mutex);
  if (dev.deferred_probe !== null) {
    list_del_init(dev, s);
    dev.deferred_probe_reason = null;
  }
  await mutex_unlock(s.deferred_probe_mutex);
}

/**
 * Models driver_deferred_probe_trigger() (drivers/base/dd.c, v6.5): once enabled,
 * moves every pending device to the active list and queues the work item.
 */
export async function driver_deferred_probe_trigger(): Promise<void> {
  const s = dd_state.get();
  if (!s.driver_deferred_probe_enable.get()) return;
  s.deferred_trigger_count.set(s.deferred_trigger_count.value + 1);
  await mutex_lock(s.deferred_probe_mutex);
  for (const dev of s.pending.splice(0)) {
    dev.deferred_probe = 'active';
    s.active.push(dev);
  }
  await mutex_unlock(s.deferred_probe_mutex);
  await s.system_unbound_wq.queue_work(s.deferred_probe_work);
}

/**
 * Models deferred_probe_work_func() (drivers/base/dd.c, v6.5): retries every
 * device on the active list with bus_probe_device(), dropping the mutex around
 * each attempt.
 */
export async function deferred_probe_work_func(_work: WorkStruct): Promise<void> {
  const s = dd_state.get();
  await mutex_lock(s.deferred_probe_mutex);
  while (s.active.length > 0) {
    const dev = s.active[0]!;
    list_del_init(dev, s);
    get_device(dev);
    dev.deferred_probe_reason = null;
    await mutex_unlock(s.deferred_probe_mutex);
    dev_dbg(dev, 'Retrying from deferred list');
    await bus_probe_device(dev);
    await mutex_lock(s.deferred_probe_mutex);
    put_device(dev);
  }
  await mutex_unlock(s.deferred_probe_mutex);
}

/**
 * Models deferred_probe_timeout_work_func() (drivers/base/dd.c, v6.5): the
 * timeout has expired, so dependencies that may never come stop deferring
 * (driver_deferred_probe_check_state); retry everything once more, then
 * report each device still pending. (fw_devlink is not modelled.)
 */
async function deferred_probe_timeout_work_func(_work: WorkStruct): Promise<void> {
  const s = dd_state.get();
  s.driver_deferred_probe_timeout = 0;
  await driver_deferred_probe_trigger();
  await s.system_unbound_wq.flush_work(s.deferred_probe_work);
  await mutex_lock(s.deferred_probe_mutex);
  for (const dev of s.pending) report_deferred_probe_pending(dev);
  await mutex_unlock(s.deferred_probe_mutex);
}

/**
 * Models deferred_probe_initcall() (drivers/base/dd.c, v6.5; a late_initcall):
 * enables deferred probing, triggers it and flushes the work twice, then arms
 * the deferred-probe timeout.
 */
export async function deferred_probe_initcall(): Promise<number> {
  const s = dd_state.get();
  s.driver_deferred_probe_enable.set(true);
  await driver_deferred_probe_trigger();
  await s.system_unbound_wq.flush_work(s.deferred_probe_work);
  s.initcalls_done = true;
  await driver_deferred_probe_trigger();
  await s.system_unbound_wq.flush_work(s.deferred_probe_work);
  if (s.driver_deferred_probe_timeout > 0) {
    await schedule_delayed_work(s.deferred_probe_timeout_work, s.driver_deferred_probe_timeout * HZ);
  }
  return 0;
}

/**
 * Models wait_for_device_probe() (drivers/base/dd.c, v6.6): flush the deferred
 * probe work, then wait for the asynchronous probes (async_synchronize_full).
 * Its wait for probe_count to reach 0 is left out: every probe kemu runs is in
 * the deferred work, an async entry, or the waiting task itself.
 */
export async function wait_for_device_probe(): Promise<void> {
  const s = dd_state.get();
  await s.system_unbound_wq.flush_work(s.deferred_probe_work);
  await async_synchronize_full();
}

/** Models save_async_options() (drivers/base/dd.c, v6.6): `driver_async_probe=a,b` or `=*` (all but those listed). */
export function save_async_options(value: string): void {
  const s = dd_state.get();
  s.async_probe_drv_names = value.split(',').filter((n) => n !== '');
  s.async_probe_default = s.async_probe_drv_names.includes('*');
}

/** Models cmdline_requested_async_probing() (drivers/base/dd.c, v6.6). */
function cmdline_requested_async_probing(drv_name: string): boolean {
  const s = dd_state.get();
  return s.async_probe_default !== s.async_probe_drv_names.includes(drv_name);
}

/** Models driver_allows_async_probing() (drivers/base/dd.c, v6.6); kemu has no modules to ask. */
export function driver_allows_async_probing(drv: DeviceDriver): boolean {
  switch (drv.probe_type) {
    case 'PROBE_PREFER_ASYNCHRONOUS': return true;
    case 'PROBE_FORCE_SYNCHRONOUS': return false;
    default: return cmdline_requested_async_probing(drv.name);
  }
}

/**
 * Models driver_deferred_probe_check_state() (drivers/base/dd.c, v6.5), for a
 * kernel with modules: -EPROBE_DEFER, until the deferred-probe timeout has
 * expired after initcalls; then -ETIMEDOUT, and the dependency is ignored.
 */
export function driver_deferred_probe_check_state(dev: Device): number {
  const s = dd_state.get();
  if (!s.driver_deferred_probe_timeout && s.initcalls_done) {
    dev_warn(dev, 'deferred probe timeout, ignoring dependency');
    return -ETIMEDOUT;
  }
  return -EPROBE_DEFER;
}

/** Models driver_bound() (drivers/base/dd.c, v6.5): list the binding, then re-trigger deferred probing. */
async function driver_bound(dev: Device): Promise<void> {
  if (device_is_bound(dev)) {
    dev_warn(dev, `${dev.driver!.name}: device ${dev_name(dev)} already bound`);
    return;
  }
  dev.driver!.p!.klist_devices.add_tail(dev);
  await driver_deferred_probe_del(dev);
  await driver_deferred_probe_trigger();
  await bus_notify(dev, BUS_NOTIFY_BOUND_DRIVER);
}

/** Models device_unbind_cleanup() (drivers/base/dd.c, v6.5). */
function device_unbind_cleanup(dev: Device): void {
  dev.driver = null;
  dev_set_drvdata(dev, null);
}

/** Models call_driver_probe() (drivers/base/dd.c, v6.5): bus->probe if set, else drv->probe. */
async function call_driver_probe(dev: Device, drv: DeviceDriver): Promise<number> {
  let ret = 0;
  if (dev.bus?.probe) ret = await dev.bus.probe(dev);
  else if (drv.probe) ret = await drv.probe(dev);
  switch (ret) {
    case 0:
      break;
    case -EPROBE_DEFER:
      dev_dbg(dev, `Driver ${drv.name} requests probe deferral`);
      break;
    case -ENODEV:
    case -ENXIO:
      pr_debug(`${drv.name}: probe of ${dev_name(dev)} rejects match ${ret}`);
      break;
    default:
      report_probe_failure(dev, drv, ret);
  }
  return ret;
}

/**
 * Models really_probe() (drivers/base/dd.c, v6.5): with the device lock held,
 * set dev->driver, run bus->dma_configure (firmware and IOMMU setup), then the
 * probe, then driver_bound(). Probe errors come back positive.
 */
export async function really_probe(dev: Device, drv: DeviceDriver): Promise<number> {
  pr_debug(`bus: '${drv.bus!.name}': really_probe: probing driver ${drv.name} with device ${dev_name(dev)}`);
  dev.driver = drv;
  let ret = 0;
  if (dev.bus?.dma_configure) {
    ret = await dev.bus.dma_configure(dev);
    if (ret) {
      device_unbind_cleanup(dev);
      emitProbe(dev_name(dev), drv.name, ret);
      return ret;
    }
  }
  await bus_notify(dev, BUS_NOTIFY_BIND_DRIVER);
  ret = await call_driver_probe(dev, drv);
  if (ret) {
    ret = -ret;
    await bus_notify(dev, BUS_NOTIFY_DRIVER_NOT_BOUND);
    if (dev.bus?.dma_cleanup) await dev.bus.dma_cleanup(dev);
    device_unbind_cleanup(dev);
    emitProbe(dev_name(dev), drv.name, -ret);
    return ret;
  }
  await driver_bound(dev);
  pr_debug(`bus: '${drv.bus!.name}': really_probe: bound device ${dev_name(dev)} to driver ${drv.name}`);
  emitProbe(dev_name(dev), drv.name, 0);
  return 0;
}

/** Models __driver_probe_device() (drivers/base/dd.c, v6.5). */
async function __driver_probe_device(drv: DeviceDriver, dev: Device): Promise<number> {
  if (dev.dead || !device_is_registered(dev)) return -ENODEV;
  if (dev.driver) return -EBUSY;
  dev.can_match = true;
  pr_debug(`bus: '${drv.bus!.name}': __driver_probe_device: matched device ${dev_name(dev)} with driver ${drv.name}`);
  return await really_probe(dev, drv);
}

/**
 * Models driver_probe_device() (drivers/base/dd.c, v6.5): the caller holds the
 * device lock. A deferral lists the device, and re-triggers if a trigger came
 * while it was probing.
 */
export async function driver_probe_device(drv: DeviceDriver, dev: Device): Promise<number> {
  const s = dd_state.get();
  const trigger_count = s.deferred_trigger_count.get();
  const ret = await __driver_probe_device(drv, dev);
  if (ret === -EPROBE_DEFER || ret === EPROBE_DEFER) {
    dev.deferred_probe_reason = `${drv.name}: ${errname(-EPROBE_DEFER)}`;
    await driver_deferred_probe_add(dev);
    if (trigger_count !== s.deferred_trigger_count.get()) await driver_deferred_probe_trigger();
  }
  return ret;
}

/** Models struct device_attach_data (drivers/base/dd.c, v6.6). */
interface DeviceAttachData {
  dev: Device;
  /** Skip drivers whose async preference differs from want_async. */
  check_async: boolean;
  want_async: boolean;
  /** Some matching driver wanted an async probe (and was skipped). */
  have_async: boolean;
}

/**
 * Models __device_attach_driver() (drivers/base/dd.c, v6.6): match, skip a
 * driver of the other async kind, then probe; 1 stops the walk (bound).
 */
async function __device_attach_driver(drv: DeviceDriver, data: DeviceAttachData): Promise<number> {
  const dev = data.dev;
  const ret = await driver_match_device(drv, dev);
  if (ret === 0) return 0;
  if (ret === -EPROBE_DEFER) {
    dev_dbg(dev, `Device match requests probe deferral`);
    dev.can_match = true;
    await driver_deferred_probe_add(dev);
    return ret;
  }
  if (ret < 0) {
    dev_dbg(dev, `Bus failed to match device: ${ret}`);
    return ret;
  }
  const async_allowed = driver_allows_async_probing(drv);
  if (async_allowed) data.have_async = true;
  if (data.check_async && async_allowed !== data.want_async) return 0;
  const probed = await driver_probe_device(drv, dev);
  if (probed < 0) return probed;
  return probed === 0 ? 1 : 0;
}

/**
 * Models __device_attach_async_helper() (drivers/base/dd.c, v6.6): in an async
 * worker, under device_lock(dev), try the drivers that want asynchronous probing.
 */
async function __device_attach_async_helper(dev: Device): Promise<void> {
  const data: DeviceAttachData = { dev, check_async: true, want_async: true, have_async: false };
  await device_lock(dev);
  // Removed or claimed meanwhile (driver loading, registration and deferred probing all at once).
  if (!dev.dead && !dev.driver) {
    await bus_for_each_drv(dev.bus, null, data, __device_attach_driver);
    dev_dbg(dev, 'async probe completed');
  }
  await device_unlock(dev);
  put_device(dev);
}

/**
 * Models __device_attach() (drivers/base/dd.c, v6.6): under device_lock(dev)
 * only, try the synchronous drivers of the bus; if none bound and one wants
 * asynchronous probing, schedule __device_attach_async_helper.
 */
async function __device_attach(dev: Device, allow_async: boolean): Promise<number> {
  let ret = 0;
  await device_lock(dev);
  if (dev.dead) {
    await device_unlock(dev);
    return ret;
  }
  if (dev.driver) {
    ret = device_is_bound(dev) ? 1 : 0;
  } else {
    const data: DeviceAttachData = { dev, check_async: allow_async, want_async: false, have_async: false };
    ret = await bus_for_each_drv(dev.bus, null, data, __device_attach_driver);
    if (!ret && allow_async && data.have_async) {
      dev_dbg(dev, 'scheduling asynchronous probe');
      get_device(dev);
      await async_schedule_dev(__device_attach_async_helper, dev);
    }
  }
  await device_unlock(dev);
  return ret;
}

/** Models device_attach() (drivers/base/dd.c, v6.5). */
export async function device_attach(dev: Device): Promise<number> {
  return await __device_attach(dev, false);
}

/** Models device_initial_probe() (drivers/base/dd.c, v6.5). */
export async function device_initial_probe(dev: Device): Promise<void> {
  await __device_attach(dev, true);
}

/** Models __device_driver_lock() (drivers/base/dd.c, v6.5): the parent only if the bus needs it, then the device. */
async function __device_driver_lock(dev: Device, parent: Device | null): Promise<void> {
  if (parent && dev.bus?.need_parent_lock) await device_lock(parent);
  await device_lock(dev);
}

/** Models __device_driver_unlock() (drivers/base/dd.c, v6.5). */
async function __device_driver_unlock(dev: Device, parent: Device | null): Promise<void> {
  await device_unlock(dev);
  if (parent && dev.bus?.need_parent_lock) await device_unlock(parent);
}

/** Models device_driver_attach() (drivers/base/dd.c, v6.5): bind a given driver to a device. */
export async function device_driver_attach(drv: DeviceDriver, dev: Device): Promise<number> {
  await __device_driver_lock(dev, dev.parent);
  let ret = await __driver_probe_device(drv, dev);
  await __device_driver_unlock(dev, dev.parent);
  if (ret > 0) ret = -ret;
  if (ret === -EPROBE_DEFER) return -EAGAIN;
  return ret;
}

/**
 * Models __driver_attach_async_helper() (drivers/base/dd.c, v6.6): in an async
 * worker, probe the driver __driver_attach() stashed, under the device lock.
 */
async function __driver_attach_async_helper(dev: Device): Promise<void> {
  await __device_driver_lock(dev, dev.parent);
  const drv = dev.async_driver!;
  dev.async_driver = null;
  const ret = await driver_probe_device(drv, dev);
  await __device_driver_unlock(dev, dev.parent);
  dev_dbg(dev, `driver ${drv.name} async attach completed: ${ret}`);
  put_device(dev);
}

/**
 * Models __driver_attach() (drivers/base/dd.c, v6.6): match without locks; a
 * driver that allows async probing is stashed in dev->p->async_driver and
 * probed by an async worker; otherwise probe under the device lock (and the
 * parent's when the bus needs it). Always returns 0, so every device of the
 * bus is tried.
 */
async function __driver_attach(dev: Device, drv: DeviceDriver): Promise<number> {
  const ret = await driver_match_device(drv, dev);
  if (ret === 0) return 0;
  if (ret === -EPROBE_DEFER) {
    dev_dbg(dev, 'Device match requests probe deferral');
    dev.can_match = true;
    await driver_deferred_probe_add(dev);
    return 0;
  }
  if (ret < 0) {
    dev_dbg(dev, `Bus failed to match device: ${ret}`);
    return 0;
  }
  if (driver_allows_async_probing(drv)) {
    // The device lock only guards dev->driver and async_driver here.
    dev_dbg(dev, `probing driver ${drv.name} asynchronously`);
    await device_lock(dev);
    if (!dev.driver && !dev.async_driver) {
      get_device(dev);
      dev.async_driver = drv;
      await async_schedule_dev(__driver_attach_async_helper, dev);
    }
    await device_unlock(dev);
    return 0;
  }
  await __device_driver_lock(dev, dev.parent);
  await driver_probe_device(drv, dev);
  await __device_driver_unlock(dev, dev.parent);
  return 0;
}

/** Models driver_attach() (drivers/base/dd.c, v6.5): bus_for_each_dev(drv->bus, NULL, drv, __driver_attach). */
export async function driver_attach(drv: DeviceDriver): Promise<number> {
  return await bus_for_each_dev(drv.bus, null, drv, __driver_attach);
}
