/**
 * The driver core's public API (`kemu/base`): devices, drivers, buses and
 * probing, under their kernel names (drivers/base/, v6.5).
 */
export { Device, dev_name, dev_set_name, device_lock, device_unlock, device_trylock, device_lock_assert,
  get_device, put_device, dev_get_drvdata, dev_set_drvdata, dev_fwnode, device_is_registered, device_is_bound,
  dev_driver_string, dev_info, dev_warn, dev_err, dev_dbg, type FwnodeHandle } from './device.js';
export { DeviceDriver, driver_find, driver_register, type OfDeviceId, type ProbeType } from './driver.js';
export { BusType, bus_register, bus_is_registered, bus_register_notifier, bus_unregister_notifier, bus_for_each_dev,
  bus_find_device, bus_for_each_drv, BUS_NOTIFY_ADD_DEVICE, BUS_NOTIFY_DEL_DEVICE, BUS_NOTIFY_REMOVED_DEVICE,
  BUS_NOTIFY_BIND_DRIVER, BUS_NOTIFY_BOUND_DRIVER, BUS_NOTIFY_UNBIND_DRIVER, BUS_NOTIFY_UNBOUND_DRIVER,
  BUS_NOTIFY_DRIVER_NOT_BOUND } from './bus.js';
export { device_initialize, device_add, device_register, device_del } from './core.js';
export { device_attach, driver_attach, device_driver_attach, driver_deferred_probe_check_state, wait_for_device_probe } from './dd.js';
export { NOTIFY_DONE, NOTIFY_OK, NOTIFY_BAD, NOTIFY_STOP_MASK, type NotifierBlock } from './notifier.js';
export { RunLocal } from './run-local.js';
