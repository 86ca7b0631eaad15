/**
 * The VT-d IOMMU driver's boot and probe path (drivers/iommu/intel/iommu.c,
 * v6.5 shape): intel_iommu_init() brings up every DRHD (queued invalidation,
 * root table, global flushes), registers one iommu_device per unit with no
 * hardware device (the units are not devices on any bus), and enables
 * translation; intel_iommu_ops claims PCI devices by device scope or
 * INCLUDE_PCI_ALL and groups them the PCI way.
 *
 * No driver device lock is held on any of these paths (the registration runs
 * from an initcall, and there is no firmware-node replay), which is why the
 * Aug 2023 device_lock series did not hang Intel machines.
 *
 * Not modelled: root/context tables and page tables (iommu_set_root_entry only
 * performs the register handshake and the flushes), interrupt remapping,
 * SVA/PRI, ATS enabling, translation pre-enabled by firmware, the per-device
 * identity-map quirks.
 */
import { inject, injectable } from '../../../src/inversify.js';
import { dev_name, type Device } from '../../../src/base/device.js';
import { RunLocal } from '../../../src/base/run-local.js';
import {
  dev_iommu_priv_get, dev_iommu_priv_set, generic_device_group, iommu_device_register, iommu_device_sysfs_add,
  type IommuDevice, type IommuDomain, type IommuDomainType, type IommuGroup, type IommuOps,
} from '../../../src/iommu/iommu.js';
import { raw_spin_lock_irqsave, raw_spin_unlock_irqrestore } from '../../../src/kernel/locking/spinlock.js';
import { readl, writel } from '../../../src/kernel/memory/mmio.js';
import { cpu_relax, spin_begin } from '../../../src/kernel/sched/relax.js';
import { ENODEV } from '../../../src/kernel/errno.js';
import { pr_err, pr_info } from '../../../src/kernel/printk.js';
import type { Subsystem } from '../../../src/machine/tokens.js';
import { dev_is_pci, pci_dev_id, type PciDev } from '../../../buses/pci/pci.js';
import { pci_device_group } from '../../../buses/pci/pci-group.js';
import { dmar_enable_qi, iommu_enable_translation, qi_flush_context, qi_flush_iotlb, qi_flush_pasid_cache } from './dmar.js';
import { device_rmrr_units, device_to_iommu, dmar_dev_scope_init, parse_dmar_table, type DmarRmrrUnit, type DmarState } from './dmar-units.js';
import type { IntelIommu } from './intel-iommu.js';
import {
  DMAR_GCMD_REG, DMAR_GSTS_REG, DMA_CCMD_GLOBAL_INVL, DMA_GCMD_SRTP, DMA_GSTS_RTPS, DMA_TLB_GLOBAL_FLUSH, QI_PC_GLOBAL,
  ecap_smts,
} from './iommu-defs.js';
import { QI_RECLAIM_POLICY, type QiReclaimPolicy } from './qi-reclaim.js';

/** Models struct device_domain_info (drivers/iommu/intel/iommu.h, v6.5): the driver's per-device state. */
export interface DeviceDomainInfo {
  readonly dev: Device;
  readonly iommu: IntelIommu;
  readonly segment: number;
  readonly bus: number;
  readonly devfn: number;
  domain: IommuDomain | null;
}

/** Models struct dmar_domain (drivers/iommu/intel/iommu.h, v6.5), what kemu keeps of it. */
export interface DmarDomain {
  readonly devices: Device[];
}

/** Build options of the VT-d driver (emulator knobs). */
export interface IntelIommuOptions {
  /** QI_LENGTH of this build (256 upstream); the board's units must wrap at the same size. */
  readonly qiLength?: number;
  /** intel_iommu=sm_on: use scalable mode where the hardware supports it (default off, as in v6.5). */
  readonly scalableMode?: boolean;
}

export const INTEL_IOMMU_OPTIONS = Symbol.for('kemu.intel.options');

/** The VT-d driver's globals for one run (dmar_drhd_units, dmar_rmrr_units, intel_iommu_enabled). */
@injectable()
export class IntelIommuState implements DmarState, Subsystem {
  readonly subsystem: string;
  readonly dmar_drhd_units: DmarState['dmar_drhd_units'] = [];
  readonly dmar_rmrr_units: DmarRmrrUnit[] = [];
  next_seq_id = 0;
  dmar_table: DmarState['dmar_table'] = null;
  intel_iommu_enabled = false;
  /** QI_LENGTH of this build (256 upstream). */
  readonly qiLength?: number;
  readonly scalableMode?: boolean;

