/**
 * Bug B on every board and probe-locking variant: explore each boot with DPOR
 * and compare the outcome with the list reports (kernel-facts §2.6). Assertions
 * are on the structured reports: kind, blocked task, lock class, call chain.
 */
import { describe, expect, test } from 'vitest';
import { exynosBoard } from '../../boards/exynos.js';
import { msmLikeBoard } from '../../boards/msm-like.js';
import { dra7Board, omap4Board, omap4DspBoard } from '../../boards/omap4.js';
import type { Board } from '../../src/machine/board.js';
import { PROBE_LOCKING_VARIANTS } from '../../src/iommu/variants.js';
import { explore } from '../../src/explore/explore.js';
import { bisectBoard, selfDeadlockChain, type BisectRow } from '../../src/machine/bisect.js';
import { frameFunction } from '../../src/kernel/sched/call-trace.js';
import { failureMatches } from '../../src/kunit/index.js';

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

/** The registration's bus walk, down to the device_lock (in __iommu_probe_device, or probe_iommu_group on locking2). */
const WALK = ['iommu_device_register', 'bus_iommu_probe', 'bus_for_each_dev', 'probe_iommu_group', 'device_lock'];
/** The nested interconnect probes that create the DSP MMU, then its registration walking the bus. */
const NESTED = ['__device_attach', 'simple_pm_bus_probe', '__device_attach', 'simple_pm_bus_probe', '__device_attach',
  'simple_pm_bus_probe', '__device_attach', 'sysc_probe', '__device_attach', 'omap_iommu_probe', ...WALK];
const DEVICE_LOCK_VARIANTS = ['iommu-next-2023-08', 'fix-try-1', 'fix-try-2', 'locking2-v1', 'locking2-v2'];

/**
 * A hang of the deferred-probe worker on ocp: it holds every lock from ocp down
 * to the registering MMU, and the registration's bus walk meets ocp first.
 */
function expectHangOnOcp(row: BisectRow, held: string[]): void {
  expect(row.outcome, row.variant).toBe('hangs');
  expect(row.exhausted, row.variant).toBe(true);
  const task = row.failure!.report.task!;
  expect(task.comm).toBe('kworker/u16:0');
  expect(task.waitsFor?.name).toBe('ocp');
  expect(task.heldLocks.map((l) => l.name)).toEqual(held);
  expect(task.heldLocks.every((l) => l.className === '&dev->mutex' && l.acquiredIn === '__device_attach')).toBe(true);
  expect(frameFunction(row.chain[0]!)).toBe('__device_attach');
  expect(frameFunction(row.chain[row.chain.length - 1]!)).toBe('device_lock');
  // init waits for the worker in deferred_probe_initcall.
  expect(row.failures.some((f) => failureMatches(f, 'hung-task', { task: 'swapper/0', chain: ['deferred_probe_initcall', 'flush_work'] }))).toBe(true);
}

describe('omap4 (omap4.dtb: the omap4.dtsi layout, MMUs in ti-sysc target modules)', async () => {
  const rows = await bisectBoard(omap4Board);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('v6.5 and v6.7 boot healthy; both remote processors end up behind their MMUs', async () => {
    const { runOnce } = await import('../../src/explore/explore.js');
    for (const v of ['v6.5', 'v6.7']) {
      expect(row(v).verdict, v).toBe('boots');
      expect(row(v).failures, v).toEqual([]);
      const text = (await runOnce(omap4Board.boot(v))).log.map((l) => l.text);
      expect(text, v).toContain('omap-rproc ocp:dsp: remote processor behind iommu group 0');
      expect(text, v).toContain('omap-rproc 55020000.ipu: remote processor behind iommu group 1');
    }
  });

  test('ocp waits for its PRM power domain, so the whole tree probes from the deferred-probe worker', async () => {
    const { runOnce } = await import('../../src/explore/explore.js');
    const text = (await runOnce(omap4Board.boot('v6.5'))).log.map((l) => l.text);
    const deferred = text.indexOf('simple-pm-bus ocp: Driver simple-pm-bus requests probe deferral');
    const domain = text.indexOf('Added domain provider from /ocp/interconnect@4a300000/segment@0/target-module@6000/prm@0/prm@1400');
    const attached = text.indexOf('simple-pm-bus ocp: adding to PM domain prm_l4per');
    expect(deferred).toBeGreaterThanOrEqual(0);
    expect(domain).toBeGreaterThan(deferred);
    expect(attached).toBeGreaterThan(domain);
  });

  test('every variant that takes device locks in the walk hangs on ocp, not on the MMU: the walk meets its ancestors first', () => {
    for (const v of DEVICE_LOCK_VARIANTS) {
      expectHangOnOcp(row(v), ['ocp', '4a000000.interconnect', '4a000000.interconnect:segment@0', '4a066000.target-module', '4a066000.mmu']);
      expectSubsequence(row(v).chain, NESTED);
    }
  });
});

describe('dra7 (dra7.dtb: DSP1 behind two MMUs in ti-sysc target modules)', async () => {
  const rows = await bisectBoard(dra7Board);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('the device_lock variants hang on ocp when the MDMA MMU (40d01000) registers', () => {
    for (const v of DEVICE_LOCK_VARIANTS) {
      expectHangOnOcp(row(v), ['ocp', '40d01000.target-module', '40d01000.mmu']);
      expectSubsequence(row(v).chain, ['__device_attach', 'simple_pm_bus_probe', '__device_attach', 'sysc_probe',
        '__device_attach', 'omap_iommu_probe', ...WALK]);
    }
  });

  test('v6.5 and v6.7 boot healthy', () => {
    for (const v of ['v6.5', 'v6.7']) expect(row(v).verdict, v).toBe('boots');
  });
});

/** What bisect says for each board on each probe-locking variant: outcome and health, from the model. */
const VERDICTS: Record<string, Board> = { omap4: omap4Board, dra7: dra7Board, 'omap4-dsp': omap4DspBoard, exynos: exynosBoard, 'msm-like': msmLikeBoard };
const EXPECTED: Record<string, readonly string[]> = {
  //           v6.5     iommu-next fix-try-1 fix-try-2 locking2-v1        locking2-v2        v6.7
  omap4: ['boots', 'hangs', 'hangs', 'hangs', 'hangs', 'hangs', 'boots'],
  dra7: ['boots', 'hangs', 'hangs', 'hangs', 'hangs', 'hangs', 'boots'],
  'omap4-dsp': ['boots', 'hangs', 'hangs', 'boots', 'boots', 'boots', 'boots'],
  exynos: ['boots', 'hangs', 'hangs', 'hangs', 'boots', 'boots', 'boots'],
  'msm-like': ['boots', 'hangs', 'hangs', 'hangs', 'warns (2 WARNs)', 'warns (2 WARNs)', 'boots'],
};

describe.each(Object.keys(EXPECTED))('boot health of %s on every variant', async (name) => {
  const rows = await bisectBoard(VERDICTS[name]!);
  test.each(PROBE_LOCKING_VARIANTS.map((v, i) => [v, EXPECTED[name]![i]!]))('%s: %s', (variant, verdict) => {
    const r = rows.find((row) => row.variant === variant)!;
    expect(r.verdict).toBe(verdict);
    expect(r.health.probeFailures, 'a verdict without failed probes has none in the data').toEqual([]);
    expect(r.health.deferred).toEqual([]);
    expect(r.notValidated).toEqual(['&dev->mutex']);
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
