/**
 * The built-in drivers a firmware file can bind (`kemu boot --dtb FILE`),
 * each with the compatibles of its of_match_table, like the modules.alias
 * entries MODULE_DEVICE_TABLE makes. Listed in the order drivers/Makefile
 * links their directories (v6.5: iommu/, gpu/, media/, remoteproc/,
 * memory/), which is the order of their initcalls within a level.
 */
import type { ContainerModule } from '../src/inversify.js';
import type { OfDeviceId } from '../src/base/driver.js';
import type { DriverEntry } from '../src/machine/catalog.js';
import { PROBE_LOCKING_VARIANTS } from '../src/iommu/variants.js';
import { omapIommuModule } from '../drivers/iommu/omap/module.js';
import { omap_iommu_of_match } from '../drivers/iommu/omap/omap-iommu.js';
import { exynosIommuModule } from '../drivers/iommu/exynos/module.js';
import { sysmmu_of_match } from '../drivers/iommu/exynos/exynos-iommu.js';
import { mtkIommuModule } from '../drivers/iommu/mtk/module.js';
import { mtk_iommu_of_ids } from '../drivers/iommu/mtk/mtk-iommu.js';
import { mockIommuModule } from '../drivers/iommu/mock/module.js';
import { mock_iommu_of_match } from '../drivers/iommu/mock/mock-iommu.js';
import { exynosDrmModule, exynos_gsc_match, fimd_driver_dt_match } from '../drivers/clients/exynos-drm.js';
import { adreno_dt_match, msmGpuModule } from '../drivers/clients/msm-gpu.js';
import { mtkVcodecModule, mtk_vcodec_match } from '../drivers/clients/mtk-vcodec.js';
import { omapRemoteprocModule, omap_rproc_of_match } from '../drivers/clients/omap-remoteproc.js';
import { mtkSmiModule, mtk_smi_common_of_ids, mtk_smi_larb_of_ids } from '../drivers/clients/mtk-smi.js';

function driver(name: string, summary: string, tables: readonly (readonly OfDeviceId[])[], modules: (variant: string) => readonly ContainerModule[]): DriverEntry {
  return { name, summary, compatible: tables.flat().map((id) => id.compatible), variants: PROBE_LOCKING_VARIANTS, modules };
}

export const BUILTIN_DRIVERS: readonly DriverEntry[] = [
  driver('omap-iommu', 'OMAP IOMMU (drivers/iommu/omap-iommu.c)', [omap_iommu_of_match], (v) => [omapIommuModule(v)]),
  driver('exynos-sysmmu', 'Exynos SysMMU (drivers/iommu/exynos-iommu.c)', [sysmmu_of_match], (v) => [exynosIommuModule(v)]),
  driver('mtk-iommu', 'MediaTek M4U (drivers/iommu/mtk_iommu.c)', [mtk_iommu_of_ids], (v) => [mtkIommuModule(v)]),
  driver('mock-iommu', 'the mock IOMMU, for DT nodes only (drivers/iommu/mock)', [mock_iommu_of_match], () => [mockIommuModule({ claim: [] })]),
  driver('exynos-drm', 'Exynos FIMD display controller and G-Scaler clients', [fimd_driver_dt_match, exynos_gsc_match], () => [exynosDrmModule]),
  driver('adreno', 'msm-like Adreno GPU that configures DMA for its GMU', [adreno_dt_match], () => [msmGpuModule]),
  driver('mtk-vcodec-dec', 'MediaTek video decoder client', [mtk_vcodec_match], () => [mtkVcodecModule]),
  driver('omap-rproc', 'OMAP DSP/IPU remote processor clients', [omap_rproc_of_match], () => [omapRemoteprocModule]),
  driver('mtk-smi', 'MediaTek SMI common and larbs (drivers/memory/mtk-smi.c)', [mtk_smi_common_of_ids, mtk_smi_larb_of_ids], () => [mtkSmiModule]),
];
