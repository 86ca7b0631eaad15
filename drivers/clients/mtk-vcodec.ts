/**
 * A MediaTek video-decoder-like client (drivers/media/platform/mediatek/vcodec,
 * v6.5 shape), reduced to what the IOMMU cares about: a platform device with
 * `iommus = <&iommu MTK_M4U_ID(larb, port)>`, configured through
 * platform_dma_configure → of_iommu_configure → mtk_iommu_of_xlate and the
 * replayed probe. It defers until the IOMMU has registered.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_info, type Device } from '../../src/base/device.js';
import { iommu_group_get, iommu_group_put } from '../../src/iommu/iommu.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import type { OfDeviceId } from '../../src/base/driver.js';

/** Models mtk_vcodec_probe() (drivers/media/platform/mediatek/vcodec/mtk_vcodec_dec_drv.c), reduced. */
async function mtk_vcodec_probe(pdev: PlatformDevice): Promise<number> {
  const group = iommu_group_get(pdev as Device);
  dev_info(pdev, group ? `decoder ready (iommu group ${group.id})` : 'decoder ready without an iommu group');
  iommu_group_put(group);
  return 0;
}

/** Models mtk_vcodec_match (drivers/media/platform/mediatek/vcodec/mtk_vcodec_dec_drv.c, v6.5). */
export const mtk_vcodec_match: readonly OfDeviceId[] = [{ compatible: 'mediatek,mt8183-vcodec-dec' }];

/** Models the decoder's module_platform_driver (device_initcall). */
async function mtk_vcodec_dec_driver_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('mtk-vcodec-dec', mtk_vcodec_probe, { of_match_table: mtk_vcodec_match }));
}

/** drivers/media: links after drivers/iommu, before drivers/memory. */
export const mtkVcodecModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'mtk_vcodec_dec_driver_init', mtk_vcodec_dec_driver_init));
});
