/**
 * Testing a client driver against the mock IOMMU: a DMA client on the kunit
 * bus binds, lands in a group with a mock default domain, maps and unmaps a
 * buffer; a buggy client's double unmap is caught by the mock's page-table
 * WARN; a failed map (fault injection) fails the probe cleanly; a DT client
 * reaches the mock through of_xlate and the replay.
 */
import { expect } from 'vitest';
import { ContainerModule } from 'inversify';
import { platformBusModule } from '../../../buses/platform/module.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../../buses/platform/platform.js';
import { dev_info, type Device } from '../../../src/base/device.js';
import { DeviceDriver } from '../../../src/base/driver.js';
import { dev_iommu_fwspec_get, iommu_group_get, iommu_group_put } from '../../../src/iommu/iommu.js';
import { runOnce } from '../../../src/explore/explore.js';
import { renderDmesg } from '../../../src/report/dmesg.js';
import { ENODEV, ENOMEM } from '../../../src/kernel/errno.js';
import { composeMachine, kernel_init, kernelModules } from '../../../src/machine/machine.js';
import { initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { kunitTest, type KunitTest } from '../../../src/kunit/index.js';
import { kunit_device_register_with_driver, kunit_driver_register, kunitBusModule, kunitScenario } from '../../../src/kunit/device.js';
import { buildDeviceTree } from '../../../firmware/of/dt-builder.js';
import { ofFirmwareModule } from '../../../firmware/of/module.js';
import { IOMMU_READ, IOMMU_WRITE, iommu_get_domain_for_dev, iommu_iova_to_phys, iommu_map,
  iommu_unmap } from '../../../src/iommu/iommu-map.js';
import { MockDomain } from '../../../drivers/iommu/mock/mock-iommu.js';
import { mockIommuModule } from '../../../drivers/iommu/mock/module.js';

const IOVA = 0x10000;
const PADDR = 0x80000000;
const SIZE = 0x2000;

/** A DMA client driver's probe, as the code under test: map a buffer, check it, unmap it. */
function dmaClientProbe(opts: { unmapTwice?: boolean } = {}) {
  return async (dev: Device): Promise<number> => {
    const group = iommu_group_get(dev);
    if (!group) return -ENODEV;
    iommu_group_put(group);
    const domain = iommu_get_domain_for_dev(dev);
    if (!domain) return -ENODEV;
    const ret = await iommu_map(domain, IOVA, PADDR, SIZE, IOMMU_READ | IOMMU_WRITE);
    if (ret) return ret;
    if ((await iommu_iova_to_phys(domain, IOVA + 0x1004)) !== PADDR + 0x1004) return -ENODEV;
    await iommu_unmap(domain, IOVA, SIZE);
    if (opts.unmapTwice) await iommu_unmap(domain, IOVA, SIZE);
    dev_info(dev, `dma client ready in iommu group ${group.id}`);
    return 0;
  };
}

/** Boot a machine with the kunit bus and the mock IOMMU, inside the run. */
async function bootMockMachine(variant: string, extra: ContainerModule[] = []): Promise<void> {
  await kernel_init(composeMachine([...kernelModules(variant), platformBusModule, kunitBusModule, mockIommuModule(), ...extra]));
}

/** The scenario: boot, then register the client driver and a device for it on the kunit bus. */
function clientScenario(t: KunitTest<unknown>, variant: string, probe: (dev: Device) => Promise<number>, seen: Record<string, unknown> = {}) {
  return kunitScenario(t, async () => {
    await bootMockMachine(variant);
    const drv = new DeviceDriver('dma-client', { probe });
    await kunit_driver_register(drv);
    const dev = await kunit_device_register_with_driver(t, 'client', drv);
    if (typeof dev === 'number') throw new Error(`kunit_device_register_with_driver: ${dev}`);
    seen.bound = dev.driver === drv;
    seen.group = dev.iommu_group?.id ?? null;
    const domain = dev.iommu_group?.domain;
    seen.domain = domain instanceof MockDomain ? domain.type : null;
    seen.mapped = domain instanceof MockDomain ? domain.nr_mapped.value : null;
  });
}

kunitTest.each(['v6.5', 'iommu-next-2023-08', 'locking2-v2', 'v6.7'])('a client on the kunit bus binds behind the mock', async (t) => {
  const result = await t.explore(clientScenario(t, t.param, dmaClientProbe()));
  expect(result).toBeCleanOnEverySchedule();
  const seen: Record<string, unknown> = {};
  const run = await runOnce(clientScenario(t, t.param, dmaClientProbe(), seen));
  expect(seen).toEqual({ bound: true, group: 0, domain: 'IOMMU_DOMAIN_DMA', mapped: 0 });
  const text = run.log.map((l) => l.text);
  // The ADD_DEVICE notifier put it in its group before any driver was bound.
  expect(text).toContain(`kunit ${t.name}.client: Adding to iommu group 0`);
  expect(text).toContain(`dma-client ${t.name}.client: dma client ready in iommu group 0`);
});

kunitTest('a client that unmaps twice trips the mock\'s page-table WARN', async (t) => {
  const result = await t.explore(clientScenario(t, 'v6.7', dmaClientProbe({ unmapTwice: true })));
  expect(result).toFindWarn({ location: /^mock_domain_unmap_pages/, chain: ['really_probe', 'iommu_unmap', 'mock_domain_unmap_pages'] });
  const warn = result.failures.find((f) => f.kind === 'warn')!;
  expect(warn.report.message).toContain(`iova 0x${IOVA.toString(16)} is not mapped`);
});

kunitTest('a failed map (fault injection) fails the probe with -ENOMEM, and nothing stays mapped', async (t) => {
  t.failNth('mock_iommu_map', 2); // the second page of the buffer
  const result = await t.explore(clientScenario(t, 'v6.7', dmaClientProbe()));
  // The failed probe is the boot's only finding, as data and as the kernel's line.
  expect(result.failures.map((f) => [f.kind, f.report.probe])).toEqual(
    [['probe-failed', { device: `${t.name}.client`, driver: 'dma-client', errno: -ENOMEM }]]);
  const seen: Record<string, unknown> = {};
  const run = await runOnce(clientScenario(t, 'v6.7', dmaClientProbe(), seen), { faults: t.faultPlan });
  expect(renderDmesg(run)).toContain(`dma-client: probe of ${t.name}.client failed with error ${-ENOMEM}`);
  // The mock unwound the first page; the device stays in its group, unbound.
  expect(seen).toEqual({ bound: false, group: 0, domain: 'IOMMU_DOMAIN_DMA', mapped: 0 });
});

kunitTest('two clients probing at once on two CPUs: each gets its own group and domain, on every schedule', async (t) => {
  const result = await t.explore(async (k) => {
    await bootMockMachine('v6.7');
    const drv = new DeviceDriver('dma-client', { probe: dmaClientProbe() });
    await kunit_driver_register(drv);
    for (const name of ['a', 'b']) {
      k.spawn(`probe-${name}`, async () => {
        const dev = await kunit_device_register_with_driver(t, name, drv);
        if (typeof dev === 'number' || dev.driver !== drv) throw new Error(`${name} did not bind`);
        const domain = dev.iommu_group?.domain;
        if (!(domain instanceof MockDomain) || domain.attached.length !== 1 || domain.attached[0] !== dev) {
          throw new Error(`${name} does not have a domain of its own`);
        }
      });
    }
  });
  expect(result).toBeCleanOnEverySchedule();
  expect(result.schedules).toBeGreaterThan(1);
});

/** A DT board: a mock IOMMU node and a platform client naming it with one id cell. */
const dtTree = () => buildDeviceTree({
  props: { compatible: 'kemu,mock-board', '#address-cells': 1, '#size-cells': 1 },
  children: {
    'iommu@1000': { label: 'mock', props: { compatible: 'kemu,mock-iommu', reg: [0x1000, 0x100], '#iommu-cells': 1 } },
    'dma@2000': { props: { compatible: 'kemu,dma-client', reg: [0x2000, 0x100], iommus: [{ ref: 'mock' }, 7] } },
  },
});

function dtClientModule(seen: Record<string, unknown>): ContainerModule {
  const probe = async (pdev: PlatformDevice) => {
    seen.ids = (await dev_iommu_fwspec_get(pdev))?.ids.get() ?? null;
    return await dmaClientProbe()(pdev);
  };
  return new ContainerModule(({ bind }) => {
    bind(INITCALL).toConstantValue(initcall('device', 'dma_client_init', () =>
      platform_driver_register(new PlatformDriver('dma-client', probe, { of_match_table: [{ compatible: 'kemu,dma-client' }] }))));
  });
}

kunitTest('a DT client finds a kemu,mock-iommu node through of_xlate and the replay', async (t) => {
  const seen: Record<string, unknown> = {};
  const scenario = () => bootMockMachine('v6.7', [ofFirmwareModule(dtTree()), dtClientModule(seen)]);
  const result = await t.explore(scenario);
  expect(result).toBeCleanOnEverySchedule();
  const run = await runOnce(scenario);
  expect(seen.ids).toEqual([7]);
  expect(run.log.map((l) => l.text)).toContain('dma-client 2000.dma: dma client ready in iommu group 0');
});

kunitTest('the DT mock registers from its own probe, so iommu-next-2023-08 self-deadlocks on it like a real driver', async (t) => {
  const result = await t.explore(() => bootMockMachine('iommu-next-2023-08', [ofFirmwareModule(dtTree()), dtClientModule({})]));
  expect(result).toFindHang({ task: 'swapper/0', chain: ['mock_iommu_probe', 'iommu_device_register', 'bus_iommu_probe', 'probe_iommu_group', 'device_lock'] });
});
