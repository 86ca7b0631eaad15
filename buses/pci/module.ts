/**
 * The PCI bus's container modules: pci_driver_init at postcore_initcall with
 * the bus as one of the IOMMU core's iommu_buses[], and the enumeration of a
 * board's host bridges at subsys_initcall (where acpi_pci_root_init scans the
 * root buses on x86).
 */
import { ContainerModule } from '../../src/inversify.js';
import type { BusType } from '../../src/base/bus.js';
import { IOMMU_BUS } from '../../src/iommu/tokens.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { pci_bus_type, pci_host_probe, type PciHostBridgeSpec } from './pci.js';

export const pciBusModule = new ContainerModule(({ bind }) => {
  bind<BusType>(IOMMU_BUS).toDynamicValue(() => pci_bus_type.get());
  bind<Initcall>(INITCALL).toConstantValue(initcall('postcore', 'pci_driver_init', () => (pci_bus_type.get(), 0)));
});

/** Models the root bus scan of acpi_pci_root_init() (drivers/acpi/pci_root.c, v6.5; subsys_initcall) over described topologies. */
export function pciHostBridgeModule(...hosts: readonly PciHostBridgeSpec[]): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('subsys', 'acpi_pci_root_init', async () => {
      for (const host of hosts) await pci_host_probe(host);
      return 0;
    }));
  });
}
