/**
 * qi_check_fault(): what the submitter does when the hardware reports an
 * invalidation queue error (IQE), a device-TLB time-out (ITE) or an invalid
 * device-TLB completion (ICE). Faults come from the hardware model: a
 * malformed descriptor raises IQE by itself; ITE and ICE come from the fault
 * plan (a device that never answers, or answers wrongly).
 */
import { describe, expect, test } from 'vitest';
import { explore, runOnce } from '../../../src/explore/explore.js';
import type { Scenario } from '../../../src/explore/run-schedule.js';
import { current } from '../../../src/kernel/sched/current.js';
import type { FaultPlan } from '../../../src/kernel/fault-inject.js';
import { QI_DEV_IOTLB_ICE, QI_DEV_IOTLB_TIMEOUT } from '../../../drivers/iommu/intel/dmar-hw.js';

const TIMEOUT: FaultPlan = { [QI_DEV_IOTLB_TIMEOUT]: 1 };
import { EINVAL, ETIMEDOUT } from '../../../src/kernel/errno.js';
import { qiMachine } from '../../../drivers/iommu/intel/scenarios.js';
import { qi_desc_dev_iotlb, qi_desc_iotlb, qi_submit_sync } from '../../../drivers/iommu/intel/dmar.js';
import { intel_iommu_dma_drain } from '../../../drivers/iommu/intel/svm.js';
import { DMAR_FSTS_REG, DMA_FSTS_ICE, DMA_TLB_DSI_FLUSH, type qi_desc } from '../../../drivers/iommu/intel/iommu-defs.js';
import type { IntelIommu } from '../../../drivers/iommu/intel/intel-iommu.js';

const SID = 0x0100; // 01:00.0
const devtlb = (): qi_desc[] => [qi_desc_dev_iotlb(SID, SID, 0, 0n, 0)];
const iotlb = (iommu: IntelIommu): qi_desc[] => [qi_desc_iotlb(iommu, 1, 0n, 0, DMA_TLB_DSI_FLUSH)];

/** One schedule (non-preemptive) with call traces and notes. */
async function runOne(scenario: Scenario, faults: FaultPlan = {}) {
  const run = await runOnce(scenario, { faults });
  return { outcome: run.outcome, notes: run.trace.flatMap((s) => s.notes), dmesg: run.log.map((l) => l.text) };
}

