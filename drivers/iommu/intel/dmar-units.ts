/**
 * The DMAR table as the VT-d driver uses it (drivers/iommu/intel/dmar.c and
 * the RMRR part of iommu.c, v6.5 shape): the remapping hardware units (DRHD)
 * and reserved memory regions (RMRR) with their device scopes, the matching
 * of PCI devices against scopes, allocating an intel_iommu per DRHD, and
 * device_to_iommu(), which decides which unit translates a device.
 */
import { pr_err, pr_info, pr_warn } from '../../../src/kernel/printk.js';
import { EINVAL, ENODEV, ENOMEM } from '../../../src/kernel/errno.js';
import { readl } from '../../../src/kernel/memory/mmio.js';
import type { Device } from '../../../src/base/device.js';
import {
  ACPI_DMAR_SCOPE_TYPE_BRIDGE, ACPI_DMAR_SCOPE_TYPE_ENDPOINT, type acpi_table_dmar, type dmar_dev_scope,
} from '../../../firmware/acpi/dmar-table.js';
import { acpi_get_table_dmar } from '../../../firmware/acpi/dmar.js';
import { PCI_FUNC, PCI_SLOT, dev_is_pci, for_each_pci_dev, pci_domain_nr, pci_is_root_bus, pci_name, type PciDev } from '../../../buses/pci/pci.js';
import { IntelIommu } from './intel-iommu.js';
import { DMAR_VER_REG } from './iommu-defs.js';
import { dmar_mmio, vtd_phys_memory } from './vtd-hardware.js';
import type { QiReclaimPolicy } from './qi-reclaim.js';

const hex = (v: number | bigint, width = 0): string => v.toString(16).padStart(width, '0');

/** Models struct dmar_dev_scope as dmar_alloc_dev_scope() fills it: the table entry and the device it resolved to. */
export interface DmarDevScope {
  readonly scope: dmar_dev_scope;
  dev: PciDev | null;
}

/** Models struct dmar_drhd_unit (include/linux/dmar.h, v6.5). */
export class DmarDrhdUnit {
  iommu: IntelIommu | null = null;
  ignored = false;

  constructor(
    readonly reg_base_addr: bigint,
    readonly segment: number,
    readonly include_all: boolean,
    readonly devices: DmarDevScope[],
  ) {}
}

/** Models struct dmar_rmrr_unit (drivers/iommu/intel/iommu.c, v6.5). */
export class DmarRmrrUnit {
  constructor(
    readonly base_address: bigint,
    readonly end_address: bigint,
    readonly segment: number,
    readonly devices: DmarDevScope[],
  ) {}
}

/** The driver's DMAR state for one run: dmar_drhd_units, dmar_rmrr_units and the QI behaviour of the variant. */
export interface DmarState {
  readonly dmar_drhd_units: DmarDrhdUnit[];
  readonly dmar_rmrr_units: DmarRmrrUnit[];
  readonly qiPolicy: QiReclaimPolicy;
  /** QI_LENGTH of this build. */
  readonly qiLength?: number;
  next_seq_id: number;
  dmar_table: acpi_table_dmar | null;
}

/** Scope types that name PCI devices (the others name IOAPICs, HPETs and ACPI namespace devices). */
function is_pci_scope(scope: dmar_dev_scope): boolean {
  return scope.entry_type === ACPI_DMAR_SCOPE_TYPE_ENDPOINT || scope.entry_type === ACPI_DMAR_SCOPE_TYPE_BRIDGE;
}

/** Models dmar_table_print_dmar_entry() (drivers/iommu/intel/dmar.c, v6.5) for DRHDs. */
function print_drhd(reg_base_addr: bigint, flags: number): void {
  pr_info(`DMAR: DRHD base: 0x${hex(reg_base_addr, 12)} flags: 0x${hex(flags)}`);
}

/**
 * Models map_iommu() + the register reads of alloc_iommu() (drivers/iommu/intel/dmar.c,
 * v6.5): find the unit's registers at its base address, name it `dmar<seq>`,
 * and print its version and capabilities.
 */
