/**
 * The mock IOMMU on a machine. `mockIommuModule()` adds, at subsys_initcall
 * (after iommu_subsys_init), a mock IOMMU claiming the `kunit` bus (register
 * the bus with `kunitBusModule` from src/kunit, listed before this module) and
 * the platform driver for `kemu,mock-iommu` DT nodes. A client driver under
 * test then finds the mock the way it would find real hardware: a kunit device
 * through the ADD_DEVICE notifier, a DT platform device through
 * platform_dma_configure → of_iommu_configure → of_xlate and the replay.
 *
 * ```ts
 * await kernel_init(composeMachine([...kernelModules('v6.7'), platformBusModule, kunitBusModule, mockIommuModule()]));
 * const dev = await kunit_device_register_with_driver(test, 'client', clientDriver);
 * ```
 */
import { ContainerModule } from '../../../src/inversify.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { platform_driver_register } from '../../../buses/platform/platform.js';
import { mock_iommu_driver, mock_iommu_register } from './mock-iommu.js';

export interface MockIommuOptions {
  /** Buses whose devices the initcall-registered mock claims (default `['kunit']`; `[]` for none). */
  readonly claim?: readonly string[];
  /** Register the `kemu,mock-iommu` platform driver for DT instances (default true). */
  readonly of?: boolean;
}

export function mockIommuModule(options: MockIommuOptions = {}): ContainerModule {
  const claim = options.claim ?? ['kunit'];
  const of = options.of ?? true;
  /** The mock's init, in the manner of iommufd_test_init(). */
  async function mock_iommu_init(): Promise<number> {
    if (claim.length > 0) {
      const mock = await mock_iommu_register(claim);
      if (typeof mock === 'number') return mock;
    }
    return of ? await platform_driver_register(mock_iommu_driver()) : 0;
  }
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('subsys', 'mock_iommu_init', mock_iommu_init));
  });
}
