/**
 * The platform bus's container module: platform_bus_init at core level (as
 * driver_init() does before the initcalls), and the bus as one of the IOMMU
 * core's iommu_buses[].
 */
import { ContainerModule } from '../../src/inversify.js';
import type { BusType } from '../../src/base/bus.js';
import { IOMMU_BUS } from '../../src/iommu/tokens.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { platform_bus_type } from './platform.js';

export const platformBusModule = new ContainerModule(({ bind }) => {
  bind<BusType>(IOMMU_BUS).toDynamicValue(() => platform_bus_type.get());
  bind<Initcall>(INITCALL).toConstantValue(initcall('pure', 'platform_bus_init', () => (platform_bus_type.get(), 0)));
});
