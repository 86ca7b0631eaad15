/**
 * The PCI bus model: enumeration order, names, driver binding through id
 * tables, and IOMMU groups from pci_device_group() (aliases, ACS, functions).
 */
import { ContainerModule } from 'inversify';
import { describe, expect, test } from 'vitest';
import { runOnce, explore } from '../../../src/explore/explore.js';
import { composeMachine, kernel_init, kernelModules } from '../../../src/machine/machine.js';
import { initcall, type Initcall } from '../../../src/machine/initcall.js';
import { INITCALL } from '../../../src/machine/tokens.js';
import { IommuDevice, iommu_device_register, iommu_device_sysfs_add, type IommuOps } from '../../../src/iommu/iommu.js';
import { dev_info, type Device } from '../../../src/base/device.js';
import { pciBusModule, pciHostBridgeModule } from '../../../buses/pci/module.js';
import { PCI_DEVICE_CLASS, PciDriver, dev_is_pci, pci_register_driver, type PciDev, type PciHostBridgeSpec } from '../../../buses/pci/pci.js';
import { pci_device_group } from '../../../buses/pci/pci-group.js';
import { ENODEV } from '../../../src/kernel/errno.js';

const INTEL = 0x8086;

/** A host bridge with every grouping case. */
export const TOPOLOGY: PciHostBridgeSpec = {
  devices: [
    { at: '00.0', vendor: INTEL, device: 0x3e30, class: 0x060000 },                          // host bridge
    { at: '02.0', vendor: INTEL, device: 0x3e92, class: 0x030000, pcie: 'rc-integrated' },   // graphics
    { at: '14.0', vendor: INTEL, device: 0xa36d, class: 0x0c0330, pcie: 'rc-integrated' },   // xHCI, with 14.2: no ACS
    { at: '14.2', vendor: INTEL, device: 0xa36f, class: 0x050000, pcie: 'rc-integrated' },
    { at: '16.0', vendor: INTEL, device: 0xa360, class: 0x078000, pcie: 'rc-integrated', acs: true },  // MEI, 16.3 with ACS
    { at: '16.3', vendor: INTEL, device: 0xa363, class: 0x070002, pcie: 'rc-integrated', acs: true },
    { at: '1c.0', vendor: INTEL, device: 0xa338, class: 0x060400, pcie: 'root-port', acs: true,
      bridge: { secondary: 1, devices: [{ at: '00.0', vendor: 0x144d, device: 0xa808, class: 0x010802, pcie: 'endpoint' }] } },
    { at: '1d.0', vendor: INTEL, device: 0xa330, class: 0x060400, pcie: 'root-port', acs: false,
      bridge: { secondary: 2, devices: [
        { at: '00.0', vendor: INTEL, device: 0x10d3, class: 0x020000, pcie: 'endpoint' },
        { at: '00.1', vendor: INTEL, device: 0x10d3, class: 0x020000, pcie: 'endpoint' },
      ] } },
    { at: '1e.0', vendor: INTEL, device: 0x244e, class: 0x060401, pcie: 'pcie-to-pci',
      bridge: { secondary: 3, devices: [
        { at: '00.0', vendor: 0x104c, device: 0x8023, class: 0x0c0010 },
        { at: '01.0', vendor: 0x1102, device: 0x0002, class: 0x040100 },
      ] } },
    { at: '1f.0', vendor: INTEL, device: 0xa306, class: 0x060100, pcie: 'rc-integrated' },   // LPC, audio, SMBus: no ACS
    { at: '1f.3', vendor: INTEL, device: 0xa348, class: 0x040300, pcie: 'rc-integrated' },
    { at: '1f.4', vendor: INTEL, device: 0xa323, class: 0x0c0500, pcie: 'rc-integrated' },
  ],
};

/** A test IOMMU claiming every PCI device, grouped the PCI way; registered at rootfs_initcall with no hardware device. */
function testIommuModule(): ContainerModule {
  const ops: IommuOps = {
    name: 'test-pci-iommu',
    probe_device: (dev: Device) => (dev_is_pci(dev) ? iommu : -ENODEV),
    device_group: (dev: Device) => pci_device_group(dev),
  };
  let iommu: IommuDevice;
  return new ContainerModule(({ bind }) => {
    bind<Initcall>(INITCALL).toConstantValue(initcall('rootfs', 'test_iommu_init', async () => {
      iommu = new IommuDevice('test-pci-iommu');
      iommu_device_sysfs_add(iommu, null, 'test-iommu');
      return await iommu_device_register(iommu, ops, null);
    }));
  });
}

const nvmeDriver = () => new PciDriver('nvme', [PCI_DEVICE_CLASS(0x010802, 0xffffff)], async (pdev: PciDev) => {
  dev_info(pdev, `bound, in iommu group ${pdev.iommu_group?.id}`);
  return 0;
});

function machine(variant = 'v6.7') {
  return async () => {
    await kernel_init(composeMachine([
      ...kernelModules(variant), pciBusModule, pciHostBridgeModule(TOPOLOGY), testIommuModule(),
      new ContainerModule(({ bind }) => {
        bind<Initcall>(INITCALL).toConstantValue(initcall('device', 'nvme_init', () => pci_register_driver(nvmeDriver())));
      }),
    ]));
  };
}

describe('PCI bus', () => {
  test('devices are added bus by bus, depth first, and named segment:bus:slot.func', async () => {
    const run = await runOnce(machine());
    expect(run.outcome).toBe('complete');
    const groups = run.log.map((l) => l.text).filter((t) => t.includes('Adding to iommu group'));
    expect(groups).toEqual([
      'pci 0000:00:00.0: Adding to iommu group 0',
      'pci 0000:00:02.0: Adding to iommu group 1',
      'pci 0000:00:14.0: Adding to iommu group 2',
      'pci 0000:00:14.2: Adding to iommu group 2',   // same slot, no ACS
      'pci 0000:00:16.0: Adding to iommu group 3',
      'pci 0000:00:16.3: Adding to iommu group 4',   // same slot, but ACS isolates the functions
      'pci 0000:00:1c.0: Adding to iommu group 5',
      'pci 0000:00:1d.0: Adding to iommu group 6',
      'pci 0000:00:1e.0: Adding to iommu group 7',
      'pci 0000:00:1f.0: Adding to iommu group 8',
      'pci 0000:00:1f.3: Adding to iommu group 8',
      'pci 0000:00:1f.4: Adding to iommu group 8',
      'pci 0000:01:00.0: Adding to iommu group 9',   // behind a root port with ACS: its own group
      'pci 0000:02:00.0: Adding to iommu group 6',   // behind a root port without ACS: the port's group
      'pci 0000:02:00.1: Adding to iommu group 6',
      'pci 0000:03:00.0: Adding to iommu group 7',   // conventional PCI behind a PCIe-to-PCI bridge: its alias
      'pci 0000:03:01.0: Adding to iommu group 7',
    ]);
  });

  test('a driver binds by class through its id table, after the groups exist', async () => {
    const run = await runOnce(machine());
    const text = run.log.map((l) => l.text);
    expect(text).toContain('nvme 0000:01:00.0: bound, in iommu group 9');
    expect(text.filter((t) => t.startsWith('nvme '))).toHaveLength(1);
  });

  test('boots cleanly on every schedule of every probe-locking variant (no device lock is held on this path)', async () => {
    for (const variant of ['v6.5', 'iommu-next-2023-08', 'v6.7', 'v6.12']) {
      const result = await explore(machine(variant), { strategy: 'dpor' });
      expect(result.failures, variant).toEqual([]);
      expect(result.exhausted, variant).toBe(true);
    }
  });
});
