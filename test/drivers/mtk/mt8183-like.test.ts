/**
 * The extension test: a MediaTek-style IOMMU driver added through public APIs
 * only (drivers/iommu/mtk), booted on every probe-locking variant. The M4U
 * defers on its SMI larbs, so the deferred-probe worker probes it; on the
 * Aug 2023 series its registration walks the platform bus onto its own device
 * (Chen-Yu Tsai's report). Outcomes are read from the structured reports.
 */
import { describe, expect, test } from 'vitest';
import { mt8183LikeBoard } from '../../../boards/mt8183-like.js';
import { runOnce } from '../../../src/explore/explore.js';
import { bisectBoard } from '../../../src/machine/bisect.js';
import { frameFunction } from '../../../src/kernel/sched/call-trace.js';
import { failureMatches } from '../../../src/kunit/index.js';

const IOMMU = '10205000.iommu';
const VCODEC = '16000000.video-codec';
const WORKER = 'kworker/u16:0';

/** Chen-Yu Tsai's chain, from the deferred-probe work item down to the second device_lock. */
const CHEN_YU = ['deferred_probe_work_func', 'bus_probe_device', '__device_attach', 'driver_probe_device', 'really_probe',
  'platform_probe', 'mtk_iommu_probe', 'iommu_device_register', 'bus_iommu_probe', 'bus_for_each_dev',
  'probe_iommu_group', '__iommu_probe_device', 'device_lock'];
/** The OF replay from the client's own probe (chain 2 of docs/probe-flow.md), in the same worker. */
const REPLAY = ['deferred_probe_work_func', 'bus_probe_device', '__device_attach', 'really_probe', 'platform_dma_configure',
  'of_dma_configure_id', 'of_iommu_configure', 'iommu_probe_device', '__iommu_probe_device', 'device_lock'];

describe('mt8183-like: the mtk IOMMU registers from the deferred-probe worker', async () => {
  const rows = await bisectBoard(mt8183LikeBoard);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('every variant is explored exhaustively', () => {
    expect(rows.map((r) => r.variant)).toEqual([...mt8183LikeBoard.variants]);
    for (const r of rows) expect(r.exhausted, r.variant).toBe(true);
  });

  test.each(['iommu-next-2023-08', 'fix-try-1'])('%s: the worker deadlocks on the IOMMU\'s own device lock (Chen-Yu Tsai\'s chain)', (v) => {
    const r = row(v);
    expect(r.outcome).toBe('hangs');
    const self = r.failures.find((f) => failureMatches(f, 'hung-task', { task: WORKER, lockClass: '&dev->mutex', chain: CHEN_YU }));
    expect(self, r.failures.map((f) => f.title).join('\n')).toBeDefined();
    const task = self!.report.task!;
    expect(task.waitsFor?.name).toBe(IOMMU);
    // Held by the worker itself, taken in __device_attach on the deferred retry.
    const held = task.heldLocks.find((l) => l.name === IOMMU)!;
    expect(held.owner?.comm).toBe(WORKER);
    expect(held.acquiredIn).toBe('__device_attach');
    // bisect's chain starts where the lock was first taken and ends at the second device_lock.
    expect(frameFunction(r.chain[0]!)).toBe('__device_attach');
    expect(frameFunction(r.chain[r.chain.length - 1]!)).toBe('device_lock');
    expect(r.chain.map(frameFunction)).toContain('mtk_iommu_probe');
    // And init, flushing the deferred work, hangs behind it.
    expect(r.failures.some((f) => failureMatches(f, 'hung-task', { task: 'swapper/0', chain: ['deferred_probe_initcall', 'flush_work'] }))).toBe(true);
  });

  test('fix-try-2: the IOMMU registers, then the decoder\'s OF replay re-locks the decoder in the worker', () => {
    const r = row('fix-try-2');
    expect(r.outcome).toBe('hangs');
    const hang = r.failures.find((f) => failureMatches(f, 'hung-task', { task: WORKER, chain: REPLAY }));
    expect(hang, r.failures.map((f) => f.title).join('\n')).toBeDefined();
    expect(hang!.report.task!.waitsFor?.name).toBe(VCODEC);
    // The IOMMU's own device is skipped (hwdev), so no self-probe hang on it.
    expect(r.failures.some((f) => f.report.task?.waitsFor?.name === IOMMU)).toBe(false);
  });

  test('v6.5, both locking2 versions and v6.7 boot on every schedule', () => {
    for (const v of ['v6.5', 'locking2-v1', 'locking2-v2', 'v6.7']) {
      expect(row(v).outcome, v).toBe('boots');
      expect(row(v).failures, v).toEqual([]);
    }
  });
});

test('on v6.7 the decoder gets the IOMMU\'s group after the worker probed the IOMMU', async () => {
  const run = await runOnce(mt8183LikeBoard.boot('v6.7'));
  expect(run.outcome).toBe('complete');
  const text = run.log.map((l) => l.text);
  const at = (line: string) => {
    const i = text.indexOf(line);
    expect(i, `dmesg should contain: ${line}`).toBeGreaterThanOrEqual(0);
    return i;
  };
  // First probe: the larbs have no driver yet.
  const deferred = at(`mtk-iommu ${IOMMU}: Driver mtk-iommu requests probe deferral`);
  const retried = at(`platform ${IOMMU}: Retrying from deferred list`);
  const registered = at(`mtk-iommu ${IOMMU}: mtk-iommu registered`);
  expect(deferred).toBeLessThan(retried);
  expect(retried).toBeLessThan(registered);
  expect(at(`mtk-vcodec-dec ${VCODEC}: Adding to iommu group 0`)).toBeGreaterThan(registered);
  at(`mtk-vcodec-dec ${VCODEC}: decoder ready (iommu group 0)`);
  // The larbs and the SMI common are not IOMMU clients.
  expect(text.filter((l) => l.includes('Adding to iommu group'))).toHaveLength(1);
});
