/**
 * The hardware side of one VT-d remapping unit (one DRHD): its MMIO registers
 * and the queued-invalidation engine, an agent that runs beside the CPUs.
 *
 * This is emulator machinery modelling the VT-d specification (sections 6.5.2
 * and 11.4.9, as summarised in docs/vtd-queued-invalidation.md), not kernel
 * code. Unlike QEMU's intel_iommu.c, which processes the whole queue inside
 * the guest's IQT write, the engine here is asynchronous: after the tail
 * write it fetches descriptors one visible step at a time, so a CPU can drop
 * q_lock, be overtaken, and find its wait descriptor completed (or reclaimed)
 * later. That is what real hardware does and what the 0-count race needs.
 *
 * What the engine does, in order from IQH to IQT:
 * - each descriptor is fetched with one visible read of its ring slot, and IQH
 *   moves past it in the same step;
 * - context-cache, IOTLB, IEC, PASID-IOTLB, PASID-cache invalidations and page
 *   responses complete at once (the model executes in order, which satisfies
 *   every ordering rule of the spec, fence included);
 * - device-TLB invalidations (plain and PASID) go to the device; fault injection
 *   (QI_DEV_IOTLB_TIMEOUT, QI_DEV_IOTLB_ICE) can make the device never answer
 *   (ITE) or answer wrongly (ICE);
 * - a wait descriptor with SW set performs its status write as a separate
 *   visible step: a 32-bit DMA write of the status data to the status address,
 *   which lands on the exact `desc_status` cell the submitter polls; IF sets
 *   ICS.IWC; FN and PD need nothing more in an in-order engine with no page
 *   request queue;
 * - an unknown type (or a PASID type on a 128-bit queue, or a status address
 *   nothing was allocated at) raises IQE and leaves IQH on the bad descriptor;
 * - while IQE or ITE is set the engine fetches nothing; it resumes when
 *   software clears the bit (write 1 to FSTS).
 *
 * With no work the engine reads its registers and calls cpu_relax(), so it is
 * runnable only after a CPU writes IQT, GCMD or FSTS.
 */
import { Register, type RegisterBehaviour } from '../../../src/kernel/memory/mmio.js';
import type { Cell } from '../../../src/kernel/memory/cell.js';
import type { PhysMemory } from '../../../src/kernel/memory/phys-memory.js';
import { READ_ONCE, WRITE_ONCE, atomic_rmw } from '../../../src/kernel/memory/once.js';
import { cpu_relax, spin_begin } from '../../../src/kernel/sched/relax.js';
import { kemu_note } from '../../../src/kernel/assert.js';
import type { Kernel } from '../../../src/kernel/kernel.js';
import type { Task } from '../../../src/kernel/sched/task.js';
import { KemuError } from '../../../src/kernel/errors.js';
import { should_fail } from '../../../src/kernel/fault-inject.js';
import {
  DMAR_CAP_REG, DMAR_ECAP_REG, DMAR_FSTS_REG, DMAR_GCMD_REG, DMAR_GSTS_REG, DMAR_ICS_REG, DMAR_IQA_REG,
  DMAR_IQER_REG, DMAR_IQH_REG, DMAR_IQT_REG, DMAR_PRS_REG, DMAR_VER_REG, DMA_FSTS_ICE, DMA_FSTS_IQE,
  DMA_FSTS_ITE, DMA_FSTS_PFO, DMA_FSTS_PRO, DMA_GCMD_IRE, DMA_GCMD_QIE, DMA_GCMD_SRTP, DMA_GCMD_TE,
  DMA_GSTS_IRES, DMA_GSTS_QIES, DMA_GSTS_RTPS, DMA_GSTS_TES, DMA_ICS_IWC, QI_CC_TYPE,
  QI_DEIOTLB_TYPE, QI_DIOTLB_TYPE, QI_EIOTLB_TYPE, QI_IEC_TYPE, QI_IOTLB_TYPE, QI_IWD_IF, QI_IWD_STATUS_WRITE,
  QI_IWD_TYPE, QI_PC_TYPE, QI_PGRP_RESP_TYPE, QI_PSTRM_RESP_TYPE, formatQiStatus, qi_desc_type, qi_type_string, type qi_desc,
} from './iommu-defs.js';

/**
 * Fault injection points (should_fail(), counted per run): the nth device-TLB
 * invalidation the engine fetches (plain or PASID-based) never gets an answer
 * from its device, so the engine raises ITE instead of completing the next
 * wait descriptor; or gets an invalid answer, so it raises ICE and carries on.
 * Use `explore(scenario, { faults: { [QI_DEV_IOTLB_TIMEOUT]: 1 } })`.
 */
