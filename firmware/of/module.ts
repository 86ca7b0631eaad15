/**
 * The device tree's container module: the tree a board boots, and
 * of_platform_default_populate_init at arch_initcall_sync.
 */
import { ContainerModule } from '../../src/inversify.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import type { DeviceTree } from './device-node.js';
import { of_platform_default_populate } from './platform.js';

export const DEVICE_TREE = Symbol.for('kemu.of.device-tree') as symbol & { __type?: DeviceTree };

/** Models of_platform_default_populate_init() (drivers/of/platform.c, v6.5; arch_initcall_sync). */
export function ofFirmwareModule(tree: DeviceTree): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<DeviceTree>(DEVICE_TREE).toConstantValue(tree);
    bind<Initcall>(INITCALL).toConstantValue(initcall('arch_sync', 'of_platform_default_populate_init',
      async () => await of_platform_default_populate(tree)));
  });
}
