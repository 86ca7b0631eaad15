/**
 * The VT-d driver's per-unit structures (drivers/iommu/intel/iommu.h, v6.11):
 * struct intel_iommu, one per DRHD, and struct q_inval, its queued
 * invalidation state. Everything CPUs share lives in visible memory: the ring
 * and desc_status in DMA memory (PhysMemory), the free_* bookkeeping in cells
 * protected by q_lock, the registers as MMIO registers.
 */
import { Cell } from '../../../src/kernel/memory/cell.js';
import { CellArray } from '../../../src/kernel/memory/cell-array.js';
import type { DmaBuffer, PhysMemory } from '../../../src/kernel/memory/phys-memory.js';
import { RawSpinlock } from '../../../src/kernel/locking/spinlock.js';
import type { LockClass } from '../../../src/kernel/locking/lock-base.js';
import { current } from '../../../src/kernel/sched/current.js';
import { KemuError } from '../../../src/kernel/errors.js';
import { IommuDevice } from '../../../src/iommu/iommu.js';
import type { DmarHardware, DmarRegisterFile } from './dmar-hw.js';
import { formatQiDesc } from './dmar-hw.js';
import {
  DMAR_CAP_REG, DMAR_ECAP_REG, DMAR_IQ_SHIFT, QI_FREE, QI_LENGTH, ZERO_DESC, ecap_smts, formatQiStatus, type qi_desc,
} from './iommu-defs.js';
import type { QiReclaimPolicy } from './qi-reclaim.js';

const Q_LOCK_CLASS: LockClass = { name: '&qi->q_lock' };
const REGISTER_LOCK_CLASS: LockClass = { name: '&iommu->register_lock' };

/** What the ITE path's device_rbtree_find() needs of a probed device (dmar.c, v6.9+). */
export interface IntelIommuProbedDevice {
  readonly dev_name: string;
  /** dev_is_pci(dev) && pci_device_is_present(pdev). */
  pci_device_is_present(): boolean;
}

/** Models struct q_inval (drivers/iommu/intel/iommu.h, v6.11). */
export class QInval {
  /** raw_spinlock_t q_lock. */
  readonly q_lock: RawSpinlock;
  /** The descriptor ring (qi->desc): QI_LENGTH slots of 1 << qi_shift() bytes in DMA memory. */
  readonly desc: DmaBuffer<qi_desc>;
  /** int *desc_status: one word per slot; the hardware's status writes land here. */
  readonly desc_status: DmaBuffer<number>;
  /** First free entry: the next slot software fills (mirrors IQT). */
  readonly free_head: Cell<number>;
  /** Last free entry: the oldest slot not yet reclaimed. */
  readonly free_tail: Cell<number>;
  readonly free_cnt: Cell<number>;
  /** QI_LENGTH of this build: 256 upstream; scenarios shrink it so the ring wraps. */
  readonly QI_LENGTH: number;

  /**
   * Emulator bookkeeping, one cell per slot: the tag of the wait descriptor
   * whose owner is still polling that slot, or null. Nothing in the model
   * reads it; timelines and invariants do (so it is visible memory).
   */
  readonly polled_by: CellArray<string | null>;
  private readonly submissions = new Map<number, number>();

  constructor(iommu: IntelIommu) {
    const name = iommu.name;
    const length = iommu.qiLength;
    this.QI_LENGTH = length;
    this.q_lock = new RawSpinlock(name, Q_LOCK_CLASS);
    this.desc = iommu.phys.alloc<qi_desc>(`${name}.qi->desc`, length, 1 << qi_shift(iommu), ZERO_DESC, formatQiDesc);
    this.desc_status = iommu.phys.alloc<number>(`${name}.qi->desc_status`, length, 4, QI_FREE, formatQiStatus);
    this.free_head = new Cell(`${name}.qi->free_head`, 0);
    this.free_tail = new Cell(`${name}.qi->free_tail`, 0);
    this.free_cnt = new Cell(`${name}.qi->free_cnt`, length);
    this.polled_by = new CellArray<string | null>(`${name}.qi polled_by`, length, null);
  }