export const QI_DEV_IOTLB_TIMEOUT = 'qi_dev_iotlb_timeout';
export const QI_DEV_IOTLB_ICE = 'qi_dev_iotlb_ice';

export interface DmarHardwareOptions {
  /** Unit name, as the kernel will name it (`dmar0`); prefixes every register name. */
  readonly name: string;
  /** Physical memory the engine reaches by DMA (the ring, the status words). */
  readonly phys: PhysMemory;
  /** CAP_REG value. */
  readonly cap?: bigint;
  /** ECAP_REG value; QIS must be set for queued invalidation. */
  readonly ecap: bigint;
  /**
   * Queue entries the engine wraps at. Architecturally the size comes from
   * IQA.QS (256 entries at the smallest); a smaller ring is a model knob that
   * must match the QI_LENGTH the kernel was built with.
   */
  readonly queueEntries?: number;
}

/** The register file of one unit, by offset: `iommu.reg[DMAR_IQT_REG]` reads like `iommu->reg + DMAR_IQT_REG`. */
export interface DmarRegisterFile {
  readonly [DMAR_VER_REG]: Register<number>;
  readonly [DMAR_CAP_REG]: Register<bigint>;
  readonly [DMAR_ECAP_REG]: Register<bigint>;
  readonly [DMAR_GCMD_REG]: Register<number>;
  readonly [DMAR_GSTS_REG]: Register<number>;
  readonly [DMAR_FSTS_REG]: Register<number>;
  readonly [DMAR_IQH_REG]: Register<number>;
  readonly [DMAR_IQT_REG]: Register<number>;
  readonly [DMAR_IQA_REG]: Register<bigint>;
  readonly [DMAR_ICS_REG]: Register<number>;
  readonly [DMAR_IQER_REG]: Register<bigint>;
  readonly [DMAR_PRS_REG]: Register<number>;
}

/** Bytes of register space the model decodes: up to PRS_REG's word. */
const REGISTER_SPAN = DMAR_PRS_REG + 4;

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

const FSTS_BITS: ReadonlyArray<[number, string]> = [
  [DMA_FSTS_PFO, 'PFO'], [1 << 1, 'PPF'], [DMA_FSTS_IQE, 'IQE'], [DMA_FSTS_ICE, 'ICE'], [DMA_FSTS_ITE, 'ITE'], [DMA_FSTS_PRO, 'PRO'],
];

function formatFsts(v: number): string {
  const bits = FSTS_BITS.filter(([bit]) => v & bit).map(([, name]) => name);
  return bits.length ? `${hex(v)} (${bits.join('|')})` : '0';
}

/** Write-1-to-clear bits of FSTS (PPF is read-only: it clears when the fault records do). */
const FSTS_W1C = DMA_FSTS_PFO | DMA_FSTS_IQE | DMA_FSTS_ICE | DMA_FSTS_ITE | DMA_FSTS_PRO;

/** A register software cannot write (a write is dropped); one object for every such register of every unit. */
const READ_ONLY = { onWrite: (): void => {} };
/** FSTS: its error bits are write-1-to-clear. */
const FSTS_BEHAVIOUR: RegisterBehaviour<number> = { onWrite: (reg, value) => reg.set(reg.get() & ~(value & FSTS_W1C)) };
/** ICS: IWC is write-1-to-clear. */
const ICS_BEHAVIOUR: RegisterBehaviour<number> = { onWrite: (reg, value) => reg.set(reg.get() & ~(value & DMA_ICS_IWC)) };

/** GCMD command bit → GSTS status bit, for the persistent enables the model honours. */
const GCMD_TO_GSTS: ReadonlyArray<[number, number]> = [
  [DMA_GCMD_TE, DMA_GSTS_TES], [DMA_GCMD_QIE, DMA_GSTS_QIES], [DMA_GCMD_IRE, DMA_GSTS_IRES],
];

/** How a descriptor reads in a trace: its submitter's tag and type. */
export function formatQiDesc(d: qi_desc): string {
  const type = qi_desc_type(d);
  const what = type === QI_IWD_TYPE ? `wait${d.qw0 & QI_IWD_STATUS_WRITE ? ' SW' : ''}` : TYPE_SHORT.get(type) ?? `type ${type}`;
  if (d.qw0 === 0n && d.qw1 === 0n) return 'empty';
  return d.tag ? `${d.tag} (${what})` : what;
}