async function alloc_iommu(state: DmarState, drhd: DmarDrhdUnit): Promise<number> {
  if (!drhd.reg_base_addr) {
    pr_warn('DMAR: [Firmware Bug]: Your BIOS is broken; DMAR reported at address zero!');
    return -EINVAL;
  }
  const hw = dmar_mmio.get().get(drhd.reg_base_addr);
  const seq_id = state.next_seq_id++;
  const name = `dmar${seq_id}`;
  if (!hw) {
    pr_err(`DMAR: Can't map the region`);
    pr_err(`DMAR: Failed to map ${name}`);
    return -ENOMEM;
  }
  const iommu = new IntelIommu({
    name, seq_id, hw, phys: vtd_phys_memory.get(), qiPolicy: state.qiPolicy, qiLength: state.qiLength, segment: drhd.segment,
  });
  const ver = await readl(iommu.reg[DMAR_VER_REG]);
  pr_info(`DMAR: ${name}: reg_base_addr ${hex(drhd.reg_base_addr)} ver ${(ver >> 4) & 0xf}:${ver & 0xf} cap ${hex(iommu.cap)} ecap ${hex(iommu.ecap)}`);
  drhd.iommu = iommu;
  iommu.drhd = drhd;
  return 0;
}

/**
 * Models parse_dmar_table() (drivers/iommu/intel/dmar.c, v6.5): walk the
 * table; each DRHD becomes a dmar_drhd_unit with an intel_iommu
 * (dmar_parse_one_drhd(): INCLUDE_PCI_ALL units go last, the others first, in
 * reverse table order, as dmar_register_drhd_unit() lists them); each RMRR a
 * dmar_rmrr_unit.
 */
export async function parse_dmar_table(state: DmarState): Promise<number> {
  const dmar = acpi_get_table_dmar();
  if (!dmar) return -ENODEV;
  state.dmar_table = dmar;
  pr_info(`DMAR: Host address width ${dmar.host_address_width}`);
  if (dmar.drhd.length === 0) {
    pr_warn('DMAR: [Firmware Bug]: No DRHD structure found in DMAR table');
    return -ENODEV;
  }
  for (const d of dmar.drhd) {
    print_drhd(d.reg_base_addr, d.flags);
    const unit = new DmarDrhdUnit(d.reg_base_addr, d.segment, d.include_all,
      d.scopes.filter(is_pci_scope).map((scope) => ({ scope, dev: null })));
    const ret = await alloc_iommu(state, unit);
    if (ret) return ret;
    if (unit.include_all) state.dmar_drhd_units.push(unit);
    else state.dmar_drhd_units.unshift(unit);
  }
  for (const r of dmar.rmrr) {
    pr_info(`DMAR: RMRR base: 0x${hex(r.base_address, 12)} end: 0x${hex(r.end_address, 12)}`);
    state.dmar_rmrr_units.push(new DmarRmrrUnit(r.base_address, r.end_address, r.segment,
      r.scopes.filter(is_pci_scope).map((scope) => ({ scope, dev: null }))));
  }
  return 0;
}

/** Models struct dmar_pci_notify_info: a device's path from its root bus, one (bus, device, function) per level. */
interface DmarPciNotifyInfo {
  readonly dev: PciDev;
  readonly seg: number;
  readonly bus: number;
  readonly path: ReadonlyArray<{ bus: number; device: number; function: number }>;
}

/** Models dmar_alloc_pci_notify_info() (drivers/iommu/intel/dmar.c, v6.5). */
function dmar_alloc_pci_notify_info(dev: PciDev): DmarPciNotifyInfo {
  const path: Array<{ bus: number; device: number; function: number }> = [];
  for (let tmp: PciDev | null = dev; tmp; tmp = pci_is_root_bus(tmp.pci_bus) ? null : tmp.pci_bus.self) {
    path.unshift({ bus: tmp.pci_bus.number, device: PCI_SLOT(tmp.devfn), function: PCI_FUNC(tmp.devfn) });
  }
  return { dev, seg: pci_domain_nr(dev.pci_bus), bus: path[0]!.bus, path };
}

