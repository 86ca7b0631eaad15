/**
 * omap-iommu on a DRA7-style DSP behind two MMUs: only the MDMA MMU (40d01000)
 * may register (omap_iommu_can_register); the EDMA MMU probes unregistered and
 * re-probes the bus, so the DSP ends up in the registered MMU's group.
 */
import { describe, expect, test } from 'vitest';
import { platformBusModule } from '../../../buses/platform/module.js';
import { omapRemoteprocModule } from '../../../drivers/clients/omap-remoteproc.js';
import { omapIommuModule } from '../../../drivers/iommu/omap/module.js';
import { buildDeviceTree } from '../../../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../../../firmware/of/module.js';
import { runOnce } from '../../../src/explore/explore.js';
import { bisectBoard } from '../../../src/machine/bisect.js';
import { defineBoard } from '../../../src/machine/board.js';
import { frameFunction } from '../../../src/kernel/sched/call-trace.js';

const tree = buildDeviceTree({
  props: { compatible: 'ti,dra7', '#address-cells': 1, '#size-cells': 1 },
  children: {
    ocp: {
      props: { compatible: 'simple-bus', '#address-cells': 1, '#size-cells': 1, ranges: true },
      children: {
        'mmu@40d02000': { label: 'mmu1', props: { compatible: 'ti,dra7-dsp-iommu', reg: [0x40d02000, 0x100], '#iommu-cells': 0 } },
        'mmu@40d01000': { label: 'mmu0', props: { compatible: 'ti,dra7-dsp-iommu', reg: [0x40d01000, 0x100], '#iommu-cells': 0 } },
        'dsp@40800000': { props: { compatible: 'ti,dra7-dsp', reg: [0x40800000, 0x48000], iommus: [{ ref: 'mmu0' }, { ref: 'mmu1' }] } },
      },
    },
  },
});

const board = defineBoard({
  name: 'dra7-dsp',
  summary: 'a DRA7 DSP behind two MMUs, the unregistered one first',
  variants: ['v6.5', 'iommu-next-2023-08', 'locking2-v2', 'v6.7'],
  modules: (variant) => [platformBusModule, ofFirmwareModule(tree), omapIommuModule(variant), omapRemoteprocModule],
});

describe('omap-iommu with a DSP behind two MMUs', () => {
  test('only 40d01000.mmu registers; the DSP joins its group after the EDMA MMU re-probed the bus', async () => {
    for (const v of ['v6.5', 'locking2-v2', 'v6.7']) {
      const text = (await runOnce(board.boot(v))).log.map((l) => l.text);
      expect(text, v).toContain('omap-iommu 40d02000.mmu: 40d02000.mmu registered');
      expect(text, v).toContain('omap-iommu 40d01000.mmu: 40d01000.mmu registered');
      expect(text, v).toContain('platform 40800000.dsp: Adding to iommu group 0');
      expect(text, v).toContain('omap-rproc 40800000.dsp: remote processor behind iommu group 0');
    }
  });

  test('on iommu-next-2023-08 the registering MMU hangs on itself; the unregistered one does not', async () => {
    const [row] = await bisectBoard(board, { variants: ['iommu-next-2023-08'] });
    expect(row!.outcome).toBe('hangs');
    expect(row!.failure!.report.task!.waitsFor!.name).toBe('40d01000.mmu');
    expect(row!.chain.map(frameFunction)).toContain('iommu_device_register');
  });
});
