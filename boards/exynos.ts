/**
 * The Exynos board: the committed exynos.dtb (an Exynos5250-like SoC with
 * SysMMUs in front of a display controller and a scaler), the SysMMU driver at
 * core_initcall, and the DRM and scaler clients at device_initcall.
 */
import { platformBusModule } from '../buses/platform/module.js';
import { exynosDrmModule } from '../drivers/clients/exynos-drm.js';
import { exynosIommuModule } from '../drivers/iommu/exynos/module.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { loadCommittedDtb } from '../firmware/firmware-files.js';
import { PROBE_LOCKING_VARIANTS } from '../src/iommu/variants.js';

export const exynosBoard: Board = defineBoard({
  name: 'exynos',
  summary: 'Exynos5250-like SoC (exynos.dtb): SysMMUs bound through of_xlate in front of a DRM display controller and a scaler',
  variants: PROBE_LOCKING_VARIANTS,
  defaultVariant: 'v6.7',
  modules: (variant) => [
    platformBusModule,
    ofFirmwareModule(loadCommittedDtb('exynos.dtb')),
    exynosIommuModule(variant),
    exynosDrmModule,
  ],
});
