/**
 * The device tree's container module: the tree a board boots,
 * of_platform_default_populate_init at arch_initcall_sync, and the variant's
 * of_iommu_configure() (of-iommu.ts).
 */
import { ContainerModule } from '../../src/inversify.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { bindingFor } from '../../src/machine/kernel-variants.js';
import { INITCALL, KERNEL_VARIANT, SUBSYSTEM, type Subsystem } from '../../src/machine/tokens.js';
import type { DeviceTree } from './device-node.js';
import { OfIommuConfigureV614, OfIommuConfigureV615, OfIommuConfigureV65, type OfIommuConfigure } from './of-iommu.js';
import { of_platform_default_populate } from './platform.js';

export const DEVICE_TREE = Symbol.for('kemu.of.device-tree') as symbol & { __type?: DeviceTree };

/** Variant → its of_iommu_configure(). */
const OF_IOMMU_BY_VARIANT: Readonly<Record<string, new () => OfIommuConfigure>> = {
  'v6.1': OfIommuConfigureV65,
  'v6.2': OfIommuConfigureV65,
  'v6.5': OfIommuConfigureV65,
  'iommu-next-2023-08': OfIommuConfigureV65,
  'fix-try-1': OfIommuConfigureV65,
  'fix-try-2': OfIommuConfigureV65,
  'locking2-v1': OfIommuConfigureV65,
  'locking2-v2': OfIommuConfigureV65,
  'v6.6': OfIommuConfigureV65,
  'v6.7': OfIommuConfigureV65,
  'v6.11': OfIommuConfigureV65,
  'v6.12': OfIommuConfigureV65,
  'v6.14': OfIommuConfigureV614,
  'v6.14+b46064a18810': OfIommuConfigureV614,
  'v6.15': OfIommuConfigureV615,
  'v6.15+0c8e9c148e29': OfIommuConfigureV615,
  'v6.15.1': OfIommuConfigureV615,
  'v6.15.1+ready-check': OfIommuConfigureV615,
};

/** Models of_platform_default_populate_init() (drivers/of/platform.c, v6.5; arch_initcall_sync). */
export function ofFirmwareModule(tree: DeviceTree): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<DeviceTree>(DEVICE_TREE).toConstantValue(tree);
    bind<Subsystem>(SUBSYSTEM).toDynamicValue((ctx) => {
      const Configure = bindingFor(OF_IOMMU_BY_VARIANT, ctx.get<string>(KERNEL_VARIANT), 'the OF IOMMU code');
      return { subsystem: `of_iommu (${new Configure().scheme})` };
    });
    bind<Initcall>(INITCALL).toConstantValue(initcall('arch_sync', 'of_platform_default_populate_init',
      async () => await of_platform_default_populate(tree)));
  });
}
