/**
 * The OMAP IOMMU driver (drivers/iommu/omap-iommu.c, v6.5 shape), reduced to
 * what probing needs: omap_iommu_probe with drvdata set before registration
 * and the omap_iommu_can_register() rule, one group per registered MMU,
 * omap_iommu_probe_device parsing `iommus` itself (omap has no of_xlate), and
 * the re-probe of the platform bus after registration, whose placement the
 * variant chooses (OmapBusReprobe).
 */
import { inject, injectable } from '../../../src/inversify.js';
import { dev_info, dev_name, put_device, type Device } from '../../../src/base/device.js';
import { RunLocal } from '../../../src/base/run-local.js';
import { dev_iommu_priv_get, dev_iommu_priv_set, iommu_device_register, iommu_device_sysfs_add,
  iommu_device_sysfs_remove, iommu_group_alloc, iommu_group_put, iommu_group_ref_get, IommuDevice,
  type IommuDomain, type IommuDomainType, type IommuGroup, type IommuOps } from '../../../src/iommu/iommu.js';
import { EINVAL, ENODEV } from '../../../src/kernel/errno.js';
import { PlatformDevice, PlatformDriver, platform_get_drvdata, platform_set_drvdata } from '../../../buses/platform/platform.js';
import { DeviceNode } from '../../../firmware/of/device-node.js';
import { of_device_is_compatible, of_parse_phandle, of_property_count_u32_elems, of_property_present,
  of_property_read_u32 } from '../../../firmware/of/of-base.js';
import { dev_of_node } from '../../../firmware/of/of-device.js';
import { of_find_device_by_node } from '../../../firmware/of/platform.js';
import { OMAP_IOMMU_BUS_REPROBE } from './tokens.js';
import type { OfDeviceId } from '../../../src/base/driver.js';

/** Models struct omap_iommu (drivers/iommu/omap-iommu.h, v6.5), the fields probing uses. */
export class OmapIommu {
  readonly iommu = new IommuDevice('omap-iommu');
  group: IommuGroup | null = null;
  has_iommu_driver = false;
  nr_tlb_entries = 32;
  has_bus_err_back = false;

  constructor(readonly name: string, readonly dev: PlatformDevice) {}
}

/** Models struct omap_iommu_arch_data: one entry per MMU a client lists. */
export interface OmapIommuArchData {
  readonly iommu_dev: OmapIommu;
  readonly dev: Device;
}

/**
 * Where omap_iommu_probe() re-probes the platform bus: unconditionally at the
 * end (v6.5 and the dropped series), or only for an unregistered instance,
 * passing it and its hwdev (iommu_group_locking2 patch 2).
 */
export interface OmapBusReprobe {
  readonly scheme: string;
  omap_iommu_reprobe(obj: OmapIommu, pdev: PlatformDevice): Promise<void>;
}

/** The OMAP driver's per-run state: the variant's reprobe placement. */
@injectable()
export class OmapIommuState {
  readonly subsystem = 'omap-iommu';

  constructor(@inject(OMAP_IOMMU_BUS_REPROBE) readonly reprobe: OmapBusReprobe) {
    omap_iommu_state.set(this);
  }
}

export const omap_iommu_state = new RunLocal<OmapIommuState>('the omap-iommu driver state');

/** Models omap_iommu_probe_device() (drivers/iommu/omap-iommu.c, v6.5). */
async function omap_iommu_probe_device(dev: Device): Promise<IommuDevice | number> {
  const np = dev_of_node(dev);
  if (!np) return -ENODEV;
  // #iommu-cells = <0> on OMAP: count phandles with the phandle size.
  const num_iommus = of_property_count_u32_elems(np, 'iommus');
  if (num_iommus < 0) return -ENODEV;
  const arch_data: OmapIommuArchData[] = [];
  for (let i = 0; i < num_iommus; i++) {
    const mmu = of_parse_phandle(np, 'iommus', i);
    if (!mmu) return -EINVAL;
    const pdev = of_find_device_by_node(mmu);
    if (!pdev) return -ENODEV;
    const oiommu = platform_get_drvdata<OmapIommu>(pdev);
    put_device(pdev);
    // That MMU has not probed yet.
    if (!oiommu) return -EINVAL;
    arch_data.push({ iommu_dev: oiommu, dev: pdev });
  }
  await dev_iommu_priv_set(dev, arch_data);
  // The first MMU alone is used for sysfs linking.
  return arch_data[0]!.iommu_dev.iommu;
}

