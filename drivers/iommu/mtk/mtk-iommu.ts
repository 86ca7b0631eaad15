/**
 * A MediaTek-style IOMMU driver (drivers/iommu/mtk_iommu.c, v6.5 shape),
 * written against kemu's public APIs only, as a user adding a driver would
 * (docs/writing-an-iommu-driver.md walks through it). Reduced to probing:
 *
 * - mtk_iommu_probe() finds the SMI local arbiters ("larbs") listed in
 *   `mediatek,larbs` and defers while one of them has no driver yet, then sets
 *   drvdata and registers with the IOMMU core from its own probe, so the core
 *   walks the platform bus with this device's lock held (Chen-Yu Tsai's report);
 * - clients name a port with `iommus = <&iommu MTK_M4U_ID(larb, port)>`
 *   (`#iommu-cells = <1>`); of_xlate appends the id to the fwspec and records
 *   the IOMMU in dev->iommu->priv;
 * - probe_device accepts a device whose fwspec names this driver, all of whose
 *   ports sit behind one larb;
 * - one group per IOMMU, allocated on first use under data->mutex.
 *
 * Not modelled: registers, clocks, interrupts, power domains, the component
 * framework that binds the larbs as components, device links, page tables.
 */
import { dev_err, dev_info, dev_name, put_device, type Device } from '../../../src/base/device.js';
import { dev_iommu_fwspec_get, IommuFwspec, dev_iommu_priv_get, dev_iommu_priv_set, iommu_device_register,
  iommu_device_sysfs_add, iommu_device_sysfs_remove, iommu_fwspec_add_ids, iommu_group_alloc, iommu_group_ref_get,
  IommuDevice, type IommuDomain, type IommuDomainType, type IommuGroup, type IommuOfXlateArgs,
  type IommuOps } from '../../../src/iommu/iommu.js';
import { WARN_ON } from '../../../src/kernel/assert.js';
import { EINVAL, ENODEV, EPROBE_DEFER } from '../../../src/kernel/errno.js';
import { Mutex, mutex_lock, mutex_unlock } from '../../../src/kernel/locking/mutex.js';
import { load } from '../../../src/kernel/memory/slab.js';
import { PlatformDriver, platform_get_drvdata, platform_set_drvdata, type PlatformDevice } from '../../../buses/platform/platform.js';
import { DeviceNode } from '../../../firmware/of/device-node.js';
import { of_count_phandle_with_args, of_device_is_available, of_parse_phandle,
  of_property_read_u32 } from '../../../firmware/of/of-base.js';
import { dev_of_node } from '../../../firmware/of/of-device.js';
import { of_find_device_by_node } from '../../../firmware/of/platform.js';
import type { OfDeviceId } from '../../../src/base/driver.js';

/** MTK_LARB_NR_MAX (drivers/iommu/mtk_iommu.c, v6.5). */
export const MTK_LARB_NR_MAX = 32;

/** Models MTK_M4U_ID() (include/dt-bindings/memory/mtk-memory-port.h): a port id from its larb and port. */
export function MTK_M4U_ID(larb: number, port: number): number {
  return ((larb & 0x1f) << 5) | (port & 0x1f);
}

/** Models MTK_M4U_TO_LARB() (include/dt-bindings/memory/mtk-memory-port.h). */
export function MTK_M4U_TO_LARB(id: number): number {
  return (id >> 5) & 0x1f;
}

/** Models MTK_M4U_TO_PORT(). */
export function MTK_M4U_TO_PORT(id: number): number {
  return id & 0x1f;
}

/** Models struct mtk_smi_larb_iommu (include/soc/mediatek/smi.h): the larb device behind a larb id. */
export interface MtkSmiLarbIommu {
  dev: Device | null;
}

/** Models struct mtk_iommu_data (drivers/iommu/mtk_iommu.c, v6.5), the fields probing uses. */
export class MtkIommuData {
  readonly iommu = new IommuDevice('mtk-iommu');
  /** data->mutex: protects m4u_group. */
  readonly mutex: Mutex;
  /** One group per IOMMU (mt8183 has a single IOVA region). */
  m4u_group: IommuGroup | null = null;
  readonly larb_imu: MtkSmiLarbIommu[] = Array.from({ length: MTK_LARB_NR_MAX }, () => ({ dev: null }));
  smicomm_dev: Device | null = null;

