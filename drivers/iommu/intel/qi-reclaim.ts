/**
 * The one thing 3cf74230c139 ("iommu/vt-d: Fix potential lockup if
 * qi_submit_sync called with 0 count", v6.12-rc1) changed in
 * drivers/iommu/intel/dmar.c: what a submitter writes into its slots once it
 * has seen its wait complete, and which slots reclaim_free_desc() frees.
 *
 * The two behaviours are small strategies bound through inversify, one
 * container module per behaviour; `intelQiModule(variant)` picks the module
 * for a kernel variant (every variant before v6.12 has the old behaviour).
 * qi_submit_sync() itself is the same code in both.
 */
import { ContainerModule, injectable } from '../../../src/inversify.js';
import { variantAtLeast } from '../../../src/machine/kernel-variants.js';
import { QI_ABORT, QI_DONE, QI_FREE } from './iommu-defs.js';
import type { QInval } from './intel-iommu.js';

/** Emulator machinery: the variant-specific half of the QI slot bookkeeping. */
export interface QiReclaimPolicy {
  /** One line for reports: which kernels behave this way. */
  readonly summary: string;
  /**
   * The owner, with q_lock held, releases its slots after the poll loop (its
   * wait seen, or a fault broke the loop): `count` invalidation slots from
   * `index`, followed by its wait slot.
   */
  releaseSlots(qi: QInval, index: number, count: number): void;
  /** Models reclaim_free_desc(): advances free_tail over reclaimable slots; returns the slots freed. */
  reclaim_free_desc(qi: QInval): number[];
}

export const QI_RECLAIM_POLICY = Symbol.for('kemu.intel.QiReclaimPolicy');

/**
 * Before the fix (dmar.c, v5.8 to v6.11): the owner marks its invalidation
 * slots QI_DONE and leaves its wait slot as the hardware wrote it (QI_DONE);
 * reclaim frees every QI_DONE or QI_ABORT slot from free_tail and writes QI_FREE.
 * QI_DONE means both "the hardware finished this wait" and "reclaimable".
 */
@injectable()
export class QiDoneReclaim implements QiReclaimPolicy {
  readonly summary = 'before 3cf74230c139: owners mark invalidation slots QI_DONE; reclaim frees QI_DONE/QI_ABORT slots';

  /** Models the marking loop after the poll in qi_submit_sync() (dmar.c, v6.11). */
  releaseSlots(qi: QInval, index: number, count: number): void {
    for (let i = 0; i < count; i++) qi.desc_status.words.at((index + i) % qi.QI_LENGTH).set(QI_DONE);
  }

  /** Models reclaim_free_desc() (dmar.c, v6.11). */
  reclaim_free_desc(qi: QInval): number[] {
    const freed: number[] = [];
    for (;;) {
      const tail = qi.free_tail.get();
      const status = qi.desc_status.words.at(tail);
      const s = status.get();
      if (s !== QI_DONE && s !== QI_ABORT) break;
      status.set(QI_FREE);
      freed.push(tail);
      qi.free_tail.set((tail + 1) % qi.QI_LENGTH);
      qi.free_cnt.set(qi.free_cnt.get() + 1);
    }
    return freed;
  }
}

/**
 * After the fix (dmar.c, v6.12-rc1 on, 3cf74230c139): the owner marks all of
 * its slots, wait slot included, QI_FREE ("owner finished, reclaimable");
 * reclaim advances over QI_FREE slots up to free_head and writes nothing.
 * A wait slot the hardware completed stays QI_DONE until its owner has seen it.
 */
@injectable()
export class QiFreeReclaim implements QiReclaimPolicy {
  readonly summary = '3cf74230c139: owners mark all their slots QI_FREE; reclaim walks QI_FREE slots up to free_head';

  /** Models the marking loop after the poll in qi_submit_sync() (dmar.c, v6.12). */
  releaseSlots(qi: QInval, index: number, count: number): void {
    for (let i = 0; i <= count; i++) qi.desc_status.words.at((index + i) % qi.QI_LENGTH).set(QI_FREE);
  }

  /** Models reclaim_free_desc() (dmar.c, v6.12). */
  reclaim_free_desc(qi: QInval): number[] {
    const freed: number[] = [];
    for (;;) {
      const tail = qi.free_tail.get();
      if (qi.desc_status.words.at(tail).get() !== QI_FREE || tail === qi.free_head.get()) break;
      freed.push(tail);
      qi.free_tail.set((tail + 1) % qi.QI_LENGTH);
      qi.free_cnt.set(qi.free_cnt.get() + 1);
    }
    return freed;
  }
}

/** Kernels before v6.12: the QI_DONE-based reclaim. */
export const qiBeforeZeroCountFix = new ContainerModule(({ bind }) => {
  bind<QiReclaimPolicy>(QI_RECLAIM_POLICY).to(QiDoneReclaim).inSingletonScope();
});

/** v6.12-rc1 and later: the QI_FREE-based reclaim. */
export const qiAfterZeroCountFix = new ContainerModule(({ bind }) => {
  bind<QiReclaimPolicy>(QI_RECLAIM_POLICY).to(QiFreeReclaim).inSingletonScope();
});

/** The container module with the VT-d QI behaviour of a kernel variant (throws on an unknown name). */
export function intelQiModule(variant: string): ContainerModule {
  return variantAtLeast(variant, 'v6.12') ? qiAfterZeroCountFix : qiBeforeZeroCountFix;
}

/** The QI policy class of a kernel variant, for modules that bind it alongside other things. */
export function qiReclaimPolicyFor(variant: string): new () => QiReclaimPolicy {
  return variantAtLeast(variant, 'v6.12') ? QiFreeReclaim : QiDoneReclaim;
}