const TYPE_SHORT = new Map<bigint, string>([
  [QI_CC_TYPE, 'context-cache inv'], [QI_IOTLB_TYPE, 'IOTLB inv'], [QI_DIOTLB_TYPE, 'device-TLB inv'],
  [QI_IEC_TYPE, 'IEC inv'], [QI_EIOTLB_TYPE, 'PASID-IOTLB inv'], [QI_PC_TYPE, 'PASID-cache inv'],
  [QI_DEIOTLB_TYPE, 'PASID device-TLB inv'], [QI_PGRP_RESP_TYPE, 'page group response'], [QI_PSTRM_RESP_TYPE, 'page stream response'],
]);

/** IQA_REG bit 11: 256-bit descriptors. */
const IQA_DW = 1n << 11n;
/** IQER.IQEI the model reports: 0, "information not available", as pre-3.0 hardware does. */
const IQEI_NOT_AVAILABLE = 0n;

export class DmarHardware {
  readonly name: string;
  readonly regs: DmarRegisterFile;
  /**
   * Emulator observability: each descriptor the engine executed in this run,
   * in order (a tag, its type, qw0), for tests and tools. Not a register.
   */
  readonly executed: Array<{ readonly tag: string; readonly type: string; readonly qw0: bigint }> = [];
  /** The queue engine's task, once QI has been enabled. */
  agent: Task | null = null;
  private kernel: Kernel | null = null;

  private readonly phys: PhysMemory;
  private readonly queueEntries: number | undefined;
  /** A device-TLB invalidation whose device will never answer: its SID, until ITE is raised. */
  private timedOutSid: number | null = null;
  /**
   * The engine's fetch pointer. IQH mirrors it for software; the engine keeps
   * its own copy rather than reading its register back.
   */
  private head = 0;
  /** The tail the engine last sampled from IQT; it reads IQT again when IQH reaches it. */
  private latchedTail: number | null = null;
  /** The SID the last ITE reported. */
  private lastIteSid = 0;

  constructor(options: DmarHardwareOptions) {
    this.name = options.name;
    this.phys = options.phys;
    this.queueEntries = options.queueEntries;
    const n = (reg: string): string => `${options.name}.${reg}`;
    const gsts = new Register<number>(n('GSTS_REG'), 0, READ_ONLY, hex);
    const iqh = new Register<number>(n('IQH_REG'), 0, READ_ONLY, (v) => this.formatOffset(v));
    // An array indexed by offset, made at its full size. An object literal with computed keys had V8
    // define each register through its runtime: a fifth of the instructions of a QI run's first three
    // steps, for every run builds its unit afresh.
    const regs = new Array<Register<number> | Register<bigint>>(REGISTER_SPAN);
    regs[DMAR_VER_REG] = new Register<number>(n('VER_REG'), 0x10, READ_ONLY, hex);
    regs[DMAR_CAP_REG] = new Register<bigint>(n('CAP_REG'), options.cap ?? 0n, READ_ONLY, hex);
    regs[DMAR_ECAP_REG] = new Register<bigint>(n('ECAP_REG'), options.ecap, READ_ONLY, hex);
    regs[DMAR_GCMD_REG] = new Register<number>(n('GCMD_REG'), 0, { onWrite: (reg, value) => this.gcmdWrite(reg, value, gsts, iqh) }, hex);
    regs[DMAR_GSTS_REG] = gsts;
    regs[DMAR_FSTS_REG] = new Register<number>(n('FSTS_REG'), 0, FSTS_BEHAVIOUR, formatFsts);
    regs[DMAR_IQH_REG] = iqh;
    regs[DMAR_IQT_REG] = new Register<number>(n('IQT_REG'), 0, undefined, (v) => this.formatOffset(v));
    regs[DMAR_IQA_REG] = new Register<bigint>(n('IQA_REG'), 0n, undefined, hex);
    regs[DMAR_ICS_REG] = new Register<number>(n('ICS_REG'), 0, ICS_BEHAVIOUR, hex);
    regs[DMAR_IQER_REG] = new Register<bigint>(n('IQER_REG'), 0n, READ_ONLY, hex);
    regs[DMAR_PRS_REG] = new Register<number>(n('PRS_REG'), 0, undefined, hex);
    this.regs = regs as unknown as DmarRegisterFile;
  }

