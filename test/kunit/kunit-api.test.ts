/**
 * The test-writer API on its own: cleanup order and guarantees, static stubs,
 * fault injection, parameterised cases, and matchers that both pass and fail
 * (with the report, timeline and token in the failure message).
 */
import { describe, expect, test } from 'vitest';
import { KunitTest, kunitTest } from '../../src/kunit/index.js';
import { explore } from '../../src/explore/index.js';
import { Cell, ENODEV, ENOMEM, KUNIT_STATIC_STUB_REDIRECT, WRITE_ONCE, should_fail, type Kernel } from '../../src/kernel/index.js';
import { abba, counter, spinWait } from '../../src/examples/classic-scenarios.js';
import { iommu_device_register } from '../../src/iommu/iommu.js';
import { omap4DspBoard } from '../../boards/omap4.js';

describe('cleanup actions', () => {
  test('run last-in first-out, all of them, even when one throws', async () => {
    const t = new KunitTest('order', undefined);
    const order: number[] = [];
    t.addAction(() => order.push(1));
    t.addAction(() => { order.push(2); throw new Error('two'); });
    t.addActionOrReset('resource', () => order.push(3));
    const errors = await t.runActions();
    expect(order).toEqual([3, 2, 1]);
    expect(errors).toHaveLength(1);
  });

  const ran: string[] = [];
  kunitTest('a case registers an action', (t) => { t.addAction(() => ran.push(t.name)); });
  test('…and it ran when that case ended', () => expect(ran).toEqual(['a case registers an action']));
});

/** A redirectable kernel function, as production code writes one. */
function kzalloc_size(size: number): number {
  const stub = KUNIT_STATIC_STUB_REDIRECT(kzalloc_size);
  if (stub) return stub(size);
  return size;
}

describe('static stubs', () => {
  kunitTest('redirect a function for this test only', (t) => {
    t.activateStaticStub(kzalloc_size, (size) => -size);
    expect(kzalloc_size(8)).toBe(-8);
  });
  test('…and are gone afterwards', () => expect(kzalloc_size(8)).toBe(8));
});

describe('fault injection', () => {
  /** Three allocations in a row; the scenario records which failed. */
  const allocations = (k: Kernel) => {
    const results = new Cell('results', '');
    k.spawn('cpu1', async () => {
      for (let i = 0; i < 3; i++) await WRITE_ONCE(results, results.value + (should_fail('kzalloc') ? 'E' : 'o'));
      if (results.value.includes('E')) throw new Error(`allocations: ${results.value} (-ENOMEM = ${-ENOMEM})`);
    });
  };

  kunitTest('fails exactly the n-th call, in every schedule', async (t) => {
    t.failNth('kzalloc', 2);
    const result = await t.explore(allocations);
    expect(result.failures.map((f) => f.report.message)).toEqual(['Error: allocations: oEo (-ENOMEM = -12)']);
  });

  test('nothing fails without a plan', async () => {
    expect(await explore(allocations)).toFindNoFailure();
  });
});

describe('parameterised cases', () => {
  const seen: number[] = [];
  kunitTest.each([1, 2, 3], (n) => `n=${n}`)('runs once per parameter', (t) => { seen.push(t.param); });
  test('…with each parameter', () => expect(seen).toEqual([1, 2, 3]));
});

describe('matchers on exploration results', () => {
  test('match the structured report: kind, task, lock class, polled cell', async () => {
    const hang = await explore(abba);
    expect(hang).toFindHang({ lockClass: /lock_[ab]/ });
    expect(hang).toFindLockdepSplat();
    expect(hang).not.toFindSoftLockup();
    expect(await explore(spinWait(false))).toFindSoftLockup({ task: 'cpu1', polls: 'ready' });
    expect(await explore(counter(true))).toBeCleanOnEverySchedule();
  });

  test('a failing matcher prints the kernel report, the timeline and the replay token', async () => {
    const result = await explore(spinWait(false));
    let message = '';
    try {
      expect(result).toFindNoFailure();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('watchdog: BUG: soft lockup - CPU#1');
    expect(message).toContain('timeline of the failing schedule:');
    expect(message).toMatch(/replay token: k1\.\S+/);
  });

  test('a hang that does not match the chain is not found', async () => {
    expect(await explore(abba)).not.toFindHang({ chain: ['no_such_function'] });
  });
});

describe('a static stub on a kernel function', () => {
  // iommu_device_register() opts in with KUNIT_STATIC_STUB_REDIRECT, as kernel functions do for KUnit.
  kunitTest('redirects iommu_device_register for this test: omap4-dsp no longer walks the bus from its probe', async (t) => {
    t.activateStaticStub(iommu_device_register, async () => -ENODEV);
    expect(await t.explore(omap4DspBoard.boot('iommu-next-2023-08'))).not.toFindHang();
  });

  test('…and the next test sees the real function, and the hang', async () => {
    expect(await explore(omap4DspBoard.boot('iommu-next-2023-08'))).toFindHang({ lockClass: '&dev->mutex' });
  });
});