/** Models dmar_match_pci_path() (drivers/iommu/intel/dmar.c, v6.5), with its one-hop RMRR workaround. */
function dmar_match_pci_path(info: DmarPciNotifyInfo, scope: dmar_dev_scope): boolean {
  const path = scope.path;
  if (info.bus === scope.bus && info.path.length === path.length
    && path.every((p, i) => p.device === info.path[i]!.device && p.function === info.path[i]!.function)) {
    return true;
  }
  if (path.length !== 1) return false;
  const last = info.path[info.path.length - 1]!;
  if (scope.bus === last.bus && path[0]!.device === last.device && path[0]!.function === last.function) {
    pr_warn(`DMAR: [Firmware Bug]: RMRR entry for device ${hex(last.bus, 2)}:${hex(last.device, 2)}.${last.function} is broken - applying workaround`);
    return true;
  }
  return false;
}

/** Models dmar_insert_dev_scope() (drivers/iommu/intel/dmar.c, v6.5): record the device in each scope entry naming it. */
function dmar_insert_dev_scope(info: DmarPciNotifyInfo, segment: number, devices: DmarDevScope[]): void {
  if (segment !== info.seg) return;
  for (const entry of devices) {
    if (entry.dev || !dmar_match_pci_path(info, entry.scope)) continue;
    const isBridge = info.dev.subordinate !== null;
    if ((entry.scope.entry_type === ACPI_DMAR_SCOPE_TYPE_ENDPOINT && isBridge)
      || (entry.scope.entry_type === ACPI_DMAR_SCOPE_TYPE_BRIDGE && !isBridge)) {
      pr_warn(`DMAR: Device scope type does not match for ${pci_name(info.dev)}`);
      continue;
    }
    entry.dev = info.dev;
  }
}

/**
 * Models dmar_dev_scope_init() (drivers/iommu/intel/dmar.c, v6.5): resolve
 * every PCI device scope of the DRHDs and RMRRs against the devices present
 * (dmar_pci_bus_add_dev() for each). Devices added later are not resolved: the
 * model has no PCI hotplug.
 */
export function dmar_dev_scope_init(state: DmarState): number {
  for (const dev of for_each_pci_dev()) {
    const info = dmar_alloc_pci_notify_info(dev);
    for (const drhd of state.dmar_drhd_units) if (!drhd.include_all) dmar_insert_dev_scope(info, drhd.segment, drhd.devices);
    for (const rmrr of state.dmar_rmrr_units) dmar_insert_dev_scope(info, rmrr.segment, rmrr.devices);
  }
  return 0;
}

/**
 * Models device_to_iommu() (drivers/iommu/intel/iommu.c, v6.5): the unit that
 * translates `dev`: a DRHD whose scope names the device, or a bridge above it;
 * else an INCLUDE_PCI_ALL unit of its segment; else none.
 */
export function device_to_iommu(state: DmarState, dev: Device): { iommu: IntelIommu; bus: number; devfn: number } | null {
  if (!dev_is_pci(dev)) return null;
  const pdev = dev;
  const segment = pci_domain_nr(pdev.pci_bus);
  for (const drhd of state.dmar_drhd_units) {
    if (drhd.ignored || !drhd.iommu) continue;
    if (segment !== drhd.segment) continue;
    for (const { dev: tmp } of drhd.devices) {
      if (!tmp) continue;
      if (tmp === pdev) return { iommu: drhd.iommu, bus: pdev.pci_bus.number, devfn: pdev.devfn };
      const sub = tmp.subordinate;
      if (sub && sub.number <= pdev.pci_bus.number && sub.busn_end >= pdev.pci_bus.number) {
        return { iommu: drhd.iommu, bus: pdev.pci_bus.number, devfn: pdev.devfn };
      }
    }
    if (drhd.include_all) return { iommu: drhd.iommu, bus: pdev.pci_bus.number, devfn: pdev.devfn };
  }
  return null;
}

/** The RMRRs whose scope names `dev` (what intel_iommu_get_resv_regions() turns into IOMMU_RESV_DIRECT regions). */
export function device_rmrr_units(state: DmarState, dev: Device): DmarRmrrUnit[] {
  return state.dmar_rmrr_units.filter((r) => r.devices.some((d) => d.dev === dev));
}
