/**
 * Definitions from drivers/iommu/intel/iommu.h (v6.11/v6.12) that the queued
 * invalidation model needs: register offsets, command and status bits, the
 * descriptor layout and its field macros, and the slot states of
 * `qi->desc_status`. Names are the kernel's, so they can be grepped for.
 *
 * 64-bit quantities (descriptor quadwords, CAP/ECAP, IQA, IQER) are `bigint`;
 * 32-bit registers are `number`.
 */

// ---------------------------------------------------------------------------
// Register offsets (iommu.h, "DMAR registers")
// ---------------------------------------------------------------------------

export const DMAR_VER_REG = 0x0;
export const DMAR_CAP_REG = 0x8;
export const DMAR_ECAP_REG = 0x10;
export const DMAR_GCMD_REG = 0x18;
export const DMAR_GSTS_REG = 0x1c;
export const DMAR_FSTS_REG = 0x34;
export const DMAR_IQH_REG = 0x80;
export const DMAR_IQT_REG = 0x88;
export const DMAR_IQA_REG = 0x90;
export const DMAR_ICS_REG = 0x9c;
export const DMAR_IQER_REG = 0xb0;
export const DMAR_PRS_REG = 0xdc;

/** The register names the model uses in reports, by offset. */
export const DMAR_REG_NAMES: Readonly<Record<number, string>> = {
  [DMAR_VER_REG]: 'VER_REG', [DMAR_CAP_REG]: 'CAP_REG', [DMAR_ECAP_REG]: 'ECAP_REG',
  [DMAR_GCMD_REG]: 'GCMD_REG', [DMAR_GSTS_REG]: 'GSTS_REG', [DMAR_FSTS_REG]: 'FSTS_REG',
  [DMAR_IQH_REG]: 'IQH_REG', [DMAR_IQT_REG]: 'IQT_REG', [DMAR_IQA_REG]: 'IQA_REG',
  [DMAR_ICS_REG]: 'ICS_REG', [DMAR_IQER_REG]: 'IQER_REG', [DMAR_PRS_REG]: 'PRS_REG',
};

// ---------------------------------------------------------------------------
// GCMD / GSTS bits
// ---------------------------------------------------------------------------

export const DMA_GCMD_TE = 0x8000_0000;
export const DMA_GCMD_SRTP = 0x4000_0000;
export const DMA_GCMD_WBF = 0x0800_0000;
export const DMA_GCMD_QIE = 0x0400_0000;
export const DMA_GCMD_IRE = 0x0200_0000;

export const DMA_GSTS_TES = 0x8000_0000;
export const DMA_GSTS_RTPS = 0x4000_0000;
export const DMA_GSTS_WBFS = 0x0800_0000;
export const DMA_GSTS_QIES = 0x0400_0000;
export const DMA_GSTS_IRES = 0x0200_0000;

// ---------------------------------------------------------------------------
// FSTS bits (each error bit is write-1-to-clear)
// ---------------------------------------------------------------------------

export const DMA_FSTS_PFO = 1 << 0;
export const DMA_FSTS_PPF = 1 << 1;
export const DMA_FSTS_IQE = 1 << 4;
export const DMA_FSTS_ICE = 1 << 5;
export const DMA_FSTS_ITE = 1 << 6;
export const DMA_FSTS_PRO = 1 << 7;

/** PRS_REG: page request overflow. */
export const DMA_PRS_PPR = 1 << 0;
export const DMA_PRS_PRO = 1 << 1;

/** ICS_REG: invalidation wait descriptor complete. */
export const DMA_ICS_IWC = 1 << 0;

/** IQER_REG fields (v6.5+ macros). */
export const DMAR_IQER_REG_IQEI = (reg: bigint): bigint => reg & 0xfn;
export const DMAR_IQER_REG_ITESID = (reg: bigint): bigint => (reg >> 32n) & 0xffffn;
export const DMAR_IQER_REG_ICESID = (reg: bigint): bigint => (reg >> 48n) & 0xffffn;

// ---------------------------------------------------------------------------
// ECAP bits (the ones the QI path and probe look at)
// ---------------------------------------------------------------------------

export const ecap_qis = (e: bigint): boolean => ((e >> 1n) & 1n) === 1n;
export const ecap_dev_iotlb_support = (e: bigint): boolean => ((e >> 2n) & 1n) === 1n;
export const ecap_pds = (e: bigint): boolean => ((e >> 42n) & 1n) === 1n;
export const ecap_smts = (e: bigint): boolean => ((e >> 43n) & 1n) === 1n;

