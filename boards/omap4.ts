/**
 * OMAP boards. `omap4Board` boots the committed omap4.dtb, an OMAP4430 laid
 * out as omap4.dtsi lays it out: the MMUs inside ti-sysc target modules under
 * simple-pm-bus interconnects, populated by those drivers' probes, with the
 * OMAP2+ machine creating the PRM instances first. `omap4DspBoard` is a board
 * written as a TypeScript object: one DSP and its MMU directly under a
 * simple-bus, the smallest machine on which omap-iommu probes itself.
 */
import { platformBusModule } from '../buses/platform/module.js';
import { simplePmBusModule } from '../drivers/bus/simple-pm-bus.js';
import { tiSyscModule } from '../drivers/bus/ti-sysc.js';
import { omapRemoteprocModule } from '../drivers/clients/omap-remoteproc.js';
import { omapIommuModule } from '../drivers/iommu/omap/module.js';
import { omapPrmModule } from '../drivers/soc/ti/omap-prm.js';
import { defineBoard, type Board } from '../src/machine/board.js';
import { PROBE_LOCKING_VARIANTS } from '../src/iommu/variants.js';
import type { DeviceTree } from '../firmware/of/device-node.js';
import { buildDeviceTree } from '../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../firmware/of/module.js';
import { loadCommittedDtb } from '../firmware/firmware-files.js';
import { machOmap2Module } from './mach-omap2.js';

/**
 * The modules of an OMAP2+ machine booting `tree`, in link order: the OF
 * code, the machine's init_machine, omap-iommu (subsys_initcall), then the
 * device_initcall drivers as drivers/Makefile orders them (bus/, soc/,
 * remoteproc/).
 */
function omapMachineModules(tree: DeviceTree, variant: string) {
  return [
    platformBusModule,
    ofFirmwareModule(tree),
    machOmap2Module(tree),
    omapIommuModule(variant),
    simplePmBusModule,
    tiSyscModule,
    omapPrmModule,
    omapRemoteprocModule,
  ];
}

/** An OMAP2+ board booted from one of the committed DTBs, on every probe-locking variant. */
function omapDtBoard(name: string, summary: string, dtb: string): Board {
  return defineBoard({
    name, summary, variants: PROBE_LOCKING_VARIANTS, defaultVariant: 'v6.7',
    modules: (variant) => omapMachineModules(loadCommittedDtb(dtb), variant),
  });
}

export const omap4Board = omapDtBoard('omap4',
  'OMAP4430 as omap4.dtsi lays it out (omap4.dtb): DSP and IPU MMUs inside ti-sysc target modules under simple-pm-bus interconnects',
  'omap4.dtb');

export const dra7Board = omapDtBoard('dra7',
  'DRA742 as dra7.dtsi lays it out (dra7.dtb): DSP1 behind two MMUs, each inside a ti-sysc target module, the client first',
  'dra7.dtb');

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
