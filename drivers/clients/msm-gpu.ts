/**
 * An msm-like GPU client (drivers/gpu/drm/msm/adreno/a6xx_gmu.c, v6.5 shape):
 * the GPU driver's probe configures DMA for its GMU, a device it found through
 * a `qcom,gmu` phandle and did not probe, by calling of_dma_configure() on it
 * directly (a6xx_gmu_init). The GMU's device lock is not held there, so
 * variants that assert the device lock on the IOMMU probe path WARN, as on
 * Marek's RB5 in next-20230817.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_info, put_device } from '../../src/base/device.js';
import { EPROBE_DEFER, ENODEV } from '../../src/kernel/errno.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import { of_parse_phandle } from '../../firmware/of/of-base.js';
import { dev_of_node, of_dma_configure } from '../../firmware/of/of-device.js';
import { of_find_device_by_node } from '../../firmware/of/platform.js';
import type { OfDeviceId } from '../../src/base/driver.js';

/** Models a6xx_gmu_init() (drivers/gpu/drm/msm/adreno/a6xx_gmu.c, v6.5): of_dma_configure on the GMU. */
async function a6xx_gmu_init(gpu: PlatformDevice): Promise<number> {
  const np = dev_of_node(gpu);
  const gmu_np = np ? of_parse_phandle(np, 'qcom,gmu', 0) : undefined;
  if (!gmu_np) return -ENODEV;
  const gmu = of_find_device_by_node(gmu_np);
  if (!gmu) return -EPROBE_DEFER;
  const ret = await of_dma_configure(gmu, gmu_np, true);
  put_device(gmu);
  return ret;
}

/** Models adreno_probe() → a6xx_gpu_init → a6xx_gmu_init, reduced. */
async function adreno_probe(pdev: PlatformDevice): Promise<number> {
  const ret = await a6xx_gmu_init(pdev);
  if (ret) return ret;
  dev_info(pdev, 'GPU and GMU configured');
  return 0;
}

/** Models dt_match (drivers/gpu/drm/msm/adreno/adreno_device.c, v6.5). */
export const adreno_dt_match: readonly OfDeviceId[] = [{ compatible: 'qcom,adreno' }];

/** Models the adreno driver's registration (msm_drv init, device_initcall). */
async function msm_drm_register(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('adreno', adreno_probe, { of_match_table: adreno_dt_match }));
}

export const msmGpuModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'msm_drm_register', msm_drm_register));
});