export const ECAP_QIS = 1n << 1n;
export const ECAP_DT = 1n << 2n;
export const ECAP_PDS = 1n << 42n;
export const ECAP_SMTS = 1n << 43n;

/** cap_write_drain / cap_read_drain (CAP bits 54 and 55). */
export const cap_write_drain = (c: bigint): boolean => ((c >> 54n) & 1n) === 1n;
export const cap_read_drain = (c: bigint): boolean => ((c >> 55n) & 1n) === 1n;

// ---------------------------------------------------------------------------
// Queued invalidation
// ---------------------------------------------------------------------------

/** QI_LENGTH upstream. The model lets a scenario build the kernel with a smaller ring. */
export const QI_LENGTH = 256;
/** DMAR_IQ_SHIFT: 128-bit descriptors; qi_shift() adds one in scalable mode. */
export const DMAR_IQ_SHIFT = 4;

/** enum { QI_FREE, QI_IN_USE, QI_DONE, QI_ABORT }: the states of qi->desc_status[]. */
export const QI_FREE = 0;
export const QI_IN_USE = 1;
export const QI_DONE = 2;
export const QI_ABORT = 3;

const QI_STATUS_NAMES = ['QI_FREE', 'QI_IN_USE', 'QI_DONE', 'QI_ABORT'];

/** A desc_status word as reports print it. */
export function formatQiStatus(value: number): string {
  return QI_STATUS_NAMES[value] ?? String(value);
}

export const QI_CC_TYPE = 0x1n;
export const QI_IOTLB_TYPE = 0x2n;
export const QI_DIOTLB_TYPE = 0x3n;
export const QI_IEC_TYPE = 0x4n;
export const QI_IWD_TYPE = 0x5n;
export const QI_EIOTLB_TYPE = 0x6n;
export const QI_PC_TYPE = 0x7n;
export const QI_DEIOTLB_TYPE = 0x8n;
export const QI_PGRP_RESP_TYPE = 0x9n;
export const QI_PSTRM_RESP_TYPE = 0xan;

/** Models qi_type_string() (dmar.c, v6.8+): descriptor type names for fault dumps. */
export function qi_type_string(type: bigint): string {
  switch (type) {
    case QI_CC_TYPE: return 'Context-cache Invalidation';
    case QI_IOTLB_TYPE: return 'IOTLB Invalidation';
    case QI_DIOTLB_TYPE: return 'Device-TLB Invalidation';
    case QI_IEC_TYPE: return 'Interrupt Entry Cache Invalidation';
    case QI_IWD_TYPE: return 'Invalidation Wait';
    case QI_EIOTLB_TYPE: return 'PASID-based IOTLB Invalidation';
    case QI_PC_TYPE: return 'PASID-cache Invalidation';
    case QI_DEIOTLB_TYPE: return 'PASID-based Device-TLB Invalidation';
    case QI_PGRP_RESP_TYPE: return 'Page Group Response';
    default: return 'UNKNOWN';
  }
}

/** Models struct qi_desc: four quadwords; a 128-bit queue only sees qw0 and qw1. */
export interface qi_desc {
  readonly qw0: bigint;
  readonly qw1: bigint;
  readonly qw2: bigint;
  readonly qw3: bigint;
  /**
   * Emulator annotation, not memory content: who submitted this descriptor
   * (`ID1`, `WD2`), for timelines. Hardware never looks at it.
   */
  readonly tag?: string;
}

export const ZERO_DESC: qi_desc = { qw0: 0n, qw1: 0n, qw2: 0n, qw3: 0n };

/** qw0 bits 3:0. */
export const qi_desc_type = (d: qi_desc): bigint => d.qw0 & 0xfn;

// Context-cache invalidation
export const QI_CC_FM = (fm: number): bigint => BigInt(fm) << 48n;
export const QI_CC_SID = (sid: number): bigint => BigInt(sid) << 32n;
export const QI_CC_DID = (did: number): bigint => BigInt(did) << 16n;
/** DMA_CCMD_*_INVL sit at bits 62:61; QI_CC_GRAN shifts them down to bits 5:4. */
export const DMA_CCMD_INVL_GRANU_OFFSET = 61n;
export const DMA_CCMD_GLOBAL_INVL = 1n << 61n;
export const DMA_CCMD_DOMAIN_INVL = 2n << 61n;
export const DMA_CCMD_DEVICE_INVL = 3n << 61n;
export const QI_CC_GRAN = (gran: bigint): bigint => gran >> (DMA_CCMD_INVL_GRANU_OFFSET - 4n);

