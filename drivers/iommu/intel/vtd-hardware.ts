/**
 * The VT-d hardware of a machine: one remapping unit (DmarHardware) at each
 * register base the board's DRHDs name, and the physical memory their DMA
 * reaches. A board binds vtdHardwareModule; map_iommu() finds a unit's
 * registers by address, as ioremap() of drhd->reg_base_addr does.
 *
 * Emulator machinery: the hardware exists from power-on, so the units are
 * built when the machine is composed, before the first initcall.
 */
import { ContainerModule } from '../../../src/inversify.js';
import { RunLocal } from '../../../src/base/run-local.js';
import { PhysMemory } from '../../../src/kernel/memory/phys-memory.js';
import { current } from '../../../src/kernel/sched/current.js';
import { SUBSYSTEM, type Subsystem } from '../../../src/machine/tokens.js';
import { DmarHardware } from './dmar-hw.js';
import { ECAP_DT, ECAP_PDS, ECAP_QIS, ECAP_SMTS } from './iommu-defs.js';

/** One remapping unit as a board describes it. */
export interface VtdUnitSpec {
  readonly reg_base_addr: bigint;
  /** ECAP_REG; default: QI, device-TLB, page-drain and scalable-mode support. */
  readonly ecap?: bigint;
  readonly cap?: bigint;
}

/** Register files by base address (what ioremap(drhd->reg_base_addr) reaches). */
export const dmar_mmio = new RunLocal<Map<bigint, DmarHardware>>('the VT-d units (a board binds vtdHardwareModule)', () => new Map());

/** The machine's DMA-reachable memory. */
export const vtd_phys_memory = new RunLocal<PhysMemory>('physical memory for VT-d DMA', () => new PhysMemory());

/** Default ECAP of the units: QI, device-TLB, page-request drain and scalable mode. */
export const DEFAULT_VTD_ECAP = ECAP_QIS | ECAP_DT | ECAP_PDS | ECAP_SMTS;

/** Builds the units of a machine, powered on, at their register bases. */
export function vtdHardwareModule(units: readonly VtdUnitSpec[], options: { queueEntries?: number } = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Subsystem>(SUBSYSTEM).toDynamicValue(() => {
      const phys = vtd_phys_memory.get();
      const map = dmar_mmio.get();
      units.forEach((u, i) => {
        const hw = new DmarHardware({ name: `vtd${i}`, phys, ecap: u.ecap ?? DEFAULT_VTD_ECAP, cap: u.cap, queueEntries: options.queueEntries });
        hw.powerOn(current().kernel);
        map.set(u.reg_base_addr, hw);
      });
      return { subsystem: `VT-d hardware (${units.length} units)` };
    });
  });
}