  constructor(
    @inject(QI_RECLAIM_POLICY) readonly qiPolicy: QiReclaimPolicy,
    @inject(INTEL_IOMMU_OPTIONS) options: IntelIommuOptions,
  ) {
    this.subsystem = `intel-iommu (QI: ${qiPolicy.summary})`;
    this.qiLength = options.qiLength;
    this.scalableMode = options.scalableMode;
    intel_iommu_state.set(this);
  }

  /** The units in for_each_active_iommu() order. */
  get iommus(): IntelIommu[] {
    return this.dmar_drhd_units.filter((d) => !d.ignored && d.iommu).map((d) => d.iommu!);
  }
}

/** The run's VT-d driver state (installed by intelIommuModule). */
export const intel_iommu_state = new RunLocal<IntelIommuState>('the VT-d driver state (intelIommuModule)');

/** Models intel_iommu_probe_device() (drivers/iommu/intel/iommu.c, v6.5; device_rbtree from v6.9). */
async function intel_iommu_probe_device(dev: Device): Promise<IommuDevice | number> {
  const found = device_to_iommu(intel_iommu_state.get(), dev);
  // A unit that has not registered yet (its iommu_device has no ops) cannot take the device.
  if (!found || !found.iommu.iommu.ops) return -ENODEV;
  const { iommu, bus, devfn } = found;
  const info: DeviceDomainInfo = { dev, iommu, segment: iommu.segment, bus, devfn, domain: null };
  await dev_iommu_priv_set(dev, info);
  if (dev_is_pci(dev)) {
    const pdev: PciDev = dev;
    iommu.device_rbtree.set(pci_dev_id(pdev), { dev_name: dev_name(dev), pci_device_is_present: () => pdev.registered && !pdev.dead });
  }
  return iommu.iommu;
}

/** Models intel_iommu_release_device() (drivers/iommu/intel/iommu.c, v6.5). */
async function intel_iommu_release_device(dev: Device): Promise<void> {
  const info = await dev_iommu_priv_get<DeviceDomainInfo>(dev);
  if (!info) return;
  if (dev_is_pci(dev)) info.iommu.device_rbtree.delete(pci_dev_id(dev));
  await dev_iommu_priv_set(dev, null);
}

/** Models intel_iommu_device_group() (drivers/iommu/intel/iommu.c, v6.5). */
function intel_iommu_device_group(dev: Device): IommuGroup | number {
  return dev_is_pci(dev) ? pci_device_group(dev) : generic_device_group(dev);
}

/** Models intel_iommu_domain_alloc() (drivers/iommu/intel/iommu.c, v6.5): DMA, unmanaged and identity domains. */
function intel_iommu_domain_alloc(type: IommuDomainType): IommuDomain | null {
  switch (type) {
    case 'IOMMU_DOMAIN_DMA':
    case 'IOMMU_DOMAIN_UNMANAGED':
    case 'IOMMU_DOMAIN_IDENTITY':
      return { type, ops: intel_iommu_ops, priv: { devices: [] } satisfies DmarDomain };
    default:
      return null;
  }
}

/** Models intel_iommu_attach_device() (drivers/iommu/intel/iommu.c, v6.5): records the attachment (no context entries are modelled). */
async function intel_iommu_attach_device(domain: IommuDomain, dev: Device): Promise<number> {
  const info = await dev_iommu_priv_get<DeviceDomainInfo>(dev);
  if (!info) return -ENODEV;
  const old = info.domain?.priv as DmarDomain | undefined;
  if (old) old.devices.splice(old.devices.indexOf(dev), 1);
  info.domain = domain;
  (domain.priv as DmarDomain).devices.push(dev);
  return 0;
}

/** Models intel_iommu_ops (drivers/iommu/intel/iommu.c, v6.5). */
export const intel_iommu_ops: IommuOps = {
  name: 'intel-iommu',
  probe_device: intel_iommu_probe_device,
  release_device: intel_iommu_release_device,
  device_group: intel_iommu_device_group,
  domain_alloc: intel_iommu_domain_alloc,
  attach_dev: intel_iommu_attach_device,
};

/**
 * Models iommu_set_root_entry() (drivers/iommu/intel/iommu.c, v6.5): point the
 * unit at its root table (GCMD.SRTP, wait for GSTS.RTPS), then invalidate the
 * context cache, the PASID cache when scalable mode is in use, and the IOTLB
 * globally: queued invalidations, through qi_submit_sync(). Scalable mode is
 * off by default in v6.5 (intel_iommu=sm_on), so sm_supported() is false
 * unless the board asks for it.
 */
