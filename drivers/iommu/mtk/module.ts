/**
 * The mtk-iommu driver's container module: its platform driver registered at
 * device_initcall (module_platform_driver), in link order with the other
 * drivers of the board. The driver has no variant-dependent behaviour: what
 * changes between kernel variants is the IOMMU core's locking around the ops
 * (src/iommu/variants.ts), not the driver.
 */
import { ContainerModule } from '../../../src/inversify.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { platform_driver_register } from '../../../buses/platform/platform.js';
import { mtk_iommu_driver } from './mtk-iommu.js';

/** Models mtk_iommu_driver_init() (module_platform_driver(mtk_iommu_driver); device_initcall). */
async function mtk_iommu_driver_init(): Promise<number> {
  return await platform_driver_register(mtk_iommu_driver());
}

export function mtkIommuModule(_variant: string): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'mtk_iommu_driver_init', mtk_iommu_driver_init));
  });
}
