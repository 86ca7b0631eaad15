/**
 * Queued invalidation in drivers/iommu/intel/dmar.c (v6.11 and v6.12):
 * enabling the queue, qi_submit_sync() with its fault handling, and the flush
 * helpers built on it. The two kernels differ only in how slots are released
 * and reclaimed after a submission; that half is the injected QiReclaimPolicy
 * (qi-reclaim.ts). Everything else here is the same code in both.
 *
 * Scheduling points are where the kernel touches shared state without q_lock
 * (the status word the hardware writes, READ_ONCE) or talks to the hardware
 * (readl/writel), plus the lock operations and cpu_relax().
 */
import { raw_spin_lock, raw_spin_lock_irqsave, raw_spin_unlock, raw_spin_unlock_irqrestore } from '../../../src/kernel/locking/spinlock.js';
import { readl, readq, writel, writeq } from '../../../src/kernel/memory/mmio.js';
import { READ_ONCE } from '../../../src/kernel/memory/once.js';
import { cpu_relax, spin_begin } from '../../../src/kernel/sched/relax.js';
import { BUG, WARN_ON, kemu_note, kemu_noting } from '../../../src/kernel/assert.js';
import { pr_err, pr_info } from '../../../src/kernel/printk.js';
import { EAGAIN, EINVAL, ENOENT, ETIMEDOUT, errname } from '../../../src/kernel/errno.js';
import type { Register } from '../../../src/kernel/memory/mmio.js';
import { IntelIommu, QInval, qi_shift } from './intel-iommu.js';
import {
  DMAR_FSTS_REG, DMAR_GCMD_REG, DMAR_GSTS_REG, DMAR_IQA_REG, DMAR_IQER_REG, DMAR_IQH_REG, DMAR_IQT_REG,
  DMAR_IQER_REG_ICESID, DMAR_IQER_REG_IQEI, DMAR_IQER_REG_ITESID, DMA_FSTS_ICE, DMA_FSTS_IQE, DMA_FSTS_ITE,
  DMA_GCMD_QIE, DMA_GCMD_TE, DMA_GSTS_QIES, DMA_GSTS_TES, QI_ABORT, QI_CC_DID, QI_CC_FM, QI_CC_GRAN, QI_CC_SID,
  QI_CC_TYPE, QI_DEV_IOTLB_ADDR, QI_DEV_IOTLB_MAX_INVS, QI_DEV_IOTLB_PFSID, QI_DEV_IOTLB_QDEP,
  QI_DEV_IOTLB_SID, QI_DEV_IOTLB_SIZE, QI_DIOTLB_TYPE, QI_DONE, QI_EIOTLB_ADDR, QI_EIOTLB_AM, QI_EIOTLB_DID,
  QI_EIOTLB_GRAN, QI_EIOTLB_IH, QI_EIOTLB_PASID, QI_EIOTLB_TYPE, QI_GRAN_NONG_PASID, QI_GRAN_PSI_PASID,
  QI_IEC_TYPE, QI_IN_USE, QI_IOTLB_ADDR, QI_IOTLB_AM, QI_IOTLB_DID, QI_IOTLB_DR, QI_IOTLB_DW, QI_IOTLB_GRAN,
  QI_IOTLB_IH, QI_IOTLB_TYPE, QI_IWD_PRQ_DRAIN, QI_IWD_STATUS_DATA, QI_IWD_STATUS_WRITE, QI_IWD_TYPE,
  QI_OPT_WAIT_DRAIN, QI_PC_DID, QI_PC_GRAN, QI_PC_PASID, QI_PC_TYPE, VTD_PAGE_SHIFT, cap_read_drain,
  cap_write_drain, ecap_qis, ecap_smts, formatQiStatus, qi_desc_type, qi_type_string, type qi_desc,
} from './iommu-defs.js';

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

/** virt_to_phys(&qi->desc_status[i]): the bus address the hardware's status write goes to. */
function desc_status_phys(qi: QInval, index: number): bigint {
  return BigInt(qi.desc_status.dma_handle + index * qi.desc_status.wordSize);
}

