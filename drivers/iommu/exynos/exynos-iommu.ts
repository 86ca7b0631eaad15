/**
 * The Exynos SysMMU driver (drivers/iommu/exynos-iommu.c, v6.5 shape), reduced
 * to probing: exynos_sysmmu_probe registers with the IOMMU core last (from the
 * SysMMU's own probe, so the core walks the platform bus with its device lock
 * held), clients are bound through of_xlate (an owner in dev->iommu->priv),
 * and probe_device needs that owner.
 */
import { dev_name, put_device, type Device } from '../../../src/base/device.js';
import { dev_iommu_priv_get, dev_iommu_priv_set, generic_device_group, iommu_device_register,
  iommu_device_sysfs_add, iommu_device_sysfs_remove, IommuDevice, type IommuDomain, type IommuDomainType,
  type IommuOfXlateArgs, type IommuOps } from '../../../src/iommu/iommu.js';
import { ENODEV } from '../../../src/kernel/errno.js';
import { Mutex, mutex_lock, mutex_unlock } from '../../../src/kernel/locking/mutex.js';
import { PlatformDriver, platform_get_drvdata, platform_set_drvdata, type PlatformDevice } from '../../../buses/platform/platform.js';
import { DeviceNode } from '../../../firmware/of/device-node.js';
import { of_find_device_by_node } from '../../../firmware/of/platform.js';
import type { OfDeviceId } from '../../../src/base/driver.js';

/** Models struct sysmmu_drvdata (the fields probing uses). */
export class SysmmuDrvdata {
  readonly iommu = new IommuDevice('exynos-sysmmu');
  /** The client this SysMMU translates for (data->master). */
  master: Device | null = null;
  version = 0x0300;

  constructor(readonly sysmmu: PlatformDevice) {}
}

/** Models struct exynos_iommu_owner: a client's SysMMUs, in `iommus` order. */
export class ExynosIommuOwner {
  readonly controllers: SysmmuDrvdata[] = [];
  domain: IommuDomain | null = null;
  readonly rpm_lock: Mutex;

  constructor(master: Device) {
    this.rpm_lock = new Mutex(`${dev_name(master)}.rpm_lock`, { name: '&owner->rpm_lock' });
  }
}

/** Models exynos_iommu_of_xlate() (drivers/iommu/exynos-iommu.c, v6.5). */
async function exynos_iommu_of_xlate(dev: Device, spec: IommuOfXlateArgs): Promise<number> {
  if (!(spec.np instanceof DeviceNode)) return -ENODEV;
  const sysmmu = of_find_device_by_node(spec.np);
  if (!sysmmu) return -ENODEV;
  const data = platform_get_drvdata<SysmmuDrvdata>(sysmmu);
  put_device(sysmmu);
  if (!data) return -ENODEV;
  let owner = await dev_iommu_priv_get<ExynosIommuOwner>(dev);
  if (!owner) {
    owner = new ExynosIommuOwner(dev);
    await dev_iommu_priv_set(dev, owner);
  }
  if (owner.controllers.includes(data)) return 0;
  owner.controllers.push(data);
  data.master = dev;
  return 0;
}

/** Models exynos_iommu_probe_device() (drivers/iommu/exynos-iommu.c, v6.5): only devices with an owner. */
async function exynos_iommu_probe_device(dev: Device): Promise<IommuDevice | number> {
  const owner = await dev_iommu_priv_get<ExynosIommuOwner>(dev);
  if (!owner || owner.controllers.length === 0) return -ENODEV;
  // Device links from the master to each SysMMU are not modelled.
  return owner.controllers[0]!.iommu;
}

/** Models exynos_iommu_domain_alloc() (v6.5): DMA and unmanaged domains. */
function exynos_iommu_domain_alloc(type: IommuDomainType): IommuDomain | null {
  if (type !== 'IOMMU_DOMAIN_DMA' && type !== 'IOMMU_DOMAIN_UNMANAGED') return null;
  return { type, ops: exynos_iommu_ops };
}

/** Models exynos_iommu_attach_device() (v6.5): under the owner's rpm_lock, enable each SysMMU. */
async function exynos_iommu_attach_device(domain: IommuDomain, dev: Device): Promise<number> {
  const owner = await dev_iommu_priv_get<ExynosIommuOwner>(dev);
  if (!owner) return -ENODEV;
  await mutex_lock(owner.rpm_lock);
  owner.domain = domain;
  await mutex_unlock(owner.rpm_lock);
  return 0;
}

/** Models exynos_iommu_ops (drivers/iommu/exynos-iommu.c, v6.5). */
export const exynos_iommu_ops: IommuOps = {
  name: 'exynos_iommu_ops',
  probe_device: exynos_iommu_probe_device,
  device_group: generic_device_group,
  of_xlate: exynos_iommu_of_xlate,
  domain_alloc: exynos_iommu_domain_alloc,
  attach_dev: exynos_iommu_attach_device,
};


/** Models exynos_sysmmu_probe() (drivers/iommu/exynos-iommu.c, v6.5, registration moved last). */
export async function exynos_sysmmu_probe(pdev: PlatformDevice): Promise<number> {
  const data = new SysmmuDrvdata(pdev);
  let ret = iommu_device_sysfs_add(data.iommu, pdev, dev_name(pdev));
  if (ret) return ret;
  platform_set_drvdata(pdev, data);
  ret = await iommu_device_register(data.iommu, exynos_iommu_ops, pdev);
  if (ret) {
    iommu_device_sysfs_remove(data.iommu);
    return ret;
  }
  return 0;
}

/** Models sysmmu_of_match (drivers/iommu/exynos-iommu.c, v6.5). */
export const sysmmu_of_match: readonly OfDeviceId[] = [{ compatible: 'samsung,exynos-sysmmu' }];

/** Models exynos_sysmmu_driver (drivers/iommu/exynos-iommu.c, v6.5). */
export function exynos_sysmmu_driver(): PlatformDriver {
  return new PlatformDriver('exynos-sysmmu', exynos_sysmmu_probe, { of_match_table: sysmmu_of_match });
}
