/**
 * MediaTek SMI (drivers/memory/mtk-smi.c, v6.5 shape), reduced to what the
 * IOMMU cares about: the SMI common and the local arbiters ("larbs") that sit
 * between multimedia clients and the M4U. A larb needs its SMI common probed
 * first (else -EPROBE_DEFER); mtk_iommu_probe needs every larb bound. The
 * drivers register at device_initcall; drivers/memory links after
 * drivers/iommu, so the IOMMU's first probe finds the larbs unbound and defers.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_err, dev_info, put_device } from '../../src/base/device.js';
import { EINVAL, EPROBE_DEFER } from '../../src/kernel/errno.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, platform_get_drvdata, platform_set_drvdata,
  type PlatformDevice } from '../../buses/platform/platform.js';
import { of_parse_phandle, of_property_read_u32 } from '../../firmware/of/of-base.js';
import { dev_of_node } from '../../firmware/of/of-device.js';
import { of_find_device_by_node } from '../../firmware/of/platform.js';
import type { OfDeviceId } from '../../src/base/driver.js';

/** Models struct mtk_smi (the SMI common's drvdata). */
export class MtkSmi {
  constructor(readonly dev: PlatformDevice) {}
}

/** Models struct mtk_smi_larb. */
export class MtkSmiLarb {
  constructor(readonly dev: PlatformDevice, readonly larbid: number, readonly smi_common_dev: PlatformDevice) {}
}

/** Models mtk_smi_device_link_common() (drivers/memory/mtk-smi.c, v6.5): the SMI common must have probed. */
function mtk_smi_device_link_common(pdev: PlatformDevice): PlatformDevice | number {
  const np = dev_of_node(pdev);
  const smi_com_node = np ? of_parse_phandle(np, 'mediatek,smi', 0) : undefined;
  if (!smi_com_node) return -EINVAL;
  const smi_com_pdev = of_find_device_by_node(smi_com_node);
  if (!smi_com_pdev) {
    dev_err(pdev, 'Failed to get the smi_common device');
    return -EINVAL;
  }
  // The SMI common is the supplier: it must be ready first.
  if (!platform_get_drvdata(smi_com_pdev)) {
    put_device(smi_com_pdev);
    return -EPROBE_DEFER;
  }
  return smi_com_pdev;
}

/** Models mtk_smi_larb_probe() (drivers/memory/mtk-smi.c, v6.5), without clocks and the component framework. */
async function mtk_smi_larb_probe(pdev: PlatformDevice): Promise<number> {
  const common = mtk_smi_device_link_common(pdev);
  if (typeof common === 'number') return common;
  const np = dev_of_node(pdev)!;
  const id = of_property_read_u32(np, 'mediatek,larb-id');
  platform_set_drvdata(pdev, new MtkSmiLarb(pdev, id.err === 0 ? id.value : -1, common));
  dev_info(pdev, 'smi larb ready');
  return 0;
}

/** Models mtk_smi_common_probe() (drivers/memory/mtk-smi.c, v6.5), without clocks. */
async function mtk_smi_common_probe(pdev: PlatformDevice): Promise<number> {
  platform_set_drvdata(pdev, new MtkSmi(pdev));
  return 0;
}

/** Models mtk_smi_common_of_ids (drivers/memory/mtk-smi.c, v6.5). */
export const mtk_smi_common_of_ids: readonly OfDeviceId[] = [{ compatible: 'mediatek,mt8183-smi-common' }];
/** Models mtk_smi_larb_of_ids (drivers/memory/mtk-smi.c, v6.5). */
export const mtk_smi_larb_of_ids: readonly OfDeviceId[] = [{ compatible: 'mediatek,mt8183-smi-larb' }];

/** Models mtk_smi_init() (drivers/memory/mtk-smi.c, v6.5; module_init): the common driver, then the larb driver. */
async function mtk_smi_init(): Promise<number> {
  const ret = await platform_driver_register(new PlatformDriver('mtk-smi-common', mtk_smi_common_probe, { of_match_table: mtk_smi_common_of_ids }));
  if (ret) return ret;
  return await platform_driver_register(new PlatformDriver('mtk-smi-larb', mtk_smi_larb_probe, { of_match_table: mtk_smi_larb_of_ids }));
}

/** drivers/memory: links after drivers/iommu and drivers/media. */
export const mtkSmiModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'mtk_smi_init', mtk_smi_init));
});
