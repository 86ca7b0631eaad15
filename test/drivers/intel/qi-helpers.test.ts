/**
 * The flush helpers and the page-request drain as the hardware sees them,
 * the register semantics of the unit, and the variant bindings.
 */
import { describe, expect, test } from 'vitest';
import { explore } from '../../../src/explore/explore.js';
import { KERNEL_VARIANTS } from '../../../src/machine/kernel-variants.js';
import { readl, writel } from '../../../src/kernel/memory/mmio.js';
import { qiMachine, resolveQiPolicy } from '../../../drivers/iommu/intel/scenarios.js';
import {
  qi_flush_context, qi_flush_dev_iotlb, qi_flush_iotlb, qi_flush_pasid_cache, qi_flush_piotlb, qi_global_iec, qi_submit_sync,
} from '../../../drivers/iommu/intel/dmar.js';
import { intel_drain_pasid_prq, intel_iommu_dma_drain } from '../../../drivers/iommu/intel/svm.js';
import { QiDoneReclaim, QiFreeReclaim } from '../../../drivers/iommu/intel/qi-reclaim.js';
import {
  DMAR_FSTS_REG, DMAR_GSTS_REG, DMAR_IQH_REG, DMA_CCMD_GLOBAL_INVL, DMA_FSTS_ICE, DMA_FSTS_IQE, DMA_GSTS_QIES,
  DMA_TLB_DSI_FLUSH, QI_IWD_FENCE, QI_IWD_PRQ_DRAIN, QI_IWD_STATUS_WRITE, QI_PC_ALL_PASIDS,
} from '../../../drivers/iommu/intel/iommu-defs.js';
import type { IntelIommu } from '../../../drivers/iommu/intel/intel-iommu.js';

type Executed = Array<{ tag: string; type: string; qw0: bigint }>;

/** Runs `body` on cpu0 of a one-unit machine (every schedule) and returns what the engine executed, per run. */
async function executedBy(body: (iommu: IntelIommu) => Promise<unknown>, options: { translation?: boolean; scalableMode?: boolean } = {}): Promise<Executed[]> {
  const runs: Executed[] = [];
  const result = await explore(qiMachine({
    variant: 'v6.12', ...options,
    cpus: [async (iommu) => {
      await body(iommu);
      runs.push([...iommu.hw.executed]);
    }],
  }), { strategy: 'dpor' });
  expect(result.failures).toEqual([]);
  expect(result.exhausted).toBe(true);
  return runs;
}

describe('flush helpers', () => {
  test('each helper submits one descriptor of its type, followed by the wait', async () => {
    const runs = await executedBy(async (iommu) => {
      await qi_global_iec(iommu);
      await qi_flush_context(iommu, 1, 0x10, 0, DMA_CCMD_GLOBAL_INVL);
      await qi_flush_iotlb(iommu, 1, 0n, 0, DMA_TLB_DSI_FLUSH);
      await qi_flush_dev_iotlb(iommu, 0x100, 0x100, 0, 0x1000n, 0);
      await qi_flush_piotlb(iommu, 1, 5, 0n, -1, false);
      await qi_flush_pasid_cache(iommu, 1, QI_PC_ALL_PASIDS, 5);
    }, { translation: true });
    for (const executed of runs) {
      expect(executed.map((e) => `${e.tag}: ${e.type}`)).toEqual([
        'ID1: Interrupt Entry Cache Invalidation', 'WD1: Invalidation Wait',
        'ID1#2: Context-cache Invalidation', 'WD1#2: Invalidation Wait',
        'ID1#3: IOTLB Invalidation', 'WD1#3: Invalidation Wait',
        'ID1#4: Device-TLB Invalidation', 'WD1#4: Invalidation Wait',
        'ID1#5: PASID-based IOTLB Invalidation', 'WD1#5: Invalidation Wait',
        'ID1#6: PASID-cache Invalidation', 'WD1#6: Invalidation Wait',
      ]);
    }
  });

  test('qi_flush_dev_iotlb does nothing while translation is off', async () => {
    const runs = await executedBy((iommu) => qi_flush_dev_iotlb(iommu, 0x100, 0x100, 0, 0n, 0));
    expect(runs.every((executed) => executed.length === 0)).toBe(true);
  });

  test('a PASID descriptor on a 128-bit queue is an invalid descriptor (IQE)', async () => {
    const runs = await executedBy((iommu) => qi_flush_pasid_cache(iommu, 1, QI_PC_ALL_PASIDS, 5), { scalableMode: false });
    // The bad descriptor is replaced by a copy of the wait; only waits execute.
    expect(runs.every((executed) => executed.every((e) => e.type === 'Invalidation Wait'))).toBe(true);
  });
});

