/**
 * Bug B on every board and probe-locking variant: explore each boot with DPOR
 * and compare the outcome with the list reports (kernel-facts §2.6). Assertions
 * are on the structured reports: kind, blocked task, lock class, call chain.
 */
import { describe, expect, test } from 'vitest';
import { exynosBoard } from '../../boards/exynos.js';
import { msmLikeBoard } from '../../boards/msm-like.js';
import { omap4Board, omap4DspBoard } from '../../boards/omap4.js';
import { explore } from '../../src/explore/explore.js';
import { bisectBoard, selfDeadlockChain, type BisectRow } from '../../src/machine/bisect.js';
import { frameFunction } from '../../src/kernel/sched/call-trace.js';

const fns = (chain: string[]) => chain.map(frameFunction);

/** `expected` appears in `chain` in order (other frames may come between). */
function expectSubsequence(chain: string[], expected: string[]): void {
  let i = 0;
  for (const fn of fns(chain)) if (fn === expected[i]) i++;
  expect(i, `chain ${fns(chain).join(' > ')} should contain ${expected.join(' > ')}`).toBe(expected.length);
}

const MTK_STYLE = ['really_probe', 'iommu_device_register', 'bus_iommu_probe', 'bus_for_each_dev', 'probe_iommu_group', '__iommu_probe_device', 'device_lock'];
const MAREK = ['__driver_attach', 'driver_probe_device', 'really_probe', 'platform_dma_configure', 'of_dma_configure_id', 'of_iommu_configure', 'iommu_probe_device', '__iommu_probe_device', 'device_lock'];

function expectSelfDeadlock(row: BisectRow, device: string, chain: string[], first: string): void {
  expect(row.outcome).toBe('hangs');
  expect(row.exhausted).toBe(true);
  const report = row.failure!.report;
  expect(report.kind).toBe('hung-task');
  expect(report.task?.comm).toBe('swapper/0');
  expect(report.task?.waitsFor?.className).toBe('&dev->mutex');
  expect(report.task?.waitsFor?.name).toBe(device);
  // It waits for a device mutex it holds itself.
  expect(report.task?.heldLocks.some((l) => l.name === device && l.className === '&dev->mutex')).toBe(true);
  expect(frameFunction(row.chain[0]!)).toBe(first);
  expect(frameFunction(row.chain[row.chain.length - 1]!)).toBe('device_lock');
  expectSubsequence(row.chain, chain);
}

describe('omap4-dsp (a DSP and its MMU)', async () => {
  const rows = await bisectBoard(omap4DspBoard);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('iommu-next-2023-08 hangs: omap_iommu_probe walks the bus onto its own device (the mtk-style chain)', () => {
    expectSelfDeadlock(row('iommu-next-2023-08'), '4a066000.mmu', ['omap_iommu_probe', ...MTK_STYLE.slice(1)], '__driver_attach');
  });

  test('fix-try-1 still hangs: iommu->dev is the sysfs device, not the MMU', () => {
    expectSelfDeadlock(row('fix-try-1'), '4a066000.mmu', ['omap_iommu_probe', ...MTK_STYLE.slice(1)], '__driver_attach');
  });

  test('v6.5, fix-try-2, both locking2 versions and v6.7 boot, every schedule explored', () => {
    for (const v of ['v6.5', 'fix-try-2', 'locking2-v1', 'locking2-v2', 'v6.7']) {
      expect(row(v).outcome, v).toBe('boots');
      expect(row(v).failures, v).toEqual([]);
      expect(row(v).exhausted, v).toBe(true);
    }
  });
});

describe('exynos (exynos.dtb)', async () => {
  const rows = await bisectBoard(exynosBoard);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('iommu-next-2023-08 hangs at the first SysMMU probing itself, from of_platform_populate', () => {
    expectSelfDeadlock(row('iommu-next-2023-08'), '13e80000.sysmmu',
      ['__device_attach', 'driver_probe_device', 'exynos_sysmmu_probe', ...MTK_STYLE.slice(1)], '__device_attach');
  });

  test('fix-try-1 hangs the same way', () => {
    expectSelfDeadlock(row('fix-try-1'), '13e80000.sysmmu', ['exynos_sysmmu_probe', ...MTK_STYLE.slice(1)], '__device_attach');
  });

  test('fix-try-2 hangs via the replay in of_iommu_configure: Marek\'s chain, from exynos_drm_init', () => {
    expectSelfDeadlock(row('fix-try-2'), '14400000.fimd', MAREK, '__driver_attach');
    // The whole trace goes back to the initcall.
    const trace = row('fix-try-2').failure!.report.task!.callTrace!.map(frameFunction);
    expect(trace).toContain('exynos_drm_init');
    expect(trace).toContain('driver_register');
  });

  test('v6.5, locking2 v1/v2 and v6.7 boot', () => {
    for (const v of ['v6.5', 'locking2-v1', 'locking2-v2', 'v6.7']) {
      expect(row(v).outcome, v).toBe('boots');
      expect(row(v).exhausted, v).toBe(true);
    }
  });
});

describe('omap4 (omap4.dtb: clients before their MMUs)', async () => {
  const rows = await bisectBoard(omap4Board);

  test('no variant hangs: the walk from the first MMU stops at a client whose MMU has not probed (-EINVAL)', () => {
    for (const r of rows) {
      expect(r.outcome, r.variant).toBe('boots');
      expect(r.exhausted, r.variant).toBe(true);
    }
  });

  test('the MMU probes fail with -EINVAL on every variant (the v6.5 omap_iommu_probe_device rule)', async () => {
    const { runOnce } = await import('../../src/explore/explore.js');
    for (const v of omap4Board.variants) {
      const run = await runOnce(omap4Board.boot(v));
      const text = run.log.map((l) => l.text);
      expect(text, v).toContain('omap-iommu: probe of 4a066000.mmu failed with error -22');
      expect(text, v).toContain('omap-iommu 40d02000.mmu: 40d02000.mmu registered');
    }
  });
});

describe('msm-like: of_dma_configure() on a device the caller did not probe', async () => {
  const rows = await bisectBoard(msmLikeBoard);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('the locking2 variants WARN in iommu_probe_device_locked: the GMU\'s device lock is not held', () => {
    for (const v of ['locking2-v1', 'locking2-v2']) {
      expect(row(v).outcome, v).toBe('warns');
      const warn = row(v).failures.find((f) => f.kind === 'warn' && f.report.location.startsWith('iommu_probe_device_locked'))!;
      expect(warn, v).toBeDefined();
      expect(warn.report.message).toContain('&dev->mutex (3d6a000.gmu)');
      const trace = warn.report.task!.callTrace!.map(frameFunction);
      expectSubsequence([...warn.report.task!.callTrace!].reverse(), ['adreno_probe', 'a6xx_gmu_init', 'of_dma_configure_id', 'of_iommu_configure', 'iommu_probe_device_locked']);
      expect(trace).not.toContain('platform_dma_configure');
    }
  });

  test('v6.5 and v6.7 neither hang nor warn', () => {
    for (const v of ['v6.5', 'v6.7']) expect(row(v).failures, v).toEqual([]);
  });
});

test('a board boot is a plain scenario for explore()', async () => {
  const result = await explore(omap4DspBoard.boot('iommu-next-2023-08'));
  expect(result.failures).toHaveLength(1);
  expect(fns(selfDeadlockChain(result.failures[0]!.report.task))).toContain('omap_iommu_probe');
});
