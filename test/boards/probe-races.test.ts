/**
 * The IOMMU probe races, each on the board whose asynchronous probing exposes
 * it: the variant before each fix must find the failure the fix's commit
 * message describes, the variant with it must not. exynos-async-sysmmus and
 * exynos-async-dma are explored whole (full DPOR, deferred probing left out,
 * their declared strategy); exynos-async-fimd and exynos-async-mfc with one
 * preemption, their declared bound. docs/probe-race-history.md tells each story.
 */
import { describe, expect, test } from 'vitest';
import { exynosAsyncDmaBoard, exynosAsyncFimdBoard, exynosAsyncMfcBoard, exynosAsyncSysmmusBoard } from '../../boards/exynos-async.js';
import { explore, type ExploreOptions } from '../../src/explore/explore.js';
import type { ExploreResult, Failure } from '../../src/explore/result.js';
import { iommu_core, iommu_device_register } from '../../src/iommu/iommu.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { current } from '../../src/kernel/sched/current.js';
import { frameFunction } from '../../src/kernel/sched/call-trace.js';
import { activateStaticStub, deactivateStaticStub } from '../../src/kernel/static-stub.js';
import { bisectBoard, decisiveFailure } from '../../src/machine/bisect.js';
import type { Board } from '../../src/machine/board.js';
import { renderReport } from '../../src/report/index.js';

const ONE_PREEMPTION = { kind: 'bounded', preemptions: 1 } as const;
/** The two-SysMMU boots (exynos-async-sysmmus, exynos-async-mfc) take up to 8,833 schedules each (about 10 s on an idle core). */
const SYSMMUS_TIMEOUT_MS = 120_000;
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

/** The failures that are not boot health (devices left deferred). */
const errors = (result: ExploreResult) => result.failures.filter((f) => f.kind !== 'deferred-probe-pending' && f.kind !== 'probe-failed');

/** The board's own exploration: its strategy and schedule limit, as kemu run and bisect use them. */
function exploreBoard(board: Board, variant: string, options: ExploreOptions = {}): Promise<ExploreResult> {
  return explore(board.boot(variant), { strategy: board.strategy, maxSchedules: board.maxSchedules, ...options });
}

