/**
 * The omap-iommu driver's container module: omap_iommu_init at
 * subsys_initcall, and the variant's placement of the bus re-probe.
 */
import { ContainerModule, injectable } from '../../../src/inversify.js';
import { bus_iommu_probe } from '../../../src/iommu/iommu.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { bindingFor } from '../../../src/machine/kernel-variants.js';
import { INITCALL, SUBSYSTEM, type Subsystem } from '../../../src/machine/tokens.js';
import { platform_bus_type, platform_driver_register, type PlatformDevice } from '../../../buses/platform/platform.js';
import { omap_iommu_driver, OmapIommuState, type OmapBusReprobe, type OmapIommu } from './omap-iommu.js';
import { OMAP_IOMMU_BUS_REPROBE } from './tokens.js';

/** v6.5: "re-probe bus to probe device attached to this IOMMU", for every instance. */
@injectable()
export class TrailingBusReprobe implements OmapBusReprobe {
  readonly scheme = 'bus_iommu_probe(&platform_bus_type) at the end of every probe';

  /** Models the trailing bus_iommu_probe() of omap_iommu_probe() (v6.5). */
  async omap_iommu_reprobe(_obj: OmapIommu, _pdev: PlatformDevice): Promise<void> {
    await bus_iommu_probe(platform_bus_type.get());
  }
}

/** iommu_group_locking2 patch 2: only an unregistered instance re-probes, passing itself (and its hwdev). */
@injectable()
export class UnregisteredBusReprobe implements OmapBusReprobe {
  readonly scheme = 'bus_iommu_probe(&platform_bus_type, &obj->iommu) only for unregistered instances';

  /** Models the else branch of omap_iommu_probe() in iommu_group_locking2. */
  async omap_iommu_reprobe(obj: OmapIommu, pdev: PlatformDevice): Promise<void> {
    if (obj.has_iommu_driver) return;
    obj.iommu.hwdev = pdev;
    await bus_iommu_probe(platform_bus_type.get(), obj.iommu);
  }
}

const REPROBE_BY_VARIANT: Readonly<Record<string, new () => OmapBusReprobe>> = {
  'v6.1': TrailingBusReprobe,
  'v6.2': TrailingBusReprobe,
  'v6.5': TrailingBusReprobe,
  'iommu-next-2023-08': TrailingBusReprobe,
  'fix-try-1': TrailingBusReprobe,
  'fix-try-2': UnregisteredBusReprobe,
  'locking2-v1': UnregisteredBusReprobe,
  'locking2-v2': UnregisteredBusReprobe,
  'v6.6': TrailingBusReprobe,
  'v6.7': TrailingBusReprobe,
  'v6.11': TrailingBusReprobe,
  'v6.12': TrailingBusReprobe,
};

/** Models omap_iommu_init() (drivers/iommu/omap-iommu.c, v6.5; subsys_initcall). */
async function omap_iommu_init(): Promise<number> {
  return await platform_driver_register(omap_iommu_driver());
}

export function omapIommuModule(variant: string): ContainerModule {
  const reprobe = bindingFor(REPROBE_BY_VARIANT, variant, 'omap-iommu');
  return new ContainerModule(({ bind }) => {
    bind<OmapBusReprobe>(OMAP_IOMMU_BUS_REPROBE).to(reprobe).inSingletonScope();
    bind(OmapIommuState).toSelf().inSingletonScope();
    bind<Subsystem>(SUBSYSTEM).toDynamicValue((ctx) => ctx.get(OmapIommuState));
    bind<Initcall>(INITCALL).toConstantValue(initcall('subsys', 'omap_iommu_init', omap_iommu_init));
  });
}