/** Each slot of a submission (its descriptors and its wait) with its status now, read as the model sees it, not as a CPU access. */
function slotStatuses(qi: QInval, index: number, count: number): [slot: number, status: number][] {
  const slots: [number, number][] = [];
  for (let i = 0; i <= count; i++) {
    const slot = (index + i) % qi.QI_LENGTH;
    slots.push([slot, qi.desc_status.words.at(slot).value]);
  }
  return slots;
}

/** Models IOMMU_WAIT_OP (drivers/iommu/intel/iommu.h, v6.11): poll a status register until `cond` holds. */
async function IOMMU_WAIT_OP(reg: Register<number>, cond: (sts: number) => boolean): Promise<number> {
  spin_begin();
  for (;;) {
    const sts = await readl(reg);
    if (cond(sts)) return sts;
    // The kernel panics after DMAR_OPERATION_TIMEOUT; a register nothing will change shows up as a lockup here.
    await cpu_relax();
  }
}

/** Models __dmar_enable_qi() (drivers/iommu/intel/dmar.c, v6.11). */
async function __dmar_enable_qi(iommu: IntelIommu): Promise<void> {
  const qi = iommu.qi!;
  let val = BigInt(qi.desc.dma_handle);
  qi.free_head.set(0);
  qi.free_tail.set(0);
  qi.free_cnt.set(qi.QI_LENGTH);
  // DW=1 and QS=1 when the unit supports scalable mode: 256 descriptors of 256 bits.
  if (ecap_smts(iommu.ecap)) val |= (1n << 11n) | 1n;

  const flags = await raw_spin_lock_irqsave(iommu.register_lock);
  await writel(iommu.reg[DMAR_IQT_REG], 0);
  await writeq(iommu.reg[DMAR_IQA_REG], val);
  iommu.gcmd |= DMA_GCMD_QIE;
  await writel(iommu.reg[DMAR_GCMD_REG], iommu.gcmd >>> 0);
  await IOMMU_WAIT_OP(iommu.reg[DMAR_GSTS_REG], (sts) => (sts & DMA_GSTS_QIES) !== 0);
  await raw_spin_unlock_irqrestore(iommu.register_lock, flags);
}

/**
 * Models dmar_enable_qi() (drivers/iommu/intel/dmar.c, v6.11): allocate the
 * ring (one page, two in scalable mode) and desc_status in DMA memory, then
 * program IQA and set GCMD.QIE.
 */
export async function dmar_enable_qi(iommu: IntelIommu): Promise<number> {
  if (!ecap_qis(iommu.ecap)) return -ENOENT;
  if (iommu.qi) return 0;
  iommu.qi = new QInval(iommu);
  await __dmar_enable_qi(iommu);
  return 0;
}

/** Models iommu_enable_translation() (drivers/iommu/intel/iommu.c, v6.11): set GCMD.TE and wait for GSTS.TES. */
export async function iommu_enable_translation(iommu: IntelIommu): Promise<void> {
  const flags = await raw_spin_lock_irqsave(iommu.register_lock);
  iommu.gcmd |= DMA_GCMD_TE;
  await writel(iommu.reg[DMAR_GCMD_REG], iommu.gcmd >>> 0);
  await IOMMU_WAIT_OP(iommu.reg[DMAR_GSTS_REG], (sts) => (sts & DMA_GSTS_TES) !== 0);
  await raw_spin_unlock_irqrestore(iommu.register_lock, flags);
}