// IOTLB invalidation
export const QI_IOTLB_DID = (did: number): bigint => BigInt(did) << 16n;
export const QI_IOTLB_DR = (dr: number): bigint => BigInt(dr) << 7n;
export const QI_IOTLB_DW = (dw: number): bigint => BigInt(dw) << 6n;
export const DMA_TLB_FLUSH_GRANU_OFFSET = 60n;
export const DMA_TLB_GLOBAL_FLUSH = 1n << 60n;
export const DMA_TLB_DSI_FLUSH = 2n << 60n;
export const DMA_TLB_PSI_FLUSH = 3n << 60n;
export const QI_IOTLB_GRAN = (gran: bigint): bigint => gran >> (DMA_TLB_FLUSH_GRANU_OFFSET - 4n);
export const VTD_PAGE_SHIFT = 12n;
export const VTD_PAGE_MASK = ~((1n << VTD_PAGE_SHIFT) - 1n) & 0xffff_ffff_ffff_ffffn;
export const QI_IOTLB_ADDR = (addr: bigint): bigint => addr & VTD_PAGE_MASK;
export const QI_IOTLB_IH = (ih: number): bigint => BigInt(ih) << 6n;
export const QI_IOTLB_AM = (am: number): bigint => BigInt(am);

// Device-TLB invalidation
export const QI_DEV_IOTLB_SID = (sid: number): bigint => BigInt(sid) << 32n;
export const QI_DEV_IOTLB_QDEP = (qdep: number): bigint => BigInt(qdep & 0x1f) << 16n;
export const QI_DEV_IOTLB_ADDR = (addr: bigint): bigint => addr & VTD_PAGE_MASK;
export const QI_DEV_IOTLB_PFSID = (pfsid: number): bigint =>
  (BigInt(pfsid & 0xf) << 12n) | (BigInt(pfsid & 0xfff0) << 48n);
export const QI_DEV_IOTLB_SIZE = 1n;
export const QI_DEV_IOTLB_MAX_INVS = 32;

// PASID-based IOTLB invalidation
export const QI_EIOTLB_ADDR = (addr: bigint): bigint => addr & VTD_PAGE_MASK;
export const QI_EIOTLB_IH = (ih: number): bigint => BigInt(ih) << 6n;
export const QI_EIOTLB_AM = (am: number): bigint => BigInt(am & 0x3f);
export const QI_EIOTLB_PASID = (pasid: number): bigint => BigInt(pasid) << 32n;
export const QI_EIOTLB_DID = (did: number): bigint => BigInt(did) << 16n;
export const QI_EIOTLB_GRAN = (gran: number): bigint => BigInt(gran) << 4n;
export const QI_GRAN_NONG_PASID = 2;
export const QI_GRAN_PSI_PASID = 3;

// PASID-based device-TLB invalidation
export const QI_DEV_EIOTLB_ADDR = (a: bigint): bigint => a & VTD_PAGE_MASK;
export const QI_DEV_EIOTLB_SIZE = 1n << 11n;
export const QI_DEV_EIOTLB_PASID = (p: number): bigint => BigInt(p & 0xfffff) << 32n;
export const QI_DEV_EIOTLB_SID = (sid: number): bigint => BigInt(sid) << 16n;
export const QI_DEV_EIOTLB_QDEP = (qd: number): bigint => BigInt(qd & 0x1f) << 4n;
export const QI_DEV_EIOTLB_PFSID = QI_DEV_IOTLB_PFSID;

// PASID-cache invalidation
export const QI_PC_PASID = (pasid: number): bigint => BigInt(pasid) << 32n;
export const QI_PC_DID = (did: number): bigint => BigInt(did) << 16n;
export const QI_PC_GRAN = (gran: number): bigint => BigInt(gran) << 4n;
export const QI_PC_ALL_PASIDS = 0;
export const QI_PC_PASID_SEL = 1;
export const QI_PC_GLOBAL = 3;

// Invalidation wait descriptor
export const QI_IWD_STATUS_DATA = (d: number): bigint => BigInt(d) << 32n;
/** Spec bit 4, IF: raise the invalidation completion event; Linux's QI path never sets it. */
export const QI_IWD_IF = 1n << 4n;
export const QI_IWD_STATUS_WRITE = 1n << 5n;
export const QI_IWD_FENCE = 1n << 6n;
export const QI_IWD_PRQ_DRAIN = 1n << 7n;

/** qi_submit_sync() option: wait for PRQ drain completion (spec 6.5.2.8). */
export const QI_OPT_WAIT_DRAIN = 1 << 0;

/** IOMMU_NO_PASID (include/linux/iommu.h, v6.6+): the RID-only PASID. */
export const IOMMU_NO_PASID = 0;