describe('exynos-async-sysmmus: two SysMMUs registering in parallel, explored whole', () => {
  test('v6.1 (before 01657bc14a39): the second walk\'s dev_iommu_free finds dev->iommu gone, as in Brian Norris\'s RK3399 report', async () => {
    const result = await exploreBoard(exynosAsyncSysmmusBoard, 'v6.1');
    // Nothing serialises the walks: the space is too large to exhaust, and the board stops at its limit.
    expect([result.schedules, result.exhausted]).toEqual([exynosAsyncSysmmusBoard.maxSchedules, false]);
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

  for (const variant of ['v6.2', 'v6.6']) {
    test(`${variant} (before a2e7e59a9426): probes are serialised, but a SysMMU's own of_iommu_configure reads the dev->iommu the other walk frees`, async () => {
      const result = await exploreBoard(exynosAsyncSysmmusBoard, variant);
      expect(result.exhausted).toBe(true);
      // 01657bc14a39's static lock: no walk frees what another walk's probe holds.
      expect(result.failures.filter((f) => /dev_iommu_free|^oops:/.test(f.signature))).toEqual([]);
      const uaf = find(result.failures, /^kasan:slab-use-after-free:dev_iommu_fwspec_get:struct dev_iommu->fwspec$/);
      expectFrames(uaf.report.task!.callTrace, ['dev_iommu_fwspec_get', 'of_iommu_configure', 'of_dma_configure_id', 'platform_dma_configure',
        'really_probe', '__device_attach_async_helper']);
      expectFrames(uaf.report.kasan!.freed!.callTrace, ['dev_iommu_free', 'iommu_init_device', '__iommu_probe_device', 'probe_iommu_group',
        'bus_iommu_probe', 'iommu_device_register', 'exynos_sysmmu_probe']);
      expect(uaf.report.kasan!.freed!.comm).not.toBe(uaf.report.task!.comm);
      expect(errors(result)).toEqual([uaf]);
    }, SYSMMUS_TIMEOUT_MS);
  }

  test('v6.15 (before 0c8e9c148e29): a walk that dropped iommu_probe_device_lock around dma_configure comes back to a dev->iommu the other walk freed', async () => {
    const result = await exploreBoard(exynosAsyncSysmmusBoard, 'v6.15');
    expect(result.exhausted).toBe(true);
    const oops = find(result.failures, /^oops:/);
    // dev->iommu->fwspec, at v6.14's offset of fwspec in struct dev_iommu.
    expect(oops.report.message).toContain('Unable to handle kernel NULL pointer dereference at virtual address 0000000000000028');
    expectFrames(oops.report.task!.callTrace, ['iommu_init_device', '__iommu_probe_device', 'probe_iommu_group', 'bus_iommu_probe',
      'iommu_device_register', 'exynos_sysmmu_probe']);
    // The oopsed walk dies holding iommu_probe_device_lock: the hangs that follow are its consequence.
    expect(decisiveFailure(result.failures)).toBe(oops);
    expect(errors(result).filter((f) => f.kind !== 'oops' && f.kind !== 'hung-task')).toEqual([]);
  }, SYSMMUS_TIMEOUT_MS);

  for (const variant of ['v6.7', 'v6.14', 'v6.15+0c8e9c148e29']) {
    test(`${variant}: nothing found in the whole space`, async () => {
      const result = await exploreBoard(exynosAsyncSysmmusBoard, variant);
      expect(result.exhausted).toBe(true);
      expect(result.failures).toEqual([]);
    }, SYSMMUS_TIMEOUT_MS);
  }

  test('v6.15.1, not on the board\'s list (da33e87bd2bf is about clients, and it has none), is clean too', async () => {
    const result = await exploreBoard(exynosAsyncSysmmusBoard, 'v6.15.1', { maxSchedules: undefined });
    expect(result.exhausted).toBe(true);
    expect(result.failures).toEqual([]);
  }, SYSMMUS_TIMEOUT_MS);
});

describe('exynos-async-fimd: the display controller bound while its SysMMU registers, one preemption', () => {
  test('v6.6 (before a2e7e59a9426): the bus walk\'s failed probe frees the fwspec of_iommu_configure is building: KASAN use-after-free', async () => {
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

  test('kemu bisect: every variant before a2e7e59a9426 has the use-after-free, v6.7 boots', async () => {
    const rows = await bisectBoard(exynosAsyncFimdBoard);
    expect(rows.map((r) => [r.variant, r.outcome, r.exhausted])).toEqual([
      ['v6.1', 'use-after-free', true], ['v6.2', 'use-after-free', true], ['v6.6', 'use-after-free', true], ['v6.7', 'boots', true],
    ]);
    for (const r of rows.slice(0, 3)) expect(r.failure!.report.kasan!.object.struct).toMatch(/^struct (dev_iommu|iommu_fwspec)$/);
  });
});

/** The late-probe WARN of bcb81ac6ae3c, in one run: who probed (the OF replay at driver bind, or a bus walk) and when. */
interface LateProbe {
  path: 'replay' | 'walk';
  /** How many SysMMUs' iommu_device_register() had returned, in that run, before the WARN. */
  registered: number;
}

/**
 * Explores `board` on `variant` with the board's search, and records each
 * run's late-probe WARNs: the WARN is one site, so the explorer keeps one
 * example of it, but which path reached it, and when, tells the races apart.
 * When iommu_device_register() returns is seen through its static stub,
 * which calls the real one; each return is kept with its run's kernel, as a
 * run the explorer cuts short ends without onRunEnd.
 */
async function exploreLateProbes(board: Board, variant: string): Promise<{ result: ExploreResult; late: LateProbe[] }> {
  const late: LateProbe[] = [];
  let returns: { kernel: Kernel; step: number }[] = [];
  activateStaticStub(iommu_device_register, async (iommu, ops, hwdev) => {
    const ret = await iommu_core.get().path.iommu_device_register(iommu, ops, hwdev);
    const kernel = current().kernel;
    returns.push({ kernel, step: kernel.stepCount });
    return ret;
  });
  try {
    const result = await explore(board.boot(variant), {
      strategy: board.strategy,
      onRunEnd(kernel) {
        const mine = returns.filter((x) => x.kernel === kernel);
        for (const r of kernel.reports.filter((x) => x.signature === 'warn:__iommu_probe_device:WARN')) {
          late.push({ path: fns(r.task!.callTrace).includes('of_iommu_configure') ? 'replay' : 'walk', registered: mine.filter((x) => x.step < r.step).length });
        }
        returns = [];
      },
    });
    return { result, late };
  } finally {
    deactivateStaticStub(iommu_device_register);
  }
}

const UNMAP_WARN = /^warn:iommu_dma_unmap_page:WARN_ON$/;

describe('exynos-async-dma: a client that DMAs at probe, probing in parallel with its SysMMU, explored whole', () => {
  test('v6.14 (before b46064a18810): the client maps with dma-direct while its group waits for a default domain, and is switched to iommu-dma underfoot', async () => {
    const result = await exploreBoard(exynosAsyncDmaBoard, 'v6.14');
    expect(result.exhausted).toBe(true);
    const warn = find(result.failures, UNMAP_WARN);
    expect(warn.report.message).toMatch(/no IOVA mapping for DMA address 0x40000[0-9a-f]{2}$/);
    expectFrames(warn.report.task!.callTrace, ['iommu_dma_unmap_page', 'dma_unmap_single', 'fw_fetched']);
    // The story of the schedule, in order: the walk puts the client in a group, the client's replay finds it
    // there, claims the group without a default domain and maps with dma-direct; then the walk attaches the
    // default domain and switches the client's DMA ops.
    const notes = warn.run.trace!.flatMap((s) => s.notes);
    const order = ['codec: of_iommu_configure replays iommu_probe_device', 'codec: exynos_iommu_ops.probe_device = 11200000.sysmmu',
      'codec: iommu_device_use_default_domain claims iommu_group 0 (default domain not set yet)', 'codec: dma_map_single = 0x40000',
      'codec: iommu_setup_dma_ops: dev->dma_iommu = true', 'codec: dma_unmap_single(0x40000'];
    const at = order.map((n) => notes.findIndex((x) => x.includes(n)));
    expect(at.every((i) => i >= 0), `${order.join(' | ')} in ${notes.join(' | ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(errors(result)).toEqual([warn]);
  });

  test('v6.14 with b46064a18810: iommu_device_use_default_domain defers the client instead; nothing found in the whole space', async () => {
    const result = await exploreBoard(exynosAsyncDmaBoard, 'v6.14+b46064a18810');
    expect(result.exhausted).toBe(true);
    expect(errors(result)).toEqual([]);
    // A client that deferred stays deferred: this board boots without deferred probing.
    expect(result.failures.map((f) => f.report.probe?.device)).toEqual(['11000000.codec']);
  });

  test('v6.15 (before da33e87bd2bf): of_iommu_configure replays the probe at driver bind while the SysMMU still registers, and it WARNs', async () => {
    const { result, late } = await exploreLateProbes(exynosAsyncDmaBoard, 'v6.15');
    expect(result.exhausted).toBe(true);
    expect(late.some((l) => l.path === 'replay' && l.registered === 0)).toBe(true);
  });

  test('v6.15.1 (da33e87bd2bf): no replay while the SysMMU registers; what is left is the window a bus walk leaves around dma_configure', async () => {
    const { result, late } = await exploreLateProbes(exynosAsyncDmaBoard, 'v6.15.1');
    expect(result.exhausted).toBe(true);
    expect(late.filter((l) => l.path === 'replay' && l.registered === 0)).toEqual([]);
    // Still reachable, and still in the kernel (Tudor Ambarus and Robin Murphy, linux-iommu, March 2026): the
    // walk probes the client after the client's driver core has set dev->driver (the WARN from the walk), or
    // misses it for that reason and the replay finishes the probe after registration; and, in kemu's model, the
    // client can bind while the walk has dropped the lock, before the client has a group, and map with dma-direct.
    expect(late.some((l) => l.path === 'walk')).toBe(true);
    expect(late.some((l) => l.path === 'replay' && l.registered === 1)).toBe(true);
    find(result.failures, UNMAP_WARN);
  });
});

const LATE_WARN = /^warn:__iommu_probe_device:WARN$/;

describe('exynos-async-mfc: the Exynos5250 MFC behind two SysMMUs, as exynos5250.dtsi has it, one preemption', () => {
  test('v6.15.1: the late-probe WARN Tudor Ambarus reported for a client of two IOMMUs (March 2026), and only past a preemption', async () => {
    const { result, late } = await exploreLateProbes(exynosAsyncMfcBoard, 'v6.15.1');
    expect(result.exhausted).toBe(true);
    const warn = find(result.failures, LATE_WARN);
    expect(warn.preemptions).toBe(1);
    // Both ways in are there: a bus walk that finds the driver core already binding the client, and the replay,
    // mostly once both SysMMUs have registered, but also while the second one still registers: the client's
    // first SysMMU was ready and allocated dev->iommu, so the second one's readiness was never checked.
    expect(late.some((l) => l.path === 'walk')).toBe(true);
    expect(late.some((l) => l.path === 'replay' && l.registered === 2)).toBe(true);
    expect(late.some((l) => l.path === 'replay' && l.registered === 1)).toBe(true);
    find(result.failures, UNMAP_WARN);
  }, SYSMMUS_TIMEOUT_MS);

  test('v6.15.1 with the proposed unconditional readiness check: the WARN moves to the replay, in the schedule with no preemption, and in more schedules', async () => {
    const [before, proposal] = [await exploreLateProbes(exynosAsyncMfcBoard, 'v6.15.1'), await exploreLateProbes(exynosAsyncMfcBoard, 'v6.15.1+ready-check')];
    expect(proposal.result.exhausted).toBe(true);
    const warn = find(proposal.result.failures, LATE_WARN);
    // As Robin Murphy answered: a bus walk can no longer make the client's fwspec while its SysMMU registers,
    // so the client is probed only by the replay at driver bind, which always WARNs.
    expect(warn.preemptions).toBe(0);
    expect(proposal.late.length).toBeGreaterThan(0);
    expect(proposal.late.every((l) => l.path === 'replay' && l.registered === 2)).toBe(true);
    const share = (r: ExploreResult) => find(r.failures, LATE_WARN).occurrences / r.schedules;
    expect(share(proposal.result)).toBeGreaterThan(share(before.result));
    // What the proposal does remove: no client is switched from dma-direct to iommu-dma underfoot.
    expect(proposal.result.failures.filter((f) => UNMAP_WARN.test(f.signature))).toEqual([]);
  }, 2 * SYSMMUS_TIMEOUT_MS);
});