  /**
   * Powers the unit on in a run. Its queue engine starts (as a hardware task)
   * when software first sets GCMD.QIE; before that it has nothing to do.
   */
  powerOn(kernel: Kernel): void {
    if (this.kernel) throw new KemuError('bad-usage', `${this.name} is already powered on`);
    this.kernel = kernel;
  }

  /** Queue entries: the model override, or what IQA.QS and IQA.DW give. */
  private entries(iqa: bigint): number {
    if (this.queueEntries !== undefined) return this.queueEntries;
    const qs = Number(iqa & 7n);
    return (1 << (qs + 8)) >> ((iqa & IQA_DW) !== 0n ? 1 : 0);
  }

  private shift(iqa: bigint): number {
    return (iqa & IQA_DW) !== 0n ? 5 : 4;
  }

  private formatOffset(v: number): string {
    const shift = this.shift(this.regs[DMAR_IQA_REG].value);
    return `${hex(v)} (slot ${v >> shift})`;
  }

  private gcmdWrite(reg: Register<number>, value: number, gsts: Register<number>, iqh: Register<number>): void {
    reg.set(value);
    let status = gsts.get();
    for (const [cmd, sts] of GCMD_TO_GSTS) status = value & cmd ? status | sts : status & ~sts;
    // One-shot commands complete at once: SRTP sets RTPS; a write-buffer flush (WBF) is done before it is seen.
    if (value & DMA_GCMD_SRTP) status |= DMA_GSTS_RTPS;
    if (value & DMA_GCMD_QIE && !this.agent) {
      if (!this.kernel) throw new KemuError('bad-usage', `${this.name}: GCMD.QIE set before the unit was powered on`);
      this.agent = this.kernel.spawn(`${this.name}-qi`, () => this.run(), { kind: 'hardware' });
    }
    // Disabling queued invalidation resets the head (spec 10.4.22).
    if (!(value & DMA_GCMD_QIE) && gsts.get() & DMA_GSTS_QIES) {
      iqh.set(0);
      this.head = 0;
      this.latchedTail = null;
    }
    gsts.set(status >>> 0);
  }

  /** The engine: runs for the whole run (a daemon), fetching while there is work. */
  private async run(): Promise<never> {
    const r = this.regs;
    for (;;) {
      // Each pass is one poll of the registers, ended by cpu_relax() when there is nothing to fetch.
      spin_begin();
      if (!(r[DMAR_GSTS_REG].get() & DMA_GSTS_QIES)) {
        this.latchedTail = null;
        this.head = 0;
        await cpu_relax();
        continue;
      }
      if (r[DMAR_FSTS_REG].get() & (DMA_FSTS_IQE | DMA_FSTS_ITE)) {
        await cpu_relax();
        continue;
      }
      const iqa = r[DMAR_IQA_REG].get();
      const shift = this.shift(iqa);
      const entries = this.entries(iqa);
      const head = this.head;
      if (this.latchedTail === null || head === this.latchedTail) {
        // The engine samples the doorbell only when it has run out of known work.
        const tail = r[DMAR_IQT_REG].get();
        if ((shift === 5 && tail & 0x10) || tail >> shift >= entries) {
          // An invalid tail (spec 6.5.2: misaligned for 256-bit descriptors, or past the queue).
          await this.raiseIqe(`invalid tail ${hex(tail)}`);
          continue;
        }
        this.latchedTail = tail;
        if (head === tail) {
          if (this.timedOutSid !== null) {
            await this.raiseIte('no wait descriptor followed');
            continue;
          }
          await cpu_relax();
          continue;
        }
      }
      await this.fetch(iqa, shift, entries, head);
    }
  }

