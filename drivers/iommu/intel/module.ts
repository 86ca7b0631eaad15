/**
 * The VT-d driver's container module for a kernel variant: the variant's QI
 * slot bookkeeping (before or after 3cf74230c139), the driver state, and
 * intel_iommu_init at rootfs_initcall (x86's pci_iommu_init calls
 * x86_init.iommu.iommu_init there, after PCI enumeration at subsys_initcall and
 * before device drivers bind at device_initcall).
 *
 * A board also binds dmarFirmwareModule (the DMAR table) and vtdHardwareModule
 * (the units at the DRHDs' register bases).
 */
import { ContainerModule } from '../../../src/inversify.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL, SUBSYSTEM, type Subsystem } from '../../../src/machine/tokens.js';
import { findVariant } from '../../../src/machine/kernel-variants.js';
import { INTEL_IOMMU_OPTIONS, IntelIommuState, intel_iommu_init, type IntelIommuOptions } from './iommu.js';
import { QI_RECLAIM_POLICY, qiReclaimPolicyFor, type QiReclaimPolicy } from './qi-reclaim.js';

export function intelIommuModule(variant: string, options: IntelIommuOptions = {}): ContainerModule {
  findVariant(variant);
  const policy = qiReclaimPolicyFor(variant);
  return new ContainerModule(({ bind }) => {
    bind<QiReclaimPolicy>(QI_RECLAIM_POLICY).to(policy).inSingletonScope();
    bind<IntelIommuOptions>(INTEL_IOMMU_OPTIONS).toConstantValue(options);
    bind(IntelIommuState).toSelf().inSingletonScope();
    bind<Subsystem>(SUBSYSTEM).toDynamicValue((ctx) => ctx.get(IntelIommuState));
    bind<Initcall>(INITCALL).toConstantValue(initcall('rootfs', 'pci_iommu_init', intel_iommu_init));
  });
}