describe('page-request drain', () => {
  test('three descriptors with QI_OPT_WAIT_DRAIN: a fence-only wait, a PASID-IOTLB and a PASID device-TLB flush', async () => {
    const runs = await executedBy((iommu) =>
      intel_drain_pasid_prq({ iommu, pri_enabled: true, did: 1, sid: 0x100, pfsid: 0x100, qdep: 0 }, 5));
    for (const executed of runs) {
      expect(executed.map((e) => `${e.tag}: ${e.type}`)).toEqual([
        'ID1a: Invalidation Wait', 'ID1b: PASID-based IOTLB Invalidation', 'ID1c: PASID-based Device-TLB Invalidation', 'WD1: Invalidation Wait',
      ]);
      const [fence, , , wait] = executed;
      expect(fence!.qw0 & QI_IWD_FENCE).toBe(QI_IWD_FENCE);
      expect(fence!.qw0 & QI_IWD_STATUS_WRITE).toBe(0n);
      expect(wait!.qw0 & QI_IWD_PRQ_DRAIN).toBe(QI_IWD_PRQ_DRAIN);
    }
  });

  test('without PASID it drains with an IOTLB and a device-TLB flush', async () => {
    const runs = await executedBy((iommu) =>
      intel_drain_pasid_prq({ iommu, pri_enabled: true, did: 1, sid: 0x100, pfsid: 0x100, qdep: 0 }, 0));
    expect(runs[0]!.map((e) => e.type)).toEqual(['Invalidation Wait', 'IOTLB Invalidation', 'Device-TLB Invalidation', 'Invalidation Wait']);
  });

  test('the drain races a 0-count submission safely on v6.12 and locks up on v6.11', async () => {
    const drain = (iommu: IntelIommu) => intel_drain_pasid_prq({ iommu, pri_enabled: true, did: 1, sid: 0x100, pfsid: 0x100, qdep: 0 }, 5);
    const zero = (iommu: IntelIommu) => intel_iommu_dma_drain(iommu);
    const fixed = await explore(qiMachine({ variant: 'v6.12', cpus: [drain, zero] }), { strategy: 'dpor' });
    expect(fixed.failures).toEqual([]);
    expect(fixed.exhausted).toBe(true);
    const buggy = await explore(qiMachine({ variant: 'v6.11', cpus: [drain, zero] }), { strategy: 'dpor', stopOnFirstFailure: true });
    expect(buggy.failures.map((f) => f.kind)).toEqual(['soft-lockup']);
  });
});

describe('the first read of desc->qw0 (v5.14+)', () => {
  test('a 0-count call with no descriptor oopses in qi_submit_sync, as a NULL desc does', async () => {
    const result = await explore(qiMachine({ variant: 'v6.12', cpus: [(iommu) => qi_submit_sync(iommu, [], 0, 0)] }), { strategy: 'dpor' });
    expect(result.failures.map((f) => [f.kind, f.report.location])).toEqual([['oops', 'qi_submit_sync']]);
    expect(result.failures[0]!.title).toMatch(/NULL pointer dereference: qi_submit_sync\(\) reads desc->qw0/);
  });

  test('the DMA drain passes a descriptor and submits only its wait', async () => {
    const runs = await executedBy((iommu) => intel_iommu_dma_drain(iommu));
    expect(runs.every((executed) => executed.map((e) => `${e.tag}: ${e.type}`).join() === 'WD1: Invalidation Wait')).toBe(true);
  });
});

describe('the unit\'s registers', () => {
  test('GSTS follows GCMD, FSTS error bits are write-1-to-clear, IQH is read-only', async () => {
    const seen: string[] = [];
    const result = await explore(qiMachine({
      variant: 'v6.12',
      cpus: [async (iommu) => {
        seen.push(`QIES=${((await readl(iommu.reg[DMAR_GSTS_REG])) & DMA_GSTS_QIES) !== 0}`);
        iommu.reg[DMAR_FSTS_REG].set(DMA_FSTS_IQE | DMA_FSTS_ICE);
        await writel(iommu.reg[DMAR_FSTS_REG], DMA_FSTS_ICE);
        seen.push(`FSTS=${await readl(iommu.reg[DMAR_FSTS_REG])}`);
        iommu.reg[DMAR_FSTS_REG].set(0);
        await writel(iommu.reg[DMAR_IQH_REG], 0x40);
        seen.push(`IQH=${await readl(iommu.reg[DMAR_IQH_REG])}`);
      }],
    }), { strategy: 'dpor' });
    expect(result.failures).toEqual([]);
    expect(seen.slice(0, 3)).toEqual(['QIES=true', `FSTS=${DMA_FSTS_IQE}`, 'IQH=0']);
  });
});

describe('variant bindings', () => {
  test('every variant before v6.12 gets the QI_DONE reclaim, v6.12 and later the QI_FREE one', () => {
    const fixed = KERNEL_VARIANTS.findIndex((v) => v.name === 'v6.12');
    KERNEL_VARIANTS.forEach(({ name }, i) => {
      expect(resolveQiPolicy(name), name).toBeInstanceOf(i >= fixed ? QiFreeReclaim : QiDoneReclaim);
    });
  });

  test('an unknown variant is a usage error', () => {
    expect(() => resolveQiPolicy('v5.0-imaginary')).toThrow(/unknown kernel variant/);
  });
});
