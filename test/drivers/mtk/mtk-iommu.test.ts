/** The mtk driver's own contract: port ids through of_xlate, one larb per client, one group per IOMMU. */
import { expect, test } from 'vitest';
import { platformBusModule } from '../../../buses/platform/module.js';
import { mtkSmiModule } from '../../../drivers/clients/mtk-smi.js';
import { mtkVcodecModule } from '../../../drivers/clients/mtk-vcodec.js';
import { MTK_M4U_ID, MTK_M4U_TO_LARB, MTK_M4U_TO_PORT } from '../../../drivers/iommu/mtk/mtk-iommu.js';
import { mtkIommuModule } from '../../../drivers/iommu/mtk/module.js';
import { M4U_PORT_HW_VDEC_MC_EXT, mt8183LikeTree } from '../../../boards/mt8183-like.js';
import { ofFirmwareModule } from '../../../firmware/of/module.js';
import { of_find_device_by_node } from '../../../firmware/of/platform.js';
import { dev_iommu_fwspec_get } from '../../../src/iommu/iommu.js';
import { runOnce } from '../../../src/explore/explore.js';
import { bootScenario, kernelModules } from '../../../src/machine/machine.js';
import type { DeviceTree } from '../../../firmware/of/device-node.js';
import type { Kernel } from '../../../src/kernel/index.js';

function boot(tree: DeviceTree, seen: { ids?: number[] | null; group?: number | null }) {
  const modules = () => [...kernelModules('v6.7'), platformBusModule, ofFirmwareModule(tree), mtkIommuModule('v6.7'), mtkVcodecModule, mtkSmiModule];
  return async (k: Kernel) => {
    await bootScenario(modules)(k);
    const np = tree.root.children[0]!.children.find((n) => n.name.startsWith('video-codec'))!;
    const dev = of_find_device_by_node(np)!;
    const fwspec = await dev_iommu_fwspec_get(dev);
    seen.ids = fwspec ? [...fwspec.ids.get()] : null;
    seen.group = dev.iommu_group?.id ?? null;
  };
}

test('MTK_M4U_ID packs larb and port as the dt-bindings header does', () => {
  expect(M4U_PORT_HW_VDEC_MC_EXT).toBe(32);
  expect(MTK_M4U_TO_LARB(MTK_M4U_ID(3, 7))).toBe(3);
  expect(MTK_M4U_TO_PORT(MTK_M4U_ID(3, 7))).toBe(7);
});

test('of_xlate appends each port id; ports on one larb share the IOMMU\'s group', async () => {
  const seen: { ids?: number[] | null; group?: number | null } = {};
  const run = await runOnce(boot(mt8183LikeTree([MTK_M4U_ID(1, 0), MTK_M4U_ID(1, 3)]), seen));
  expect(run.outcome).toBe('complete');
  expect(seen).toEqual({ ids: [32, 35], group: 0 });
});

test('ports behind two larbs are refused by probe_device; the decoder probes without an IOMMU', async () => {
  const seen: { ids?: number[] | null; group?: number | null } = {};
  const run = await runOnce(boot(mt8183LikeTree([MTK_M4U_ID(0, 1), MTK_M4U_ID(1, 0)]), seen));
  expect(run.outcome).toBe('complete');
  const text = run.log.map((l) => l.text);
  expect(text).toContain('mtk-vcodec-dec 16000000.video-codec: Can only use one larb. Fail@larb0-1.');
  expect(text).toContain('mtk-vcodec-dec 16000000.video-codec: decoder ready without an iommu group');
  expect(seen.group).toBeNull();
});
