/** The Exynos SysMMU driver's container module: exynos_iommu_init at core_initcall. */
import { ContainerModule } from '../../../src/inversify.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { platform_driver_register } from '../../../buses/platform/platform.js';
import { exynos_sysmmu_driver } from './exynos-iommu.js';

/** Models exynos_iommu_init() (drivers/iommu/exynos-iommu.c, v6.5; core_initcall). */
async function exynos_iommu_init(): Promise<number> {
  return await platform_driver_register(exynos_sysmmu_driver());
}

/** The driver has no variant-dependent bindings. */
export function exynosIommuModule(_variant: string): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('core', 'exynos_iommu_init', exynos_iommu_init));
  });
}
