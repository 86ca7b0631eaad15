/**
 * An OMAP remote-processor client (drivers/remoteproc/omap_remoteproc.c, v6.5
 * shape), reduced to what the IOMMU cares about: a platform driver for the DSP
 * and IPU nodes, behind one or two MMUs, probed through platform_dma_configure.
 */
import { ContainerModule } from '../../src/inversify.js';
import { dev_info, type Device } from '../../src/base/device.js';
import { iommu_group_get, iommu_group_put } from '../../src/iommu/iommu.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import type { OfDeviceId } from '../../src/base/driver.js';

/** Models omap_rproc_probe(): report whether the IOMMU core put the processor in a group. */
async function omap_rproc_probe(pdev: PlatformDevice): Promise<number> {
  const group = iommu_group_get(pdev as Device);
  dev_info(pdev, group ? `remote processor behind iommu group ${group.id}` : 'remote processor without an iommu group');
  iommu_group_put(group);
  return 0;
}

/** Models omap_rproc_of_match (drivers/remoteproc/omap_remoteproc.c, v6.5). */
export const omap_rproc_of_match: readonly OfDeviceId[] = [{ compatible: 'ti,omap4-dsp' }, { compatible: 'ti,omap4-ipu' }, { compatible: 'ti,dra7-dsp' }];

/** Models omap_rproc_driver (module_platform_driver: device_initcall). */
async function omap_rproc_init(): Promise<number> {
  return await platform_driver_register(new PlatformDriver('omap-rproc', omap_rproc_probe, { of_match_table: omap_rproc_of_match }));
}

export const omapRemoteprocModule = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'omap_rproc_driver_init', omap_rproc_init));
});
