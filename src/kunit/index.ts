/**
 * The test-writer API: KUnit's habits on vitest. Import this in a test file to
 * get `kunitTest`, the KunitTest context, and the matchers on exploration
 * results (`expect(result).toFindHang(...)`).
 */
import './matchers.js';

export { kunitTest } from './kunit-case.js';
export { KunitTest } from './kunit-test.js';
export { describeFailure, failureMatches, type FailurePattern } from './matchers.js';
export { KunitDevice, kunit_bus_type, kunit_bus_device, kunit_bus_init, kunitBusModule, kunit_driver_create,
  kunit_driver_register, kunit_device_register, kunit_device_register_with_driver, kunit_device_unregister,
  kunit_run_cleanup, kunitScenario, type KunitTestRef } from './device.js';