/** Models qi_dump_fault() (drivers/iommu/intel/dmar.c, v6.8+): the QI fault report. */
async function qi_dump_fault(iommu: IntelIommu, fault: number): Promise<void> {
  const qi = iommu.qi!;
  const shift = qi_shift(iommu);
  let head = await readl(iommu.reg[DMAR_IQH_REG]);
  const iqe_err = await readq(iommu.reg[DMAR_IQER_REG]);
  if (fault & DMA_FSTS_IQE) pr_err(`DMAR: VT-d detected Invalidation Queue Error: Reason ${hex(DMAR_IQER_REG_IQEI(iqe_err))}`);
  if (fault & DMA_FSTS_ITE) pr_err(`DMAR: VT-d detected Invalidation Time-out Error: SID ${hex(DMAR_IQER_REG_ITESID(iqe_err))}`);
  if (fault & DMA_FSTS_ICE) pr_err(`DMAR: VT-d detected Invalidation Completion Error: SID ${hex(DMAR_IQER_REG_ICESID(iqe_err))}`);
  const at = (slot: number): qi_desc => qi.desc.words.at(slot).get();
  let desc = at(head >> shift);
  pr_err(`DMAR: QI HEAD: ${qi_type_string(qi_desc_type(desc))} qw0 = ${hex(desc.qw0)}, qw1 = ${hex(desc.qw1)}`);
  head = ((head >> shift) + qi.QI_LENGTH - 1) % qi.QI_LENGTH;
  desc = at(head);
  pr_err(`DMAR: QI PRIOR: ${qi_type_string(qi_desc_type(desc))} qw0 = ${hex(desc.qw0)}, qw1 = ${hex(desc.qw1)}`);
}

/**
 * Models qi_check_fault() (drivers/iommu/intel/dmar.c, v6.11 = v6.12): called
 * with q_lock held on every poll. IQE on the first descriptor of this
 * submission: replace it with our wait descriptor, clear IQE, -EINVAL. ITE:
 * mark fetched in-flight slots QI_ABORT (the pre-2026 walk: `head |= 1`, step
 * -2, which assumes waits sit at odd slots), -ETIMEDOUT if the device is gone,
 * -EAGAIN if our wait was aborted. ICE: clear it and carry on.
 */
export async function qi_check_fault(iommu: IntelIommu, index: number, wait_index: number): Promise<number> {
  const qi = iommu.qi!;
  const shift = qi_shift(iommu);
  const QI_LENGTH = qi.QI_LENGTH;
  const status = qi.desc_status.words;

  if (status.at(wait_index).get() === QI_ABORT) return -EAGAIN;

  const fault = await readl(iommu.reg[DMAR_FSTS_REG]);
  if (fault & (DMA_FSTS_IQE | DMA_FSTS_ITE | DMA_FSTS_ICE)) await qi_dump_fault(iommu, fault);

  // IQE: the head points at the bad descriptor, and nothing is fetched until IQE is cleared.
  if (fault & DMA_FSTS_IQE) {
    const head = await readl(iommu.reg[DMAR_IQH_REG]);
    if (head >> shift === index) {
      const bad = qi.tagOf(index);
      qi.desc.words.at(head >> shift).set(qi.desc.words.at(wait_index).get());
      await writel(iommu.reg[DMAR_FSTS_REG], DMA_FSTS_IQE);
      pr_info('DMAR: Invalidation Queue Error (IQE) cleared');
      kemu_note(() => `IQE on ${bad}: slot ${index} := copy of ${qi.tagOf(wait_index)}; clears IQE; -EINVAL`);
      return -EINVAL;
    }
  }

  // ITE: every pending wait descriptor was dropped, and nothing is fetched until ITE is cleared.
  if (fault & DMA_FSTS_ITE) {
    let head = await readl(iommu.reg[DMAR_IQH_REG]);
    head = ((head >> shift) - 1 + QI_LENGTH) % QI_LENGTH;
    head |= 1;
    let tail = await readl(iommu.reg[DMAR_IQT_REG]);
    tail = ((tail >> shift) - 1 + QI_LENGTH) % QI_LENGTH;
    const iqe_err = await readq(iommu.reg[DMAR_IQER_REG]);
    const ite_sid = Number(DMAR_IQER_REG_ITESID(iqe_err));
    await writel(iommu.reg[DMAR_FSTS_REG], DMA_FSTS_ITE);
    pr_info('DMAR: Invalidation Time-out Error (ITE) cleared');

    const aborted: number[] = [];
    let steps = 0;
    do {
      if (status.at(head).get() === QI_IN_USE) {
        status.at(head).set(QI_ABORT);
        aborted.push(head);
      }
      head = (head - 2 + QI_LENGTH) % QI_LENGTH;
      if (++steps > QI_LENGTH) {
        // `head` is odd and `tail` even: the do-while never ends. The CPU spins
        // here with q_lock held and interrupts off, touching nothing new.
        kemu_note(`ITE walk from odd slots can never reach tail slot ${tail}: this CPU loops forever`);
        spin_begin();
        for (;;) await cpu_relax();
      }
    } while (head !== tail);
    kemu_note(() => `ITE: aborts ${aborted.length ? aborted.map((s) => `slot ${s} (${qi.tagOf(s)})`).join(', ') : 'nothing'}`);

    // If the device is gone there is no point retrying (v6.9+). SID 0: older hardware, no SID.
    if (ite_sid) {
      const dev = iommu.device_rbtree.get(ite_sid);
      if (!dev || !dev.pci_device_is_present()) return -ETIMEDOUT;
    }
    if (status.at(wait_index).get() === QI_ABORT) return -EAGAIN;
  }

  if (fault & DMA_FSTS_ICE) {
    await writel(iommu.reg[DMAR_FSTS_REG], DMA_FSTS_ICE);
    pr_info('DMAR: Invalidation Completion Error (ICE) cleared');
  }
  return 0;
}

