/**
 * A MediaTek MT8183-like board written as a TypeScript object: the M4U
 * (`mediatek,mt8183-m4u`, `#iommu-cells = <1>`) in front of two SMI larbs, a
 * video decoder on larb 1 (`iommus = <&iommu MTK_M4U_ID(1, 0)>`), and the SMI
 * common. Node order follows the addresses, as in mt8183.dtsi: the IOMMU comes
 * first. Link order: drivers/iommu, drivers/media, drivers/memory, all at
 * device_initcall, so the IOMMU's first probe finds the larbs unbound and
 * defers, and the deferred-probe worker (kworker/u16:0) probes it at
 * late_initcall: the path of Chen-Yu Tsai's report.
 */
import { platformBusModule } from '../buses/platform/module.js';
import { mtkSmiModule } from '../drivers/clients/mtk-smi.js';
import { mtkVcodecModule } from '../drivers/clients/mtk-vcodec.js';
import { MTK_M4U_ID } from '../drivers/iommu/mtk/mtk-iommu.js';
import { mtkIommuModule } from '../drivers/iommu/mtk/module.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { buildDeviceTree } from '../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { PROBE_LOCKING_VARIANTS } from '../src/iommu/variants.js';

/** M4U_PORT_HW_VDEC_MC_EXT on mt8183: larb 1, port 0. */
export const M4U_PORT_HW_VDEC_MC_EXT = MTK_M4U_ID(1, 0);

/** The board's device tree; `vdecPorts` are the decoder's `iommus` port ids (one `<&iommu id>` entry each). */
export function mt8183LikeTree(vdecPorts: readonly number[] = [M4U_PORT_HW_VDEC_MC_EXT]): DeviceTree {
  return buildDeviceTree({
    props: { compatible: ['kemu,mt8183-like', 'mediatek,mt8183'], '#address-cells': 1, '#size-cells': 1 },
    children: {
      soc: {
        props: { compatible: 'simple-bus', '#address-cells': 1, '#size-cells': 1, ranges: true },
        children: {
          'iommu@10205000': {
            label: 'iommu',
            props: {
              compatible: 'mediatek,mt8183-m4u', reg: [0x10205000, 0x1000],
              'mediatek,larbs': [{ ref: 'larb0' }, { ref: 'larb1' }], '#iommu-cells': 1,
            },
          },
          'smi@14019000': { label: 'smi_common', props: { compatible: 'mediatek,mt8183-smi-common', reg: [0x14019000, 0x1000] } },
          'larb@14017000': {
            label: 'larb0',
            props: { compatible: 'mediatek,mt8183-smi-larb', reg: [0x14017000, 0x1000], 'mediatek,smi': { ref: 'smi_common' }, 'mediatek,larb-id': 0 },
          },
          'video-codec@16000000': {
            props: {
              compatible: 'mediatek,mt8183-vcodec-dec', reg: [0x16000000, 0x1000],
              iommus: vdecPorts.flatMap((id) => [{ ref: 'iommu' }, id]), 'mediatek,larb': { ref: 'larb1' },
            },
          },
          'larb@16010000': {
            label: 'larb1',
            props: { compatible: 'mediatek,mt8183-smi-larb', reg: [0x16010000, 0x1000], 'mediatek,smi': { ref: 'smi_common' }, 'mediatek,larb-id': 1 },
          },
        },
      },
    },
  });
}

let tree: DeviceTree | null = null;

export const mt8183LikeBoard: Board = defineBoard({
  name: 'mt8183-like',
  summary: 'MT8183-like SoC (a TypeScript board): the M4U defers on its SMI larbs and registers from the deferred-probe worker',
  variants: PROBE_LOCKING_VARIANTS,
  defaultVariant: 'v6.7',
  modules: (variant) => [
    platformBusModule,
    ofFirmwareModule((tree ??= mt8183LikeTree())),
    mtkIommuModule(variant),
    mtkVcodecModule,
    mtkSmiModule,
  ],
});
