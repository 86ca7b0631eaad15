/**
 * The ACPI path: a small ACPI-described machine (an SMMU and a DMA engine
 * listed in an IORT-style map) whose client binds through
 * platform_dma_configure → acpi_dma_configure → acpi_iommu_configure_id and its
 * replay of the IOMMU probe, which hangs the same way as the OF replay.
 */
import { ContainerModule } from 'inversify';
import { describe, expect, test } from 'vitest';
import { platformBusModule } from '../../buses/platform/module.js';
import { PlatformDriver, platform_driver_register, type PlatformDevice } from '../../buses/platform/platform.js';
import { AcpiDevice, acpi_iort_table } from '../../firmware/acpi/acpi-iommu.js';
import { acpi_create_platform_device } from '../../firmware/acpi/acpi-platform.js';
import { defineIortTable } from '../../firmware/acpi/iort.js';
import { dev_info, type Device } from '../../src/base/device.js';
import { dev_iommu_fwspec_get, generic_device_group, iommu_device_register, IommuDevice,
  type IommuOps } from '../../src/iommu/iommu.js';
import { ENODEV } from '../../src/kernel/errno.js';
import { bisectBoard } from '../../src/machine/bisect.js';
import { defineBoard } from '../../src/machine/board.js';
import { initcall, type Initcall } from '../../src/machine/initcall.js';
import { INITCALL } from '../../src/machine/tokens.js';
import { frameFunction } from '../../src/kernel/sched/call-trace.js';

const SMMU = new AcpiDevice('\\_SB_.SMMU', 'ARMH0000');
const DMA0 = new AcpiDevice('\\_SB_.DMA0', 'ARMH0001');
const IORT = defineIortTable({
  smmus: [{ name: 'smmu0', fwnode: SMMU }],
  named_components: [{ device_name: '\\_SB_.DMA0', output: { smmu: 'smmu0', stream_ids: [0x20] } }],
});

/** An arm-smmu-like driver: probe_device needs the fwspec the ACPI parse builds. */
const smmu_ops: IommuOps = {
  name: 'acpi_smmu_ops',
  async probe_device(dev: Device) {
    const fwspec = await dev_iommu_fwspec_get(dev);
    const fwnode = fwspec?.iommu_fwnode.get() ?? null;
    return fwnode ? instance(fwnode) ?? -ENODEV : -ENODEV;
  },
  device_group: generic_device_group,
  domain_alloc: (type) => ({ type, ops: smmu_ops }),
  attach_dev: () => 0,
};
const instances = new WeakMap<object, IommuDevice>();
function instance(fwnode: object): IommuDevice | undefined {
  return instances.get(fwnode);
}

async function acpi_smmu_probe(pdev: PlatformDevice): Promise<number> {
  const iommu = new IommuDevice('smmu');
  instances.set(pdev.fwnode!, iommu);
  return await iommu_device_register(iommu, smmu_ops, pdev);
}

async function dma_probe(pdev: PlatformDevice): Promise<number> {
  dev_info(pdev, `DMA engine ready (stream ${(await dev_iommu_fwspec_get(pdev))?.ids.get().join(',')})`);
  return 0;
}

const acpiMachine = new ContainerModule(({ bind }) => {
  bind<Initcall>(INITCALL).toConstantValue(initcall('core', 'acpi_smmu_init',
    async () => await platform_driver_register(new PlatformDriver('acpi-smmu', acpi_smmu_probe, { acpi_match_table: ['ARMH0000'] }))));
  bind<Initcall>(INITCALL).toConstantValue(initcall('arch_sync', 'acpi_scan_init', async () => {
    acpi_iort_table.set(IORT);
    await acpi_create_platform_device(SMMU);
    await acpi_create_platform_device(DMA0);
    return 0;
  }));
  bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'dma_driver_init',
    async () => await platform_driver_register(new PlatformDriver('acpi-dma', dma_probe, { acpi_match_table: ['ARMH0001'] }))));
});

const acpiBoard = defineBoard({
  name: 'acpi-smmu',
  summary: 'ACPI/IORT-described SMMU and DMA engine',
  variants: ['v6.5', 'iommu-next-2023-08', 'fix-try-2', 'locking2-v2', 'v6.7'],
  modules: () => [platformBusModule, acpiMachine],
});

describe('the ACPI replay path', async () => {
  const rows = await bisectBoard(acpiBoard);
  const row = (v: string) => rows.find((r) => r.variant === v)!;

  test('fix-try-2 hangs in acpi_iommu_configure_id\'s replay, the ACPI twin of Marek\'s chain', () => {
    const r = row('fix-try-2');
    expect(r.outcome).toBe('hangs');
    expect(r.failure!.report.task?.waitsFor?.name).toBe('ARMH0001:00');
    expect(r.chain.map(frameFunction)).toEqual(['__driver_attach', 'driver_probe_device', '__driver_probe_device', 'really_probe',
      'platform_dma_configure', 'acpi_dma_configure', 'acpi_iommu_configure_id', 'iommu_probe_device', '__iommu_probe_device', 'device_lock']);
  });

  test('iommu-next-2023-08 hangs earlier, at the SMMU probing itself', () => {
    expect(row('iommu-next-2023-08').outcome).toBe('hangs');
    expect(row('iommu-next-2023-08').chain.map(frameFunction)).toContain('probe_iommu_group');
  });

  test('v6.5, locking2-v2 and v6.7 boot, with the client in a group', () => {
    for (const v of ['v6.5', 'locking2-v2', 'v6.7']) expect(row(v).outcome, v).toBe('boots');
  });
});
