/**
 * Exynos DRM-like and scaler clients (drivers/gpu/drm/exynos, v6.5 shape):
 * exynos_drm_init() registers the display controller's driver at
 * device_initcall, so binding it walks the platform bus (__driver_attach) and
 * configures each display device's SysMMUs through platform_dma_configure →
 * of_iommu_configure → of_xlate → the replayed iommu_probe_device: the path of
 * Marek Szyprowski's hang report. The G-Scaler (drivers/media) is a second,
 * one-SysMMU client.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_info } from '../../src/base/device.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import type { OfDeviceId } from '../../src/base/driver.js';

/** Models fimd_probe() (drivers/gpu/drm/exynos/exynos_drm_fimd.c). */
async function fimd_probe(pdev: PlatformDevice): Promise<number> {
  dev_info(pdev, `display controller ready${pdev.iommu_group ? ` (iommu group ${pdev.iommu_group.id})` : ''}`);
  return 0;
}

/** Models gsc_probe() (drivers/media/platform/samsung/exynos-gsc/gsc-core.c). */
async function gsc_probe(pdev: PlatformDevice): Promise<number> {
  dev_info(pdev, `scaler ready${pdev.iommu_group ? ` (iommu group ${pdev.iommu_group.id})` : ''}`);
  return 0;
}

/** Models fimd_driver_dt_match (drivers/gpu/drm/exynos/exynos_drm_fimd.c, v6.5). */
export const fimd_driver_dt_match: readonly OfDeviceId[] = [{ compatible: 'samsung,exynos5250-fimd' }, { compatible: 'samsung,exynos4210-fimd' }];

/** Models exynos_drm_init() (drivers/gpu/drm/exynos/exynos_drm_drv.c, v6.5; module_init). */
async function exynos_drm_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('exynos4-fb', fimd_probe, { of_match_table: fimd_driver_dt_match }));
}

/** Models exynos_gsc_match (drivers/media/platform/samsung/exynos-gsc/gsc-core.c, v6.5). */
export const exynos_gsc_match: readonly OfDeviceId[] = [{ compatible: 'samsung,exynos5250-gsc' }, { compatible: 'samsung,exynos5-gsc' }];

/** Models the exynos-gsc driver's module_platform_driver (device_initcall). */
async function gsc_driver_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('exynos-gsc', gsc_probe, { of_match_table: exynos_gsc_match }));
}

/** The DRM driver (drivers/gpu) links before the scaler (drivers/media). */
export const exynosDrmModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'exynos_drm_init', exynos_drm_init));
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'gsc_driver_init', gsc_driver_init));
});
