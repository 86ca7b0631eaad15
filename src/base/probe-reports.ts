/**
 * The driver core's boot-health lines as reports: a probe that failed with an
 * error (call_driver_probe's warning) and a device still deferred when the
 * deferred-probe timeout expired (deferred_probe_timeout_work_func's line).
 * The kernel only prints them; kemu also keeps them as data, so a boot that
 * "boots" with broken devices says so. The report is the printk: dmesg shows
 * its kernel-format line where the kernel prints it.
 */
import type { KernelReport } from '../kernel/detect/report.js';
import { snapshotTask } from '../kernel/detect/snapshot.js';
import { current } from '../kernel/sched/current.js';
import { dev_driver_string, dev_name, type Device } from './device.js';
import type { DeviceDriver } from './driver.js';

function reportFor(kind: KernelReport['kind'], dev: Device, text: string, title: string,
  driver: string | null, errno: number | null): KernelReport {
  const task = current();
  const kernel = task.kernel;
  return {
    kind, fatal: false, ns: kernel.clock.ns, step: kernel.stepCount,
    signature: `${kind}:${dev_name(dev)}:${driver ?? ''}:${errno ?? ''}`,
    title, task: snapshotTask(kernel, task), others: [], message: text, location: dev_name(dev), chain: [],
    stuckSeconds: 0, probe: { device: dev_name(dev), driver, errno },
  };
}

/** call_driver_probe()'s `"%s: probe of %s failed with error %d"` (drivers/base/dd.c, v6.5), as a report. */
export function report_probe_failure(dev: Device, drv: DeviceDriver, ret: number): void {
  const text = `${drv.name}: probe of ${dev_name(dev)} failed with error ${ret}`;
  current().kernel.report(reportFor('probe-failed', dev, text, `probe of ${dev_name(dev)} (${drv.name}) failed with error ${ret}`, drv.name, ret));
}

/** deferred_probe_timeout_work_func()'s `dev_info(dev, "deferred probe pending")` (drivers/base/dd.c, v6.5), as a report. */
export function report_deferred_probe_pending(dev: Device): void {
  const text = `${dev_driver_string(dev)} ${dev_name(dev)}: deferred probe pending`;
  current().kernel.report(reportFor('deferred-probe-pending', dev, text, `${dev_name(dev)} still deferred after the deferred-probe timeout`, null, null));
}