async function iommu_set_root_entry(iommu: IntelIommu): Promise<void> {
  const flags = await raw_spin_lock_irqsave(iommu.register_lock);
  await writel(iommu.reg[DMAR_GCMD_REG], (iommu.gcmd | DMA_GCMD_SRTP) >>> 0);
  spin_begin();
  while (!((await readl(iommu.reg[DMAR_GSTS_REG])) & DMA_GSTS_RTPS)) await cpu_relax();
  await raw_spin_unlock_irqrestore(iommu.register_lock, flags);
  await qi_flush_context(iommu, 0, 0, 0, DMA_CCMD_GLOBAL_INVL);
  if (sm_supported(iommu)) await qi_flush_pasid_cache(iommu, 0, QI_PC_GLOBAL, 0);
  await qi_flush_iotlb(iommu, 0, 0n, 0, DMA_TLB_GLOBAL_FLUSH);
}

/** Models sm_supported() (drivers/iommu/intel/iommu.h, v6.5): scalable mode enabled (intel_iommu=sm_on) and supported. */
function sm_supported(iommu: IntelIommu): boolean {
  return (intel_iommu_state.get().scalableMode ?? false) && ecap_smts(iommu.ecap);
}

/** Models intel_iommu_init_qi() (drivers/iommu/intel/iommu.c, v6.5): queued invalidation, else register-based flushes. */
async function intel_iommu_init_qi(iommu: IntelIommu): Promise<void> {
  if (await dmar_enable_qi(iommu)) {
    pr_err(`DMAR: ${iommu.name}: QI not supported; register-based invalidation is not modelled`);
    return;
  }
  pr_info(`DMAR: ${iommu.name}: Using Queued invalidation`);
}

/** Models init_dmars() (drivers/iommu/intel/iommu.c, v6.5): per unit, QI then the root entry. */
async function init_dmars(state: IntelIommuState): Promise<number> {
  for (const iommu of state.iommus) await intel_iommu_init_qi(iommu);
  for (const iommu of state.iommus) {
    if (!iommu.qi) return -ENODEV;
    await iommu_set_root_entry(iommu);
  }
  return 0;
}

/**
 * Models intel_iommu_init() (drivers/iommu/intel/iommu.c, v6.5), called from
 * pci_iommu_init() at rootfs_initcall on x86: parse the DMAR table (one
 * intel_iommu per DRHD), resolve device scopes, bring the units up, register
 * each with the IOMMU core with no hardware device (which probes the PCI bus
 * for it: "Adding to iommu group N"), then enable translation.
 */
export async function intel_iommu_init(): Promise<number> {
  const state = intel_iommu_state.get();
  let ret = await parse_dmar_table(state);
  if (ret) {
    if (ret !== -ENODEV) pr_err('DMAR: Failed to initialize DMAR table');
    return ret;
  }
  ret = dmar_dev_scope_init(state);
  if (ret) return ret;
  if (state.dmar_rmrr_units.length === 0) pr_info('DMAR: No RMRR found');
  ret = await init_dmars(state);
  if (ret) {
    pr_err('DMAR: Initialization failed');
    return ret;
  }
  state.intel_iommu_enabled = true;
  for (const iommu of state.iommus) {
    iommu_device_sysfs_add(iommu.iommu, null, iommu.name);
    ret = await iommu_device_register(iommu.iommu, intel_iommu_ops, null);
    if (ret) {
      pr_err(`DMAR: ${iommu.name}: iommu_device_register failed: ${ret}`);
      return ret;
    }
  }
  for (const iommu of state.iommus) await iommu_enable_translation(iommu);
  pr_info('DMAR: Intel(R) Virtualization Technology for Directed I/O');
  return 0;
}

/**
 * The reserved regions intel_iommu_get_resv_regions() (drivers/iommu/intel/iommu.c,
 * v6.5) reports for a device: its RMRRs as IOMMU_RESV_DIRECT ranges. (The
 * IOMMU core model has no reserved-region path yet; tests call this directly.)
 */
export function intel_iommu_get_resv_regions(dev: Device): Array<{ start: bigint; length: bigint; type: 'IOMMU_RESV_DIRECT' }> {
  return device_rmrr_units(intel_iommu_state.get(), dev)
    .map((r) => ({ start: r.base_address, length: r.end_address - r.base_address + 1n, type: 'IOMMU_RESV_DIRECT' as const }));
}
