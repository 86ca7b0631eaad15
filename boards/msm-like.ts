/**
 * An msm-like board written as a TypeScript object: a GPU whose driver
 * configures DMA for its GMU (a device it did not probe) with
 * of_dma_configure(), both behind an of_xlate IOMMU. The IOMMU here is the
 * Exynos SysMMU model standing in for the SMMU (the path through the IOMMU
 * core is the same: of_xlate, then the replayed probe).
 */
import { platformBusModule } from '../buses/platform/module.js';
import { msmGpuModule } from '../drivers/clients/msm-gpu.js';
import { exynosIommuModule } from '../drivers/iommu/exynos/module.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { buildDeviceTree } from '../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { PROBE_LOCKING_VARIANTS } from '../src/iommu/variants.js';

let tree: DeviceTree | null = null;

export function msmLikeTree(): DeviceTree {
  return (tree ??= buildDeviceTree({
    props: { compatible: 'qcom,sm8250-like', '#address-cells': 1, '#size-cells': 1 },
    children: {
      soc: {
        props: { compatible: 'simple-bus', '#address-cells': 1, '#size-cells': 1, ranges: true },
        children: {
          'iommu@3da0000': { label: 'adreno_smmu', props: { compatible: 'samsung,exynos-sysmmu', reg: [0x3da0000, 0x10000], '#iommu-cells': 0 } },
          'gmu@3d6a000': { label: 'gmu', props: { compatible: 'qcom,adreno-gmu', reg: [0x3d6a000, 0x30000], iommus: { ref: 'adreno_smmu' } } },
          'gpu@3d00000': { props: { compatible: 'qcom,adreno', reg: [0x3d00000, 0x40000], 'qcom,gmu': { ref: 'gmu' }, iommus: { ref: 'adreno_smmu' } } },
        },
      },
    },
  }));
}

export const msmLikeBoard: Board = defineBoard({
  name: 'msm-like',
  summary: 'msm-like GPU whose probe calls of_dma_configure() on its GMU, a device it did not probe',
  variants: PROBE_LOCKING_VARIANTS,
  defaultVariant: 'v6.7',
  modules: (variant) => [platformBusModule, ofFirmwareModule(msmLikeTree()), exynosIommuModule(variant), msmGpuModule],
});