  /**
   * Emulator: names for one submission's descriptors, after the fix's
   * timeline: the task on CPU n is submitter T(n+1), its invalidation
   * descriptors are ID(n+1) (ID1a, ID1b… when there are several) and its wait
   * descriptor WD(n+1); later submissions by the same task get `#2`, `#3`.
   */
  nameSubmission(count: number): { ids: string[]; wait: string } {
    const task = current();
    const t = task.cpu + 1;
    const n = (this.submissions.get(task.pid) ?? 0) + 1;
    this.submissions.set(task.pid, n);
    const suffix = n === 1 ? '' : `#${n}`;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const letter = count === 1 ? '' : i < 26 ? String.fromCharCode(97 + i) : `.${i}`;
      ids.push(`ID${t}${letter}${suffix}`);
    }
    return { ids, wait: `WD${t}${suffix}` };
  }

  /** Emulator: how many submissions (restarts included) a task has made to this queue. */
  submissionsOf(pid: number): number {
    return this.submissions.get(pid) ?? 0;
  }

  /** Emulator: the tag of the descriptor in a slot (for notes; not an access). */
  tagOf(slot: number): string {
    return this.desc.words.at(slot).value.tag ?? `slot ${slot}`;
  }
}

export interface IntelIommuOptions {
  /** `dmar0`, `dmar1`, … (dmar_alloc_seq_id). */
  readonly name: string;
  readonly seq_id: number;
  readonly hw: DmarHardware;
  readonly phys: PhysMemory;
  /** The variant's QI slot bookkeeping (see qi-reclaim.ts). */
  readonly qiPolicy: QiReclaimPolicy;
  /** QI_LENGTH of this build (default 256). */
  readonly qiLength?: number;
  readonly segment?: number;
}

/** Models struct intel_iommu (drivers/iommu/intel/iommu.h, v6.11): the parts the model uses. */
export class IntelIommu {
  readonly name: string;
  readonly seq_id: number;
  /** iommu->reg: the mapped register file (map_iommu). */
  readonly reg: DmarRegisterFile;
  readonly cap: bigint;
  readonly ecap: bigint;
  /** Software copy of the enabled GCMD bits. */
  gcmd = 0;
  readonly register_lock: RawSpinlock;
  qi: QInval | null = null;
  readonly segment: number;
  /** Probed devices by PCI requester id (v6.9+ device_rbtree). */
  readonly device_rbtree = new Map<number, IntelIommuProbedDevice>();
  /** The embedded struct iommu_device the IOMMU core knows this unit by. */
  readonly iommu: IommuDevice;
  /** The DRHD this unit was allocated for (iommu->drhd), when it came from a DMAR table. */
  drhd: unknown = null;

  /** Emulator: memory the unit's DMA reaches, and the variant's QI behaviour. */
  readonly phys: PhysMemory;
  readonly qiPolicy: QiReclaimPolicy;
  readonly qiLength: number;
  readonly hw: DmarHardware;

  constructor(options: IntelIommuOptions) {
    this.name = options.name;
    this.seq_id = options.seq_id;
    this.hw = options.hw;
    this.reg = options.hw.regs;
    this.phys = options.phys;
    this.qiPolicy = options.qiPolicy;
    this.qiLength = options.qiLength ?? QI_LENGTH;
    if (!Number.isInteger(this.qiLength) || this.qiLength < 4 || this.qiLength % 2 !== 0) {
      throw new KemuError('bad-usage', `${this.name}: QI_LENGTH must be an even integer >= 4, got ${this.qiLength}`);
    }
    this.segment = options.segment ?? 0;
    // map_iommu() reads CAP and ECAP once, before anything runs concurrently.
    this.cap = this.reg[DMAR_CAP_REG].value;
    this.ecap = this.reg[DMAR_ECAP_REG].value;
    this.register_lock = new RawSpinlock(this.name, REGISTER_LOCK_CLASS);
    this.iommu = new IommuDevice(this.name);
  }
}

/** Models qi_shift() (drivers/iommu/intel/iommu.h, v6.11): log2 of the descriptor size. */
export function qi_shift(iommu: IntelIommu): number {
  return DMAR_IQ_SHIFT + (ecap_smts(iommu.ecap) ? 1 : 0);
}
