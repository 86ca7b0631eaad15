/**
 * IOMMU groups for PCI devices: pci_device_group() from
 * drivers/iommu/iommu.c (v6.5) with the PCI helpers it relies on,
 * pci_for_each_dma_alias() (drivers/pci/search.c) and the ACS checks
 * (drivers/pci/pci.c).
 *
 * How far the model goes: a device shares a group with
 * - a DMA alias that already has a group: the bridge it is seen as behind a
 *   conventional PCI or PCIe-to-PCI bridge, or a quirk alias on its bus
 *   (`dma_alias_devfns`);
 * - the topmost bridge between it and the root that lacks ACS (devices behind
 *   an ACS-less root or downstream port can reach each other peer to peer);
 * - the other functions of its slot when it is a multi-function device
 *   without ACS.
 * ACS is one boolean per device (all of REQ_ACS_FLAGS or none); device-specific
 * ACS quirks, SR-IOV virtual functions and the `pci=noacs`-style overrides are
 * not modelled.
 */
import { WARN_ON } from '../../src/kernel/assert.js';
import { EINVAL } from '../../src/kernel/errno.js';
import type { Device } from '../../src/base/device.js';
import { iommu_group_alloc, iommu_group_get, type IommuGroup } from '../../src/iommu/iommu.js';
import {
  PCI_DEVID, PCI_SLOT, dev_is_pci, for_each_pci_dev, pci_dev_id, pci_is_pcie, pci_is_root_bus, type PciDev,
} from './pci.js';

/**
 * Models pci_acs_enabled() (drivers/pci/pci.c, v6.5) for REQ_ACS_FLAGS:
 * conventional PCI never isolates; PCIe-to-PCI bridges neither; root and
 * downstream ports and functions of multi-function devices isolate when they
 * have ACS; any other (single-function) PCIe device is isolated by topology.
 */
export function pci_acs_enabled(pdev: PciDev): boolean {
  if (!pci_is_pcie(pdev)) return false;
  switch (pdev.pcie_type) {
    case 'pci-to-pcie':
    case 'pcie-to-pci':
      return false;
    case 'downstream':
    case 'root-port':
      return pdev.acs;
    default:
      break;
  }
  if (pdev.multifunction) return pdev.acs;
  return true;
}

/** Models pci_acs_path_enabled(start, NULL, flags) (drivers/pci/pci.c, v6.5): ACS on every device from start up to the root. */
export function pci_acs_path_enabled(start: PciDev): boolean {
  let pdev = start;
  for (;;) {
    if (!pci_acs_enabled(pdev)) return false;
    if (pci_is_root_bus(pdev.pci_bus)) return true;
    pdev = pdev.pci_bus.self!;
  }
}

/** Models pci_dev_is_alias / pci_devs_are_dma_aliases() (drivers/pci/pci.c, v6.5): quirk aliases on one bus. */
export function pci_devs_are_dma_aliases(a: PciDev, b: PciDev): boolean {
  return a.pci_bus === b.pci_bus && (a.dma_alias_devfns.includes(b.devfn) || b.dma_alias_devfns.includes(a.devfn));
}

/**
 * Models pci_for_each_dma_alias() (drivers/pci/search.c, v6.5): calls `fn`
 * for the device, its quirk aliases, then each bridge upstream that changes
 * the requester id the IOMMU sees (PCIe-to-PCI bridges use their secondary
 * bus with devfn 0, conventional bridges their own id; PCIe ports pass ids
 * through). Stops when `fn` returns non-zero and returns that.
 */
export function pci_for_each_dma_alias(pdev: PciDev, fn: (pdev: PciDev, alias: number) => number): number {
  let ret = fn(pdev, pci_dev_id(pdev));
  if (ret) return ret;
  for (const devfn of pdev.dma_alias_devfns) {
    ret = fn(pdev, PCI_DEVID(pdev.pci_bus.number, devfn));
    if (ret) return ret;
  }
  for (let bus = pdev.pci_bus; !pci_is_root_bus(bus); bus = bus.parent!) {
    const tmp = bus.self;
    if (!tmp) continue;
    if (pci_is_pcie(tmp)) {
      switch (tmp.pcie_type) {
        case 'root-port':
        case 'upstream':
        case 'downstream':
          continue;
        case 'pcie-to-pci':
          ret = fn(tmp, PCI_DEVID(tmp.subordinate!.number, 0));
          if (ret) return ret;
          continue;
        case 'pci-to-pcie':
          ret = fn(tmp, pci_dev_id(tmp));
          if (ret) return ret;
          continue;
        default:
          continue;
      }
    }
    ret = fn(tmp, pci_dev_id(tmp));
    if (ret) return ret;
  }
  return 0;
}

/** Models get_pci_function_alias_group() (drivers/iommu/iommu.c, v6.5). */
function get_pci_function_alias_group(pdev: PciDev, devfns: Set<number>): IommuGroup | null {
  if (!pdev.multifunction || pci_acs_enabled(pdev)) return null;
  for (const tmp of for_each_pci_dev()) {
    if (tmp === pdev || tmp.pci_bus !== pdev.pci_bus || PCI_SLOT(tmp.devfn) !== PCI_SLOT(pdev.devfn) || pci_acs_enabled(tmp)) continue;
    const group = get_pci_alias_group(tmp, devfns);
    if (group) return group;
  }
  return null;
}

/** Models get_pci_alias_group() (drivers/iommu/iommu.c, v6.5): a group of a device we alias or that aliases us. */
function get_pci_alias_group(pdev: PciDev, devfns: Set<number>): IommuGroup | null {
  if (devfns.has(pdev.devfn)) return null;
  devfns.add(pdev.devfn);
  const group = iommu_group_get(pdev);
  if (group) return group;
  for (const tmp of for_each_pci_dev()) {
    if (tmp === pdev || tmp.pci_bus !== pdev.pci_bus) continue;
    if (pci_devs_are_dma_aliases(pdev, tmp)) {
      const g = get_pci_alias_group(tmp, devfns) ?? get_pci_function_alias_group(tmp, devfns);
      if (g) return g;
    }
  }
  return null;
}

/**
 * Models pci_device_group() (drivers/iommu/iommu.c, v6.5): the group of the
 * first DMA alias that has one; else of the topmost ACS-less bridge upstream
 * that has one; else of an alias or a non-isolated sibling function; else a
 * new group. Returns a group holding a reference for the device.
 */
export function pci_device_group(dev: Device): IommuGroup | number {
  if (WARN_ON(!dev_is_pci(dev), 'pci_device_group: not a PCI device')) return -EINVAL;
  // struct group_for_pci_data: get_pci_alias_or_group() remembers the last alias visited, and stops at one with a group.
  const data: { pdev: PciDev; group: IommuGroup | null } = { pdev: dev as PciDev, group: null };
  if (pci_for_each_dma_alias(data.pdev, (p) => {
    data.pdev = p;
    data.group = iommu_group_get(p);
    return data.group ? 1 : 0;
  })) return data.group!;
  let pdev = data.pdev;

  for (let bus = pdev.pci_bus; !pci_is_root_bus(bus); bus = bus.parent!) {
    if (!bus.self) continue;
    if (pci_acs_path_enabled(bus.self)) break;
    pdev = bus.self;
    const group = iommu_group_get(pdev);
    if (group) return group;
  }

  const devfns = new Set<number>();
  const group = get_pci_alias_group(pdev, devfns) ?? get_pci_function_alias_group(pdev, devfns);
  if (group) return group;
  return iommu_group_alloc();
}