describe.each(['v6.11', 'v6.12'])('%s', (variant) => {
  test('ITE on a device-TLB invalidation: the waiter gets -EAGAIN, resubmits, and finishes', async () => {
    const outcomes: Array<{ rc: number; submissions: number }> = [];
    const scenario = qiMachine({
      variant, translation: true, devices: [{ sid: SID, present: true }],
      cpus: [async (iommu) => {
        const rc = await qi_submit_sync(iommu, devtlb(), 1, 0);
        outcomes.push({ rc, submissions: iommu.qi!.submissionsOf(current().pid) });
      }],
    });
    const result = await explore(scenario, { strategy: 'dpor', faults: TIMEOUT });
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
    expect(outcomes.length).toBe(result.schedules);
    expect(outcomes.every((o) => o.rc === 0 && o.submissions === 2)).toBe(true);

    const run = await runOne(scenario, TIMEOUT);
    expect(run.outcome).toBe('complete');
    expect(run.notes).toContain('* ITE: device 0x100 timed out; WD1 is not completed');
    expect(run.notes).toContain('ITE: aborts slot 1 (WD1)');
    expect(run.notes).toContain('WD1: qi_check_fault() = -EAGAIN');
    expect(run.notes).toContain('-EAGAIN: resubmits the whole batch');
    expect(run.notes).toContain('* WD1#2 status = QI_DONE');
    expect(run.dmesg).toContain('DMAR: VT-d detected Invalidation Time-out Error: SID 0x100');
    expect(run.dmesg).toContain('DMAR: Invalidation Time-out Error (ITE) cleared');
  });

  test('ITE for a device that is gone: -ETIMEDOUT, no retry', async () => {
    const rcs: number[] = [];
    const result = await explore(qiMachine({
      variant, translation: true, devices: [{ sid: SID, present: false }],
      cpus: [async (iommu) => rcs.push(await qi_submit_sync(iommu, devtlb(), 1, 0))],
    }), { strategy: 'dpor', faults: TIMEOUT });
    expect(result.failures).toEqual([]);
    expect(new Set(rcs)).toEqual(new Set([-ETIMEDOUT]));
  });

  test('IQE on the first descriptor of a submission: -EINVAL, and the queue keeps working', async () => {
    const rcs: number[][] = [];
    const scenario = qiMachine({
      variant,
      cpus: [async (iommu) => {
        const bad: qi_desc = { qw0: 0xfn, qw1: 0n, qw2: 0n, qw3: 0n };
        rcs.push([await qi_submit_sync(iommu, [bad], 1, 0), await qi_submit_sync(iommu, iotlb(iommu), 1, 0)]);
      }],
    });
    const result = await explore(scenario, { strategy: 'dpor' });
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
    expect(rcs.every(([first, second]) => first === -EINVAL && second === 0)).toBe(true);

    const run = await runOne(scenario);
    expect(run.notes).toContain('* IQE: ID1 in slot 0 is not a valid descriptor (qw0 0xf); IQH stays at 0');
    expect(run.notes).toContain('IQE on ID1: slot 0 := copy of WD1; clears IQE; -EINVAL');
    expect(run.dmesg).toContain('DMAR: Invalidation Queue Error (IQE) cleared');
  });

  test('IQE in one CPU\'s submission while another CPU submits: only the owner sees -EINVAL', async () => {
    const rcs: Array<[number, number]> = [];
    const result = await explore(qiMachine({
      variant,
      cpus: [
        async (iommu) => rcs.push([0, await qi_submit_sync(iommu, [{ qw0: 0xfn, qw1: 0n, qw2: 0n, qw3: 0n }], 1, 0)]),
        async (iommu) => rcs.push([1, await qi_submit_sync(iommu, iotlb(iommu), 1, 0)]),
      ],
    }), { strategy: 'dpor' });
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
    expect(rcs.every(([cpu, rc]) => rc === (cpu === 0 ? -EINVAL : 0))).toBe(true);
  });

  test('ICE: the submission succeeds; a poll that sees ICE clears it', async () => {
    const ends: Array<{ rc: number; ice: boolean }> = [];
    const scenario = qiMachine({
      variant, translation: true, 
      cpus: [async (iommu) => {
        const rc = await qi_submit_sync(iommu, devtlb(), 1, 0);
        ends.push({ rc, ice: (iommu.reg[DMAR_FSTS_REG].value & DMA_FSTS_ICE) !== 0 });
      }],
    });
    const result = await explore(scenario, { strategy: 'dpor', faults: { [QI_DEV_IOTLB_ICE]: 1 } });
    expect(result.failures).toEqual([]);
    expect(result.exhausted).toBe(true);
    expect(ends.every((e) => e.rc === 0)).toBe(true);
    // ICE is only looked at while the wait is pending: when the wait completed first, ICE stays set.
    expect(ends.some((e) => !e.ice)).toBe(true);
    expect(ends.some((e) => e.ice)).toBe(true);
  });

  test('ITE with the wait descriptor at an even slot: the pre-2026 abort walk never ends (fe89277c9ceb)', async () => {
    // A bare wait takes slot 0, so the device-TLB flush lands in slot 1 and its wait in slot 2.
    const result = await explore(qiMachine({
      variant, translation: true, devices: [{ sid: SID, present: true }],
      cpus: [async (iommu) => {
        await intel_iommu_dma_drain(iommu);
        await qi_submit_sync(iommu, devtlb(), 1, 0);
      }],
    }), { strategy: 'dpor', faults: TIMEOUT });
    // Every failure is cpu0 stuck in qi_check_fault() with q_lock held (the reports differ only in
    // what the CPU read before it got stuck, which depends on when the hardware raised ITE).
    expect(result.failures.length).toBeGreaterThan(0);
    for (const failure of result.failures) {
      expect(failure.kind).toBe('soft-lockup');
      expect(failure.report.task!.comm).toBe('cpu0');
      expect(failure.report.task!.heldLocks.map((l) => l.className)).toEqual(['&qi->q_lock']);
      expect(failure.run.trace.flatMap((s) => s.notes)).toContain('ITE walk from odd slots can never reach tail slot 2: this CPU loops forever');
    }
  });
});