/**
 * Models qi_submit_sync() (drivers/iommu/intel/dmar.c, v5.8 to v6.12):
 * queue `count` descriptors plus a wait descriptor whose status write targets
 * desc_status[wait_index], ring the doorbell (IQT), and poll that status word
 * with q_lock dropped between polls and interrupts kept off, until the
 * hardware writes QI_DONE or qi_check_fault() reports an error. Then release
 * the slots and reclaim (the variant's policy), and restart on -EAGAIN.
 *
 * From v5.14 it first reads `desc->qw0` whatever `count` is (the descriptor
 * type its latency sampling keys on), so a caller with count 0 must still
 * pass a descriptor, as Sanjay Kumar noted on the 3cf74230c139 thread
 * (Sep 2024); with none the read is a NULL dereference. The sampling itself
 * is not modelled: dmar_latency_enabled() is false until debugfs enables it.
 */
export async function qi_submit_sync(iommu: IntelIommu, desc: readonly qi_desc[], count: number, options: number): Promise<number> {
  const qi = iommu.qi;
  if (!qi) return 0;
  // type = desc->qw0 & GENMASK_ULL(3, 0)
  if (desc[0] === undefined) BUG('kernel NULL pointer dereference: qi_submit_sync() reads desc->qw0 even when count is 0');
  const QI_LENGTH = qi.QI_LENGTH;
  const policy = iommu.qiPolicy;
  const status = qi.desc_status.words;

  for (;;) { // restart:
    let rc = 0;
    const tags = qi.nameSubmission(count);

    let flags = await raw_spin_lock_irqsave(qi.q_lock);
    // Room for the descriptors, one wait descriptor, and the slot that keeps IQT off IQH.
    spin_begin();
    while (qi.free_cnt.get() < count + 2) {
      await raw_spin_unlock_irqrestore(qi.q_lock, flags);
      await cpu_relax();
      flags = await raw_spin_lock_irqsave(qi.q_lock);
    }

    const index = qi.free_head.get();
    const wait_index = (index + count) % QI_LENGTH;
    const shift = qi_shift(iommu);

    for (let i = 0; i < count; i++) {
      const slot = (index + i) % QI_LENGTH;
      const d = desc[i]!;
      // memcpy of 1 << shift bytes: a 128-bit queue never sees qw2/qw3.
      qi.desc.words.at(slot).set({ qw0: d.qw0, qw1: d.qw1, qw2: shift === 4 ? 0n : d.qw2, qw3: shift === 4 ? 0n : d.qw3, tag: tags.ids[i] });
      status.at(slot).set(QI_IN_USE);
    }
    status.at(wait_index).set(QI_IN_USE);

    let qw0 = QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE;
    if (options & QI_OPT_WAIT_DRAIN) qw0 |= QI_IWD_PRQ_DRAIN;
    const wait_desc: qi_desc = { qw0, qw1: desc_status_phys(qi, wait_index), qw2: 0n, qw3: 0n, tag: tags.wait };
    qi.desc.words.at(wait_index).set(wait_desc);

    qi.free_head.set((qi.free_head.get() + count + 1) % QI_LENGTH);
    qi.free_cnt.set(qi.free_cnt.get() - (count + 1));

    // The doorbell: the hardware may start fetching from here on.
    await writel(iommu.reg[DMAR_IQT_REG], qi.free_head.get() << shift);
    kemu_note(() => [...tags.ids.map((tag, i) => `${tag} → slot ${(index + i) % QI_LENGTH} (IN_USE)`),
      `${tags.wait} → slot ${wait_index} (IN_USE)`, `IQT=${qi.free_head.value}`].join(', '));
    qi.polled_by.at(wait_index).set(tags.wait);

    spin_begin();
    for (;;) {
      const seen = await READ_ONCE(status.at(wait_index));
      if (seen === QI_DONE) break;
      if (seen !== QI_IN_USE) kemu_note(() => `${tags.wait} reads ${formatQiStatus(seen)}, not QI_DONE`);
      // Interrupts stay off while we poll, so an interrupt handler on this CPU
      // cannot queue a command and wait forever for free slots.
      rc = await qi_check_fault(iommu, index, wait_index);
      if (rc) break;
      await raw_spin_unlock(qi.q_lock);
      await cpu_relax();
      await raw_spin_lock(qi.q_lock);
    }
    qi.polled_by.at(wait_index).set(null);
    kemu_note(() => (rc ? `${tags.wait}: qi_check_fault() = ${errname(rc)}` : `sees ${tags.wait} == QI_DONE`));

    // The slots' statuses before the release, for the note after it: only a captured run keeps notes.
    const before = kemu_noting() ? slotStatuses(qi, index, count) : null;
    policy.releaseSlots(qi, index, count);
    if (before !== null) {
      const changed = before.filter(([slot, was]) => status.at(slot).value !== was);
      kemu_note(changed.length ? changed.map(([slot]) => `${qi.tagOf(slot)} := ${formatQiStatus(status.at(slot).value)}`).join(', ') : 'marks no slot');
    }
    const freed = policy.reclaim_free_desc(qi);
    kemu_note(() => {
      if (freed.length === 0) return `reclaim(): frees nothing (slot ${qi.free_tail.value} is ${formatQiStatus(status.at(qi.free_tail.value).value)})`;
      const stolen = freed.filter((s) => qi.polled_by.at(s).value !== null).map((s) => `${qi.polled_by.at(s).value}!`);
      return `reclaim(): frees slot ${freed.join(', ')}${stolen.length ? ` (${stolen.join(', ')})` : ''}`;
    });
    await raw_spin_unlock_irqrestore(qi.q_lock, flags);

    if (rc === -EAGAIN) {
      kemu_note('-EAGAIN: resubmits the whole batch');
      continue;
    }
    return rc;
  }
}

