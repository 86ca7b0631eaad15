/**
 * The IOMMU probe races of v6.2 and v6.7-rc3, each on the board whose
 * asynchronous probing exposes it: the pre-fix variant must find the failure
 * the commit message describes, the fixed one must explore clean. Both are
 * explored with one preemption (the boards' declared strategy): the full
 * spaces are too large to exhaust (docs/probe-race-history.md).
 */
import { describe, expect, test } from 'vitest';
import { exynosAsyncFimdBoard, exynosAsyncSysmmusBoard } from '../../boards/exynos-async.js';
import { explore } from '../../src/explore/explore.js';
import { bisectBoard } from '../../src/machine/bisect.js';
import type { Failure } from '../../src/explore/result.js';
import { frameFunction } from '../../src/kernel/sched/call-trace.js';
import { renderReport } from '../../src/report/index.js';

const ONE_PREEMPTION = { kind: 'bounded', preemptions: 1 } as const;
/** The two-SysMMU boots take 18,000–26,000 schedules each (about 30 s on an idle core). */
const SYSMMUS_TIMEOUT_MS = 300_000;
const fns = (trace: string[] | null | undefined) => (trace ?? []).map(frameFunction);

/** `expected` appears in `trace` (innermost first) in order, other frames between. */
function expectFrames(trace: string[] | null | undefined, expected: string[]): void {
  let i = 0;
  for (const fn of fns(trace)) if (fn === expected[i]) i++;
  expect(i, `${fns(trace).join(' < ')} should contain ${expected.join(' < ')}`).toBe(expected.length);
}

function find(failures: Failure[], signature: RegExp): Failure {
  const f = failures.find((x) => signature.test(x.signature));
  expect(f, `${signature} among ${failures.map((x) => x.signature).join(', ')}`).toBeDefined();
  return f!;
}

describe('v6.1 vs v6.2 (01657bc14a39): two SysMMUs registering in parallel', () => {
  test('v6.1: the second walk\'s dev_iommu_free finds dev->iommu gone, as in Brian Norris\'s RK3399 report', async () => {
    const result = await explore(exynosAsyncSysmmusBoard.boot('v6.1'), { strategy: ONE_PREEMPTION });
    expect(result.exhausted).toBe(true);
    const oops = find(result.failures, /^oops:/);
    expect(oops.report.message).toContain('Unable to handle kernel NULL pointer dereference at virtual address 0000000000000030');
    expect(oops.report.task!.comm).toMatch(/^kworker\/u16:[12]$/);
    expectFrames(oops.report.task!.callTrace, ['dev_iommu_free', 'iommu_init_device', '__iommu_probe_device', 'probe_iommu_group',
      'bus_for_each_dev', 'bus_iommu_probe', 'iommu_device_register', 'exynos_sysmmu_probe', 'really_probe',
      '__device_attach_async_helper', 'async_run_entry_fn']);
    expect(renderReport(oops.report)).toContain('Workqueue: events_unbound async_run_entry_fn');
    // Where both walks read dev->iommu before either cleared it, both free it.
    const twice = find(result.failures, /^kasan:double-free:dev_iommu_free:struct dev_iommu$/);
    expect(twice.report.kasan!.freed!.comm).not.toBe(twice.report.task!.comm);
    expectFrames(twice.report.kasan!.allocated.callTrace, ['dev_iommu_get', 'iommu_init_device', '__iommu_probe_device']);
  }, SYSMMUS_TIMEOUT_MS);

  test('v6.2: the static iommu_probe_device_lock serialises every probe: nothing found', async () => {
    const result = await explore(exynosAsyncSysmmusBoard.boot('v6.2'), { strategy: ONE_PREEMPTION });
    expect(result.exhausted).toBe(true);
    expect(result.failures).toEqual([]);
  }, SYSMMUS_TIMEOUT_MS);
});

describe('v6.6 vs v6.7-rc3 (a2e7e59a9426): the fwspec freed under a concurrent of_iommu_configure', () => {
  test('v6.6: the bus walk\'s failed probe frees the fwspec of_iommu_configure is building: KASAN use-after-free', async () => {
    const result = await explore(exynosAsyncFimdBoard.boot('v6.6'), { strategy: ONE_PREEMPTION });
    expect(result.exhausted).toBe(true);
    const uaf = find(result.failures, /^kasan:slab-use-after-free:of_iommu_configure:struct iommu_fwspec->ops$/);
    const k = uaf.report.kasan!;
    expect(k.access).toMatchObject({ kind: 'read', size: 8 });
    // The display controller probes from swapper/0 (exynos_drm_init) or, after deferring once, from the deferred-probe worker.
    expect(uaf.report.task!.comm).toMatch(/^(swapper\/0|kworker\/u16:0)$/);
    expectFrames(uaf.report.task!.callTrace, ['of_iommu_configure', 'of_dma_configure_id', 'platform_dma_configure', 'really_probe']);
    expectFrames(k.allocated.callTrace, ['iommu_fwspec_init', 'of_iommu_xlate', 'of_iommu_configure']);
    expect(k.freed!.comm).toMatch(/^kworker\/u16:/);
    expectFrames(k.freed!.callTrace, ['dev_iommu_free', 'iommu_init_device', '__iommu_probe_device', 'probe_iommu_group',
      'bus_iommu_probe', 'iommu_device_register', 'exynos_sysmmu_probe']);
    const text = renderReport(uaf.report, { release: 'v6.6' });
    expect(text).toContain('BUG: KASAN: slab-use-after-free in of_iommu_configure');
    expect(text).toContain(' which belongs to the cache kmalloc-32 of size 32');
  });

  test('v6.7: iommu_probe_device_lock around the parse orders it against the probe: nothing found', async () => {
    const result = await explore(exynosAsyncFimdBoard.boot('v6.7'), { strategy: ONE_PREEMPTION });
    expect(result.exhausted).toBe(true);
    expect(result.failures).toEqual([]);
  });

  test('v6.1 and v6.2 have the unlocked parse as well', async () => {
    for (const v of ['v6.1', 'v6.2']) {
      const result = await explore(exynosAsyncFimdBoard.boot(v), { strategy: ONE_PREEMPTION, stopOnFirstFailure: true });
      expect(result.failures.length, v).toBeGreaterThan(0);
    }
  });
});

test('kemu bisect on exynos-async-fimd: every variant before a2e7e59a9426 has the use-after-free, v6.7 boots', async () => {
  const rows = await bisectBoard(exynosAsyncFimdBoard);
  expect(rows.map((r) => [r.variant, r.outcome, r.exhausted])).toEqual([
    ['v6.1', 'use-after-free', true], ['v6.2', 'use-after-free', true], ['v6.6', 'use-after-free', true], ['v6.7', 'boots', true],
  ]);
  for (const r of rows.slice(0, 3)) expect(r.failure!.report.kasan!.object.struct).toMatch(/^struct (dev_iommu|iommu_fwspec)$/);
});
