/**
 * Device locks under a lockdep that validates them (validateDeviceMutex): an
 * inversion between two sibling devices, taken in sequence so no schedule
 * deadlocks, and a correct parent-then-child nesting, as the driver core
 * takes them when a bus driver populates its children from probe.
 */
import { Device, device_lock, device_unlock } from '../base/device.js';
import { Completion, complete, wait_for_completion, type Kernel } from '../kernel/index.js';

/** Two sibling devices locked A-then-B by one task and B-then-A by a second that starts after it. */
export function deviceAbbaSequenced(k: Kernel) {
  const a = new Device('dev_a');
  const b = new Device('dev_b');
  const first = new Completion('first_done');
  k.spawn('probe-a', async () => {
    await device_lock(a);
    await device_lock(b);
    await device_unlock(b);
    await device_unlock(a);
    await complete(first);
  });
  k.spawn('probe-b', async () => {
    await wait_for_completion(first);
    await device_lock(b);
    await device_lock(a);
    await device_unlock(a);
    await device_unlock(b);
  });
}

/** A bus device and its child, locked parent-then-child by two tasks at once. */
export function deviceNesting(k: Kernel) {
  const bus = new Device('bus');
  const child = new Device('child');
  child.parent = bus;
  for (const comm of ['populate-1', 'populate-2']) {
    k.spawn(comm, async () => {
      await device_lock(bus);
      await device_lock(child);
      await device_unlock(child);
      await device_unlock(bus);
    });
  }
}