  /** Fetches and executes the descriptor at IQH: one visible step, plus one for a status write. */
  private async fetch(iqa: bigint, shift: number, entries: number, head: number): Promise<void> {
    const r = this.regs;
    const slot = head >> shift;
    const base = Number(iqa & ~0xfffn);
    const ringCell = this.phys.cellAt(base + head);
    const desc = (await READ_ONCE(ringCell)) as qi_desc;
    const type = qi_desc_type(desc);
    const tag = desc.tag ?? `slot ${slot}`;
    const pasidType = type === QI_EIOTLB_TYPE || type === QI_PC_TYPE || type === QI_DEIOTLB_TYPE;
    if ((!TYPE_SHORT.has(type) && type !== QI_IWD_TYPE) || (pasidType && shift === 4)) {
      this.setIqe();
      kemu_note(() => `* IQE: ${tag} in slot ${slot} is not a valid descriptor (qw0 ${hex(desc.qw0)}); IQH stays at ${slot}`);
      return;
    }
    if (type === QI_IWD_TYPE && desc.qw0 & QI_IWD_STATUS_WRITE && !this.statusCell(desc)) {
      this.setIqe();
      kemu_note(() => `* IQE: ${tag} status address ${hex(desc.qw1)} is not memory`);
      return;
    }
    this.head = (((slot + 1) % entries) << shift) >>> 0;
    r[DMAR_IQH_REG].set(this.head);
    const executed = (): void => void this.executed.push({ tag, type: qi_type_string(type), qw0: desc.qw0 });

    switch (type) {
      case QI_IWD_TYPE: {
        if (this.timedOutSid !== null) {
          // A device-TLB invalidation ahead of this wait never completes: the wait is not completed.
          this.setIte();
          kemu_note(() => `* ITE: device ${hex(this.lastIteSid)} timed out; ${tag} is not completed`);
          return;
        }
        executed();
        if (desc.qw0 & QI_IWD_IF) r[DMAR_ICS_REG].set(r[DMAR_ICS_REG].get() | DMA_ICS_IWC);
        if (desc.qw0 & QI_IWD_STATUS_WRITE) {
          const cell = this.statusCell(desc)!;
          const data = Number(desc.qw0 >> 32n);
          await WRITE_ONCE(cell, data);
          kemu_note(() => `* ${tag} status = ${formatQiStatus(data)}`);
        } else {
          kemu_note(() => `* ${tag} done (no status write)`);
        }
        return;
      }
      case QI_DIOTLB_TYPE:
      case QI_DEIOTLB_TYPE: {
        const timeout = should_fail(QI_DEV_IOTLB_TIMEOUT);
        const badCompletion = should_fail(QI_DEV_IOTLB_ICE);
        const sid = Number(type === QI_DIOTLB_TYPE ? (desc.qw0 >> 32n) & 0xffffn : (desc.qw0 >> 16n) & 0xffffn);
        if (timeout) {
          this.timedOutSid = sid;
          kemu_note(() => `* ${tag} sent to device ${hex(sid)}, which does not answer`);
          return;
        }
        if (badCompletion) {
          r[DMAR_FSTS_REG].set(r[DMAR_FSTS_REG].get() | DMA_FSTS_ICE);
          r[DMAR_IQER_REG].set((r[DMAR_IQER_REG].get() & ~(0xffffn << 48n)) | (BigInt(sid) << 48n));
          kemu_note(() => `* ICE: ${tag} completion from ${hex(sid)} is invalid`);
          return;
        }
        executed();
        kemu_note(() => `* ${tag} done`);
        return;
      }
      default:
        executed();
        kemu_note(() => `* ${tag} done`);
    }
  }

  /** The cell a wait descriptor's status write lands on, or null if no memory is there. */
  private statusCell(desc: qi_desc): Cell<unknown> | null {
    try {
      return this.phys.cellAt(Number(desc.qw1 & ~3n));
    } catch {
      return null;
    }
  }

  private setIqe(): void {
    const r = this.regs;
    r[DMAR_FSTS_REG].set(r[DMAR_FSTS_REG].get() | DMA_FSTS_IQE);
    r[DMAR_IQER_REG].set((r[DMAR_IQER_REG].get() & ~0xfn) | IQEI_NOT_AVAILABLE);
  }

  private setIte(): void {
    const r = this.regs;
    const sid = this.timedOutSid ?? 0;
    this.lastIteSid = sid;
    this.timedOutSid = null;
    r[DMAR_FSTS_REG].set(r[DMAR_FSTS_REG].get() | DMA_FSTS_ITE);
    r[DMAR_IQER_REG].set((r[DMAR_IQER_REG].get() & ~(0xffffn << 32n)) | (BigInt(sid) << 32n));
  }

  /** IQE raised outside a fetch (an invalid tail): its own visible step. */
  private async raiseIqe(why: string): Promise<void> {
    await atomic_rmw(this.regs[DMAR_FSTS_REG], (v) => v | DMA_FSTS_IQE);
    this.setIqe();
    kemu_note(() => `* IQE: ${why}`);
  }

  /** ITE raised with no wait to abort (the queue ran dry behind a timed-out device-TLB invalidation). */
  private async raiseIte(why: string): Promise<void> {
    await atomic_rmw(this.regs[DMAR_FSTS_REG], (v) => v | DMA_FSTS_ITE);
    this.setIte();
    kemu_note(() => `* ITE: device ${hex(this.lastIteSid)} timed out (${why})`);
  }
}
