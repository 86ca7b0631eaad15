/**
 * A Rockchip-style IOMMU written as a user would, against kemu's public entry
 * points only: a platform driver for `rockchip,iommu` nodes (#iommu-cells = 0)
 * that registers with the IOMMU core from its own probe, one group per IOMMU,
 * and of_xlate recording the client's IOMMU (drivers/iommu/rockchip-iommu.c, v6.5).
 */
import { ContainerModule, INITCALL, initcall, type Initcall } from 'kemu';
import { dev_name, put_device, type Device } from 'kemu/base';
import { ENODEV, ENOMEM, should_fail } from 'kemu/kernel';
import { IommuDevice, dev_iommu_priv_get, dev_iommu_priv_set, iommu_device_register, iommu_device_sysfs_add,
  iommu_group_alloc, iommu_group_ref_get, type IommuGroup, type IommuOfXlateArgs, type IommuOps } from 'kemu/iommu';
import { DeviceNode, of_find_device_by_node } from 'kemu/of';
import { PlatformDriver, platform_driver_register, platform_get_drvdata, platform_set_drvdata, type PlatformDevice } from 'kemu/platform';

/** Models struct rk_iommu (the fields probing uses). */
export class RkIommu {
  readonly iommu = new IommuDevice('rk-iommu');
  constructor(readonly group: IommuGroup) {}
}

/** Models rk_iommu_of_xlate(): the client's IOMMU goes in dev->iommu->priv. */
async function rk_iommu_of_xlate(dev: Device, spec: IommuOfXlateArgs): Promise<number> {
  if (!(spec.np instanceof DeviceNode)) return -ENODEV;
  const iommu_dev = of_find_device_by_node(spec.np);
  if (!iommu_dev) return -ENODEV;
  const iommu = platform_get_drvdata<RkIommu>(iommu_dev);
  put_device(iommu_dev);
  if (!iommu) return -ENODEV;
  await dev_iommu_priv_set(dev, iommu);
  return 0;
}

/** Models rk_iommu_probe_device(): only devices of_xlate bound. */
async function rk_iommu_probe_device(dev: Device): Promise<IommuDevice | number> {
  return (await dev_iommu_priv_get<RkIommu>(dev))?.iommu ?? -ENODEV;
}

/** Models rk_iommu_device_group(): every client of one IOMMU shares its group. */
async function rk_iommu_device_group(dev: Device): Promise<IommuGroup | number> {
  if (should_fail('rk_iommu_device_group')) return -ENOMEM;
  const iommu = await dev_iommu_priv_get<RkIommu>(dev);
  return iommu ? iommu_group_ref_get(iommu.group) : -ENODEV;
}

export const rk_iommu_ops: IommuOps = {
  name: 'rk_iommu_ops',
  probe_device: rk_iommu_probe_device,
  device_group: rk_iommu_device_group,
  of_xlate: rk_iommu_of_xlate,
};

/** Models rk_iommu_probe(): registration last, from the IOMMU's own probe. */
async function rk_iommu_probe(pdev: PlatformDevice): Promise<number> {
  const iommu = new RkIommu(iommu_group_alloc());
  platform_set_drvdata(pdev, iommu);
  const ret = iommu_device_sysfs_add(iommu.iommu, pdev, dev_name(pdev));
  if (ret) return ret;
  return await iommu_device_register(iommu.iommu, rk_iommu_ops, pdev);
}

export const rk_iommu_dt_ids = [{ compatible: 'rockchip,iommu' }];

/** builtin_platform_driver(rk_iommu_driver): device_initcall. */
export function rkIommuModule(_variant: string): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'rk_iommu_driver_init',
      () => platform_driver_register(new PlatformDriver('rk_iommu', rk_iommu_probe, { of_match_table: rk_iommu_dt_ids }))));
  });
}