  constructor(readonly dev: PlatformDevice) {
    this.mutex = new Mutex(`${dev_name(dev)}.mutex`, { name: '&data->mutex' });
  }
}

/** Models mtk_iommu_of_xlate() (drivers/iommu/mtk_iommu.c, v6.5): remember the IOMMU, append the port id. */
async function mtk_iommu_of_xlate(dev: Device, args: IommuOfXlateArgs): Promise<number> {
  if (args.args.length !== 1) {
    dev_err(dev, `invalid #iommu-cells(${args.args.length}) property for IOMMU`);
    return -EINVAL;
  }
  if (!await dev_iommu_priv_get(dev)) {
    const m4udev = args.np instanceof DeviceNode ? of_find_device_by_node(args.np) : null;
    if (WARN_ON(!m4udev, 'mtk_iommu_of_xlate: no platform device for the IOMMU node')) return -EINVAL;
    await dev_iommu_priv_set(dev, platform_get_drvdata<MtkIommuData>(m4udev!));
    put_device(m4udev);
  }
  return await iommu_fwspec_add_ids(dev, [args.args[0]!]);
}

/**
 * Models mtk_iommu_probe_device() (drivers/iommu/mtk_iommu.c, v6.5): only a
 * device whose fwspec was built by this driver, all of whose ports sit behind
 * one larb that the IOMMU found at probe.
 */
async function mtk_iommu_probe_device(dev: Device): Promise<IommuDevice | number> {
  const fwspec = await dev_iommu_fwspec_get(dev);
  if (!fwspec || (await load(IommuFwspec, fwspec, 'ops')) !== mtk_iommu_ops) return -ENODEV; // not a client of this IOMMU
  const data = await dev_iommu_priv_get<MtkIommuData>(dev);
  if (!data) return -ENODEV;
  const ids = await load(IommuFwspec, fwspec, 'ids');
  const larbid = MTK_M4U_TO_LARB(ids[0]!);
  if (larbid >= MTK_LARB_NR_MAX) return -EINVAL;
  for (const id of ids.slice(1)) {
    if (MTK_M4U_TO_LARB(id) !== larbid) {
      dev_err(dev, `Can only use one larb. Fail@larb${larbid}-${MTK_M4U_TO_LARB(id)}.`);
      return -EINVAL;
    }
  }
  // The client links to its larb as a supplier (device links are not modelled).
  if (!data.larb_imu[larbid]!.dev) return -EINVAL;
  return data.iommu;
}

/** Models mtk_iommu_release_device(). */
function mtk_iommu_release_device(_dev: Device): void {
  // The device link to the larb would be removed here.
}

/** Models mtk_iommu_device_group() (drivers/iommu/mtk_iommu.c, v6.5): the IOMMU's group, made on first use. */
async function mtk_iommu_device_group(dev: Device): Promise<IommuGroup | number> {
  const data = await dev_iommu_priv_get<MtkIommuData>(dev);
  if (!data) return -ENODEV;
  await mutex_lock(data.mutex);
  let group = data.m4u_group;
  if (!group) {
    group = iommu_group_alloc();
    data.m4u_group = group;
  } else {
    iommu_group_ref_get(group);
  }
  await mutex_unlock(data.mutex);
  return group;
}

/** Models mtk_iommu_domain_alloc() (v6.5): DMA and unmanaged domains. */
function mtk_iommu_domain_alloc(type: IommuDomainType): IommuDomain | null {
  if (type !== 'IOMMU_DOMAIN_DMA' && type !== 'IOMMU_DOMAIN_UNMANAGED') return null;
  return { type, ops: mtk_iommu_ops };
}

/** Models mtk_iommu_attach_device() (v6.5), reduced: no hardware to program. */
async function mtk_iommu_attach_device(_domain: IommuDomain, dev: Device): Promise<number> {
  return (await dev_iommu_priv_get<MtkIommuData>(dev)) ? 0 : -ENODEV;
}