/** Models omap_iommu_release_device(). */
async function omap_iommu_release_device(dev: Device): Promise<void> {
  await dev_iommu_priv_set(dev, null);
}

/** Models omap_iommu_device_group() (drivers/iommu/omap-iommu.c, v6.5): the first MMU's group. */
async function omap_iommu_device_group(dev: Device): Promise<IommuGroup | number> {
  const arch_data = await dev_iommu_priv_get<OmapIommuArchData[]>(dev);
  if (!arch_data) return -ENODEV;
  const group = arch_data[0]?.iommu_dev.group;
  return group ? iommu_group_ref_get(group) : -EINVAL;
}

/** Models omap_iommu_domain_alloc() (v6.5): only unmanaged domains. */
function omap_iommu_domain_alloc(type: IommuDomainType): IommuDomain | null {
  return type === 'IOMMU_DOMAIN_UNMANAGED' ? { type, ops: omap_iommu_ops } : null;
}

/** Models omap_iommu_ops (drivers/iommu/omap-iommu.c, v6.5): no of_xlate. */
export const omap_iommu_ops: IommuOps = {
  name: 'omap_iommu_ops',
  probe_device: omap_iommu_probe_device,
  release_device: omap_iommu_release_device,
  device_group: omap_iommu_device_group,
  domain_alloc: omap_iommu_domain_alloc,
  attach_dev: () => 0,
};

/** Models omap_iommu_can_register() (drivers/iommu/omap-iommu.c, v6.5). */
export function omap_iommu_can_register(pdev: PlatformDevice): boolean {
  const np = dev_of_node(pdev);
  if (!np || !of_device_is_compatible(np, 'ti,dra7-dsp-iommu')) return true;
  // Only the processor-port (MDMA) MMUs of DRA7 DSPs register with the IOMMU core.
  const name = dev_name(pdev);
  return name === '40d01000.mmu' || name === '41501000.mmu';
}

/** Models omap_iommu_probe() (drivers/iommu/omap-iommu.c, v6.5). */
export async function omap_iommu_probe(pdev: PlatformDevice): Promise<number> {
  const of = pdev.of_node;
  if (!(of instanceof DeviceNode)) return -ENODEV;
  const obj = new OmapIommu(dev_name(pdev), pdev);
  const tlb = of_property_read_u32(of, 'ti,#tlb-entries');
  if (tlb.err === 0) obj.nr_tlb_entries = tlb.value;
  if (obj.nr_tlb_entries !== 32 && obj.nr_tlb_entries !== 8) return -EINVAL;
  obj.has_bus_err_back = of_property_present(of, 'ti,iommu-bus-err-back');
  // Set before any registration: client probe_device looks for it.
  platform_set_drvdata(pdev, obj);
  if (omap_iommu_can_register(pdev)) {
    obj.group = iommu_group_alloc();
    let err = iommu_device_sysfs_add(obj.iommu, pdev, obj.name);
    if (err) {
      iommu_group_put(obj.group);
      return err;
    }
    err = await iommu_device_register(obj.iommu, omap_iommu_ops, pdev);
    if (err) {
      iommu_device_sysfs_remove(obj.iommu);
      iommu_group_put(obj.group);
      return err;
    }
    obj.has_iommu_driver = true;
  }
  dev_info(pdev, `${obj.name} registered`);
  await omap_iommu_state.get().reprobe.omap_iommu_reprobe(obj, pdev);
  return 0;
}

/** Models omap_iommu_of_match (drivers/iommu/omap-iommu.c, v6.5). */
export const omap_iommu_of_match: readonly OfDeviceId[] = [
  { compatible: 'ti,omap2-iommu' }, { compatible: 'ti,omap4-iommu' },
  { compatible: 'ti,dra7-iommu' }, { compatible: 'ti,dra7-dsp-iommu' },
];

/** Models omap_iommu_driver (drivers/iommu/omap-iommu.c, v6.5). */
export function omap_iommu_driver(): PlatformDriver {
  return new PlatformDriver('omap-iommu', omap_iommu_probe, { of_match_table: omap_iommu_of_match });
}
