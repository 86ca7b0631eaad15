/**
 * The page-request drain in drivers/iommu/intel/svm.c (v6.11/v6.12; it moved
 * to prq.c as intel_iommu_drain_pasid_prq() in v6.13), and the 0-count
 * submitter 3cf74230c139 prepares for.
 */
import { readl } from '../../../src/kernel/memory/mmio.js';
import { qi_desc_dev_iotlb, qi_desc_iotlb, qi_submit_sync } from './dmar.js';
import type { IntelIommu } from './intel-iommu.js';
import {
  DMAR_PRS_REG, DMA_PRS_PRO, DMA_TLB_DSI_FLUSH, IOMMU_NO_PASID, QI_DEIOTLB_TYPE, QI_DEV_EIOTLB_PASID, QI_DEV_EIOTLB_QDEP,
  QI_DEV_EIOTLB_SID, QI_DEV_IOTLB_PFSID, QI_DONE, QI_EIOTLB_DID, QI_EIOTLB_GRAN, QI_EIOTLB_PASID, QI_EIOTLB_TYPE,
  QI_GRAN_NONG_PASID, QI_IWD_FENCE, QI_IWD_STATUS_DATA, QI_IWD_TYPE, QI_OPT_WAIT_DRAIN, type qi_desc,
} from './iommu-defs.js';

/** The parts of struct device_domain_info the drain reads (drivers/iommu/intel/iommu.h, v6.11). */
export interface DrainTarget {
  readonly iommu: IntelIommu;
  /** info->pri_enabled */
  readonly pri_enabled: boolean;
  /** domain_id_iommu(info->domain, iommu) */
  readonly did: number;
  /** PCI_DEVID(info->bus, info->devfn) */
  readonly sid: number;
  readonly pfsid: number;
  /** pci_ats_queue_depth(pdev) */
  readonly qdep: number;
}

/**
 * Models intel_drain_pasid_prq() (drivers/iommu/intel/svm.c, v6.11): after a
 * PASID's translation is torn down, drain its page requests with three
 * descriptors submitted together with QI_OPT_WAIT_DRAIN: a fence-only wait
 * (no status write: a wait that is part of the submission but never polled),
 * an IOTLB (or PASID-IOTLB) flush and a device-TLB (or PASID device-TLB)
 * flush. The page request queue itself is not modelled: the scan for pending
 * requests finds none and PRS.PRO is never set, so no retry happens.
 */
export async function intel_drain_pasid_prq(info: DrainTarget, pasid: number): Promise<void> {
  if (!info.pri_enabled) return;
  const iommu = info.iommu;
  const { did, sid, qdep } = info;
  const desc: qi_desc[] = [
    { qw0: QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_FENCE | QI_IWD_TYPE, qw1: 0n, qw2: 0n, qw3: 0n },
  ];
  if (pasid === IOMMU_NO_PASID) {
    desc.push(qi_desc_iotlb(iommu, did, 0n, 0, DMA_TLB_DSI_FLUSH));
    desc.push(qi_desc_dev_iotlb(sid, info.pfsid, qdep, 0n, 64 - 12));
  } else {
    desc.push({ qw0: QI_EIOTLB_PASID(pasid) | QI_EIOTLB_DID(did) | QI_EIOTLB_GRAN(QI_GRAN_NONG_PASID) | QI_EIOTLB_TYPE, qw1: 0n, qw2: 0n, qw3: 0n });
    desc.push({ qw0: QI_DEV_EIOTLB_PASID(pasid) | QI_DEV_EIOTLB_SID(sid) | QI_DEV_EIOTLB_QDEP(qdep) | QI_DEIOTLB_TYPE | QI_DEV_IOTLB_PFSID(info.pfsid), qw1: 0n, qw2: 0n, qw3: 0n });
  }
  for (;;) { // qi_retry:
    await qi_submit_sync(iommu, desc, 3, QI_OPT_WAIT_DRAIN);
    if (!((await readl(iommu.reg[DMAR_PRS_REG])) & DMA_PRS_PRO)) return;
    // PRO set: the kernel waits for prq_complete and resubmits; the model never overflows a PRQ.
  }
}

/**
 * A hypothetical caller, not in any kernel: a DMA drain that submits a bare
 * wait descriptor with qi_submit_sync(iommu, &desc, 0, 0). 3cf74230c139 names
 * such a "DMA drain" user as the reason for the fix; no in-tree caller passed
 * count 0 when it was merged. It passes a zeroed descriptor because
 * qi_submit_sync() reads desc->qw0 whatever the count (v5.14+, see dmar.ts);
 * type 0 is none the latency sampling counts.
 */
export async function intel_iommu_dma_drain(iommu: IntelIommu): Promise<number> {
  const desc: qi_desc = { qw0: 0n, qw1: 0n, qw2: 0n, qw3: 0n };
  return qi_submit_sync(iommu, [desc], 0, 0);
}