/** Models mtk_iommu_ops (drivers/iommu/mtk_iommu.c, v6.5). */
export const mtk_iommu_ops: IommuOps = {
  name: 'mtk_iommu_ops',
  probe_device: mtk_iommu_probe_device,
  release_device: mtk_iommu_release_device,
  device_group: mtk_iommu_device_group,
  of_xlate: mtk_iommu_of_xlate,
  domain_alloc: mtk_iommu_domain_alloc,
  attach_dev: mtk_iommu_attach_device,
};

/**
 * Models mtk_iommu_mm_dts_parse() (drivers/iommu/mtk_iommu.c, v6.5): every
 * available larb in `mediatek,larbs` must have a platform device and a driver
 * bound (else -EPROBE_DEFER), and names the SMI common it hangs off.
 */
export function mtk_iommu_mm_dts_parse(dev: PlatformDevice, data: MtkIommuData): number {
  const np = dev_of_node(dev);
  if (!np) return -ENODEV;
  const larb_nr = of_count_phandle_with_args(np, 'mediatek,larbs', null);
  if (larb_nr < 0) return larb_nr;
  for (let i = 0; i < larb_nr; i++) {
    const larbnode = of_parse_phandle(np, 'mediatek,larbs', i);
    if (!larbnode) return -EINVAL;
    if (!of_device_is_available(larbnode)) continue;
    const idr = of_property_read_u32(larbnode, 'mediatek,larb-id');
    const id = idr.err === 0 ? idr.value : i;
    if (id >= MTK_LARB_NR_MAX) return -EINVAL;
    const plarbdev = of_find_device_by_node(larbnode);
    if (!plarbdev) return -ENODEV;
    // The larb's driver has not probed yet.
    if (!plarbdev.driver) {
      put_device(plarbdev);
      return -EPROBE_DEFER;
    }
    data.larb_imu[id]!.dev = plarbdev;
    if (!data.smicomm_dev) {
      const smicomm_node = of_parse_phandle(larbnode, 'mediatek,smi', 0);
      const pcommdev = smicomm_node ? of_find_device_by_node(smicomm_node) : null;
      if (!pcommdev) return -ENODEV;
      data.smicomm_dev = pcommdev;
    }
  }
  return 0;
}

/**
 * Models mtk_iommu_probe() (drivers/iommu/mtk_iommu.c, v6.5): parse the larbs
 * (deferring until they are bound), set drvdata, then register with the IOMMU
 * core, which walks the platform bus from inside this probe.
 */
export async function mtk_iommu_probe(pdev: PlatformDevice): Promise<number> {
  const data = new MtkIommuData(pdev);
  let ret = mtk_iommu_mm_dts_parse(pdev, data);
  if (ret) {
    if (ret !== -EPROBE_DEFER) dev_err(pdev, `mm dts parse fail(${ret})`);
    return ret;
  }
  platform_set_drvdata(pdev, data);
  ret = iommu_device_sysfs_add(data.iommu, pdev, `mtk-iommu.${dev_name(pdev).split('.')[0]}`);
  if (ret) return ret;
  ret = await iommu_device_register(data.iommu, mtk_iommu_ops, pdev);
  if (ret) {
    iommu_device_sysfs_remove(data.iommu);
    return ret;
  }
  dev_info(pdev, 'mtk-iommu registered');
  return 0;
}

/** Models mtk_iommu_of_ids (drivers/iommu/mtk_iommu.c, v6.5). */
export const mtk_iommu_of_ids: readonly OfDeviceId[] = [{ compatible: 'mediatek,mt8183-m4u' }, { compatible: 'mediatek,mt8173-m4u' }];

/** Models mtk_iommu_driver (drivers/iommu/mtk_iommu.c, v6.5). */
export function mtk_iommu_driver(): PlatformDriver {
  return new PlatformDriver('mtk-iommu', mtk_iommu_probe, { of_match_table: mtk_iommu_of_ids });
}
