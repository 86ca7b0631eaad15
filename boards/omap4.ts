/**
 * OMAP boards. `omap4Board` boots the committed omap4.dtb (an OMAP4430-like SoC
 * with DSP and IPU remote processors and a DRA7-style DSP behind two MMUs);
 * `omap4DspBoard` is a board written as a TypeScript object: one DSP and its
 * MMU, the smallest machine on which omap-iommu probes itself.
 */
import { platformBusModule } from '../buses/platform/module.js';
import { omapRemoteprocModule } from '../drivers/clients/omap-remoteproc.js';
import { omapIommuModule } from '../drivers/iommu/omap/module.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import { PROBE_LOCKING_VARIANTS } from '../src/iommu/variants.js';
import { buildDeviceTree } from '../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { loadCommittedDtb } from '../firmware/firmware-files.js';


export const omap4Board: Board = defineBoard({
  name: 'omap4',
  summary: 'OMAP4430-like SoC (omap4.dtb): DSP/IPU remote processors behind omap-iommu MMUs, plus a DRA7-style DSP behind two MMUs',
  variants: PROBE_LOCKING_VARIANTS,
  defaultVariant: 'v6.7',
  modules: (variant) => [
    platformBusModule,
    ofFirmwareModule(loadCommittedDtb('omap4.dtb')),
    omapIommuModule(variant),
    omapRemoteprocModule,
  ],
});

/** A DSP and its MMU, client first as in omap4.dtsi. */
export const omap4DspTree = () => buildDeviceTree({
  props: { compatible: ['ti,omap4430', 'ti,omap4'], '#address-cells': 1, '#size-cells': 1 },
  children: {
    ocp: {
      props: { compatible: ['ti,omap4-l3-noc', 'simple-bus'], '#address-cells': 1, '#size-cells': 1, ranges: true },
      children: {
        dsp: { props: { compatible: 'ti,omap4-dsp', iommus: { ref: 'mmu_dsp' } } },
        'mmu@4a066000': {
          label: 'mmu_dsp',
          props: { compatible: 'ti,omap4-iommu', reg: [0x4a066000, 0x100], '#iommu-cells': 0 },
        },
      },
    },
  },
});

export const omap4DspBoard: Board = defineBoard({
  name: 'omap4-dsp',
  summary: 'OMAP4 DSP and its MMU only (a TypeScript board): omap_iommu_probe walks the bus onto its own device',
  variants: PROBE_LOCKING_VARIANTS,
  defaultVariant: 'v6.7',
  modules: (variant) => [platformBusModule, ofFirmwareModule(dspTree()), omapIommuModule(variant), omapRemoteprocModule],
});

let dspTreeCache: ReturnType<typeof omap4DspTree> | null = null;
function dspTree(): ReturnType<typeof omap4DspTree> {
  return (dspTreeCache ??= omap4DspTree());
}
