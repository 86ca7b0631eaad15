/**
 * The platform bus's public API (`kemu/platform`): platform devices and
 * drivers (drivers/base/platform.c, v6.5) and the bus's container module.
 */
export { PlatformDevice, PlatformDriver, to_platform_device, to_platform_driver, platform_get_drvdata,
  platform_set_drvdata, platform_bus_type, platform_device_add, platform_device_register,
  platform_driver_register } from './platform.js';
export { platformBusModule } from './module.js';