// ---------------------------------------------------------------------------
// Descriptor builders and the flush helpers (dmar.c, v6.11)
// ---------------------------------------------------------------------------

const desc = (qw0: bigint, qw1 = 0n, qw2 = 0n, qw3 = 0n): qi_desc => ({ qw0, qw1, qw2, qw3 });

/** Models qi_global_iec() (drivers/iommu/intel/dmar.c, v6.11): flush the whole interrupt entry cache. */
export async function qi_global_iec(iommu: IntelIommu): Promise<void> {
  await qi_submit_sync(iommu, [desc(QI_IEC_TYPE)], 1, 0);
}

/** Models qi_flush_context() (drivers/iommu/intel/dmar.c, v6.11): a context-cache invalidation. */
export async function qi_flush_context(iommu: IntelIommu, did: number, sid: number, fm: number, type: bigint): Promise<void> {
  const qw0 = QI_CC_FM(fm) | QI_CC_SID(sid) | QI_CC_DID(did) | QI_CC_GRAN(type) | QI_CC_TYPE;
  await qi_submit_sync(iommu, [desc(qw0)], 1, 0);
}

/** Models the IOTLB descriptor qi_flush_iotlb() builds (qi_desc_iotlb() from v6.12): drain bits from CAP. */
export function qi_desc_iotlb(iommu: IntelIommu, did: number, addr: bigint, size_order: number, type: bigint): qi_desc {
  const dw = cap_write_drain(iommu.cap) ? 1 : 0;
  const dr = cap_read_drain(iommu.cap) ? 1 : 0;
  const ih = 0;
  return desc(QI_IOTLB_DID(did) | QI_IOTLB_DR(dr) | QI_IOTLB_DW(dw) | QI_IOTLB_GRAN(type) | QI_IOTLB_TYPE,
    QI_IOTLB_ADDR(addr) | QI_IOTLB_IH(ih) | QI_IOTLB_AM(size_order));
}

