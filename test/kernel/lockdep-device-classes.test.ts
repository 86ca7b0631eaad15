/**
 * Lock-order validation of device locks. The kernel puts every device mutex
 * in one novalidate class, so lockdep says nothing about them; asked to
 * validate them, kemu gives each a class (per device, driver or bus) with
 * its depth below the root as subclass, as CXL annotates its port locks. An
 * inversion between two devices is then found from a schedule that did not
 * deadlock, and a parent-then-child nesting is not flagged.
 */
import { describe, expect, test } from 'vitest';
import { omap4DspBoard } from '../../boards/omap4.js';
import { explore } from '../../src/explore/explore.js';
import { deviceAbbaSequenced, deviceNesting } from '../../src/examples/device-lock-scenarios.js';
import { bisectBoard } from '../../src/machine/bisect.js';
import { renderReportLines } from '../../src/report/kernel-format.js';

const VALIDATED_NOTE = 'kemu: device mutexes validated on request (--validate-device-mutex): ' +
  'the kernel puts them in a novalidate class and would print nothing here, only hang';

describe('validateDeviceMutex', () => {
  test('an ABBA between two device locks is found from runs that never deadlock', async () => {
    const result = await explore(deviceAbbaSequenced, { lockdep: { validateDeviceMutex: 'device' } });
    expect(result.exhausted).toBe(true);
    expect(result.failures.map((f) => f.kind)).toEqual(['lockdep-circular']);
    const failure = result.failures[0]!;
    expect(failure.run.outcome).toBe('complete');
    expect(failure.report.chain.map((l) => [l.from, l.to])).toEqual([
      ['&dev->mutex[dev_a]', '&dev->mutex[dev_b]'], ['&dev->mutex[dev_b]', '&dev->mutex[dev_a]']]);
    // The splat says the kernel would not print it, on one whole line.
    const lines = renderReportLines(failure.report);
    expect(lines).toContain('WARNING: possible circular locking dependency detected');
    expect(lines).toContain(VALIDATED_NOTE);
    // Locks are named by the class lockdep checked them under.
    expect(lines).toContain('(&dev->mutex[dev_a]){....}-{3:3}');
    expect(lines).toContain(' #0: (&dev->mutex[dev_b]){....}-{3:3}, at: body');
  });

  test('with one class per bus, two sibling devices are one class: nesting them is possible recursion', async () => {
    const result = await explore(deviceAbbaSequenced, { lockdep: { validateDeviceMutex: 'bus' } });
    expect(result.failures.map((f) => [f.kind, f.report.chain.map((l) => `${l.from} -> ${l.to}`)]))
      .toEqual([['lockdep-recursive', ['&dev->mutex[no bus] -> &dev->mutex[no bus]']]]);
  });

  test.each(['device', 'driver', 'bus'] as const)('a parent-then-child nesting is not flagged with classes per %s: the depth tells them apart', async (classes) => {
    const result = await explore(deviceNesting, { lockdep: { validateDeviceMutex: classes } });
    expect(result.exhausted).toBe(true);
    expect(result.schedules).toBeGreaterThan(1);
    expect(result.failures).toEqual([]);
  });
});

describe('without it, as in the kernel', () => {
  test('the inversion goes unseen, and the run says device locks were not validated', async () => {
    const result = await explore(deviceAbbaSequenced);
    expect(result.failures).toEqual([]);
    expect(result.notValidated).toEqual(['&dev->mutex']);
  });

  test('a device-lock hang says so in its report\'s footer and in the bisect row', async () => {
    const [row] = await bisectBoard(omap4DspBoard, { variants: ['iommu-next-2023-08'] });
    expect(row!.notValidated).toEqual(['&dev->mutex']);
    const lines = renderReportLines(row!.failure!.report);
    expect(lines[lines.length - 1]).toBe('kemu: &dev->mutex taken in this run and not validated by lockdep (novalidate, as in the kernel); ' +
      '--validate-device-mutex validates device mutexes');
    const [validated] = await bisectBoard(omap4DspBoard, { variants: ['iommu-next-2023-08'], lockdep: { validateDeviceMutex: true } });
    expect(validated!.notValidated).toEqual([]);
  });
});
