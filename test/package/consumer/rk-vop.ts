/** A display controller client: it needs its IOMMU group, and BUG()s without one. */
import { ContainerModule, INITCALL, initcall, type Initcall } from 'kemu';
import { dev_info } from 'kemu/base';
import { BUG_ON } from 'kemu/kernel';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from 'kemu/platform';

async function vop_probe(pdev: PlatformDevice): Promise<number> {
  BUG_ON(!pdev.iommu_group, 'vop: no iommu group');
  dev_info(pdev, `display controller in iommu group ${pdev.iommu_group!.id}`);
  return 0;
}

export const vop_driver_dt_match = [{ compatible: 'rockchip,rk3399-vop-big' }];

/** drivers/gpu links after drivers/iommu: device_initcall, after the IOMMU's. */
export const rkVopModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'vop_driver_init',
    () => platform_driver_register(new PlatformDriver('rockchip-vop', vop_probe, { of_match_table: vop_driver_dt_match }))));
});