/** Models qi_flush_iotlb() (drivers/iommu/intel/dmar.c, v6.11): an IOTLB invalidation. */
export async function qi_flush_iotlb(iommu: IntelIommu, did: number, addr: bigint, size_order: number, type: bigint): Promise<void> {
  await qi_submit_sync(iommu, [qi_desc_iotlb(iommu, did, addr, size_order, type)], 1, 0);
}

/** Models the descriptor qi_flush_dev_iotlb() builds (qi_desc_dev_iotlb() from v6.12). */
export function qi_desc_dev_iotlb(sid: number, pfsid: number, qdep: number, addr: bigint, mask: number): qi_desc {
  let qw1: bigint;
  if (mask) {
    addr |= (1n << (VTD_PAGE_SHIFT + BigInt(mask) - 1n)) - 1n;
    qw1 = QI_DEV_IOTLB_ADDR(addr) | QI_DEV_IOTLB_SIZE;
  } else {
    qw1 = QI_DEV_IOTLB_ADDR(addr);
  }
  if (qdep >= QI_DEV_IOTLB_MAX_INVS) qdep = 0;
  return desc(QI_DEV_IOTLB_SID(sid) | QI_DEV_IOTLB_QDEP(qdep) | QI_DIOTLB_TYPE | QI_DEV_IOTLB_PFSID(pfsid), qw1);
}

/**
 * Models qi_flush_dev_iotlb() (drivers/iommu/intel/dmar.c, v6.11): a
 * device-TLB (ATS) invalidation; skipped while translation is off (v6.7+).
 */
export async function qi_flush_dev_iotlb(iommu: IntelIommu, sid: number, pfsid: number, qdep: number, addr: bigint, mask: number): Promise<void> {
  if (!(iommu.gcmd & DMA_GCMD_TE)) return;
  await qi_submit_sync(iommu, [qi_desc_dev_iotlb(sid, pfsid, qdep, addr, mask)], 1, 0);
}

/**
 * Models qi_flush_piotlb() (drivers/iommu/intel/dmar.c, v6.11): a PASID-based
 * IOTLB invalidation; npages === -1 flushes the whole PASID.
 */
export async function qi_flush_piotlb(iommu: IntelIommu, did: number, pasid: number, addr: bigint, npages: number, ih: boolean): Promise<void> {
  if (WARN_ON(npages === 0, 'qi_flush_piotlb: npages == 0')) {
    pr_err(`DMAR: Invalid input npages = ${npages}`);
    return;
  }
  let d: qi_desc;
  if (npages === -1) {
    d = desc(QI_EIOTLB_PASID(pasid) | QI_EIOTLB_DID(did) | QI_EIOTLB_GRAN(QI_GRAN_NONG_PASID) | QI_EIOTLB_TYPE);
  } else {
    const mask = Math.ceil(Math.log2(npages));
    d = desc(QI_EIOTLB_PASID(pasid) | QI_EIOTLB_DID(did) | QI_EIOTLB_GRAN(QI_GRAN_PSI_PASID) | QI_EIOTLB_TYPE,
      QI_EIOTLB_ADDR(addr) | QI_EIOTLB_IH(ih ? 1 : 0) | QI_EIOTLB_AM(mask));
  }
  await qi_submit_sync(iommu, [d], 1, 0);
}

/** Models qi_flush_pasid_cache() (drivers/iommu/intel/dmar.c, v6.11): a PASID-cache invalidation. */
export async function qi_flush_pasid_cache(iommu: IntelIommu, did: number, granu: number, pasid: number): Promise<void> {
  await qi_submit_sync(iommu, [desc(QI_PC_PASID(pasid) | QI_PC_DID(did) | QI_PC_GRAN(granu) | QI_PC_TYPE)], 1, 0);
}
